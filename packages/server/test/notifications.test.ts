// The notification outbox, delivered to a real SMTP server started inside the test (smtp-server on a free port):
// SLA notifications to the right people, retries with backoff, nothing lost across a restart, and logging in place
// of sending when SMTP_URL is not set. Time moves by the test clock.
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { enqueueNotification } from '../src/notifications/enqueue';
import { Notification, NotificationKind, NotificationStatus } from '../src/notifications/notification.entity';
import { MAX_ATTEMPTS, OutboxWorker } from '../src/notifications/outbox-worker';
import { runInTransaction } from '../src/realtime/after-commit';
import { createRealtime } from '../src/realtime/pubsub';
import { closedPort } from './helpers/ports';
import { startSmtpServer } from './helpers/smtp';
import { createOrganization, customerOf, ENGINEER, fileTicket, MANAGER, startTestServer, TestServer } from './helpers/test-server';

/** Where the notifications committed here announce themselves (the test's workers poll). */
const realtime = createRealtime();

/** Polls until `condition` holds (a running worker tells no one when it is done); `timeoutMs` only stops a hang. */
async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const silent = pino({ level: 'silent' });

describe('notifications', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let server: TestServer;
  const customer = customerOf('acme');
  let engineerId: string;
  const ENGINEER_EMAIL = 'engineer-1@example.test';
  const MANAGER_EMAIL = 'manager-1@example.test';

  const row = (id: string) => server.orm.em.fork().findOneOrFail(Notification, { id });
  const rowsOfTicket = (number: string) =>
    server.orm.em.fork().find(Notification, { ticket: { number: Number(number.replace('RS-', '')) } }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  /** Commits a notification the way a mutation does: in a transaction of its own, announced after commit. */
  const commitNotification = (subject: string, to = ['someone@example.test']) =>
    runInTransaction(server.orm.em.fork(), realtime, async (em) => {
      const notification = enqueueNotification(em, { kind: NotificationKind.UPDATE_REQUESTED, to, subject, body: `About: ${subject}`, ticketId: null }, server.clock.now());
      return notification!.id;
    });
  const assign = async (ticketId: string, assigneeId: string) => {
    const result = await server.gql(
      `mutation($input: TicketAssignInput!) { ticketAssign(input: $input) { ticket { id } userErrors { code message } } }`,
      { input: { ticketId, assigneeId } },
      ENGINEER,
    );
    expect(result.data?.ticketAssign.userErrors).toEqual([]);
  };
  /** Moves time to `iso` and lets the timer and the outbox catch up, so earlier tests' tickets do not speak in later ones. */
  const startAt = async (iso: string) => {
    server.clock.set(iso);
    while ((await server.slaTimer.tick()) > 0);
    while ((await server.outbox.deliverDue()) > 0);
    smtp.received.length = 0;
  };

  beforeAll(async () => {
    smtp = await startSmtpServer();
    server = await startTestServer({ smtpUrl: smtp.url });
    await createOrganization(server, 'acme'); // Monday–Friday 09:00–17:00 America/New_York
    engineerId = (await server.gql(`{ me { id } }`, {}, ENGINEER)).data!.me.id;
    await server.gql(`{ me { id } }`, {}, MANAGER); // the manager is a user from their first request on
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });
  beforeEach(async () => {
    while ((await server.outbox.deliverDue()) > 0);
    smtp.received.length = 0;
    smtp.state.failNext = 0;
  });

  it('an SLA on an assigned ticket: at risk → the assignee; breached → the assignee and the managers', async () => {
    await startAt('2026-12-08T15:00:00Z'); // Tue 10:00 New York
    const ticket = await fileTicket(server, customer, { severity: 'SEV1', title: 'Checkout is down' }); // calendar hour: at risk 15:45, due 16:00
    await assign(ticket.id, engineerId);

    server.clock.set('2026-12-08T15:44:59Z');
    expect(await server.slaTimer.tick()).toBe(0);
    server.clock.set('2026-12-08T15:45:00Z');
    expect(await server.slaTimer.tick()).toBe(1);
    // Written with the transition, delivered only by the outbox.
    expect(smtp.received).toEqual([]);
    const [atRisk] = await rowsOfTicket(ticket.number);
    expect(atRisk).toMatchObject({ kind: 'SLA_AT_RISK', status: 'PENDING', recipients: [ENGINEER_EMAIL] });

    expect(await server.outbox.deliverDue()).toBe(1);
    expect(smtp.received).toEqual([
      expect.objectContaining({
        mailFrom: 'escalate@localhost',
        from: 'Escalate <escalate@localhost>',
        rcptTo: [ENGINEER_EMAIL],
        subject: `[${ticket.number}] SLA at risk: first response due 16:00 UTC`,
        messageId: `<${atRisk!.id}@escalate.notifications>`,
      }),
    ]);
    expect(smtp.received[0]!.body).toContain('Checkout is down');
    expect(smtp.received[0]!.body).toContain('SEV1');
    expect(await row(atRisk!.id)).toMatchObject({ status: 'SENT', attempts: 1, sentAt: new Date('2026-12-08T15:45:00Z'), lastError: null });

    server.clock.set('2026-12-08T16:00:00Z');
    expect(await server.slaTimer.tick()).toBe(1);
    expect(await server.outbox.deliverDue()).toBe(1);
    expect(smtp.received.slice(1)).toEqual([
      expect.objectContaining({ rcptTo: [ENGINEER_EMAIL, MANAGER_EMAIL], subject: `[${ticket.number}] SLA breached: first response was due 16:00 UTC` }),
    ]);
    expect((await rowsOfTicket(ticket.number)).map((notification) => [notification.kind, notification.status])).toEqual([
      ['SLA_AT_RISK', 'SENT'],
      ['SLA_BREACHED', 'SENT'],
    ]);
    expect(await server.outbox.deliverDue()).toBe(0);
  });

  it('an unassigned ticket: no at-risk mail (nobody to tell); the breach goes to the managers', async () => {
    await startAt('2026-12-15T15:00:00Z');
    const quiet = await fileTicket(server, customer, { severity: 'SEV1' });
    server.clock.set('2026-12-15T15:50:00Z');
    expect(await server.slaTimer.tick()).toBe(1);
    expect(await server.outbox.deliverDue()).toBe(0);
    expect(await rowsOfTicket(quiet.number)).toEqual([]);

    server.clock.set('2026-12-15T16:00:00Z');
    await server.slaTimer.tick();
    await server.outbox.deliverDue();
    expect(smtp.received).toEqual([
      expect.objectContaining({ rcptTo: [MANAGER_EMAIL], subject: `[${quiet.number}] SLA breached: first response was due 16:00 UTC` }),
    ]);
  });

  it('a timer that was behind sends the breach alone, not a stale at-risk warning with it', async () => {
    await startAt('2026-12-22T15:00:00Z');
    const late = await fileTicket(server, customer, { severity: 'SEV1' });
    await assign(late.id, engineerId);
    server.clock.set('2026-12-22T18:00:00Z'); // both transitions fell due while nothing ran
    expect(await server.slaTimer.tick()).toBe(1);
    expect(await server.outbox.deliverDue()).toBe(1);
    expect(smtp.received.map((mail) => [mail.rcptTo, mail.subject])).toEqual([
      [[ENGINEER_EMAIL, MANAGER_EMAIL], `[${late.number}] SLA breached: first response was due 16:00 UTC`],
    ]);
  });

  it('retries with backoff while the SMTP server is unreachable, then delivers', async () => {
    server.clock.set('2027-01-05T12:00:00Z');
    const id = await commitNotification('Unreachable at first');
    const unreachable = new OutboxWorker({ orm: server.orm, clock: server.clock.now, log: silent, smtpUrl: `smtp://127.0.0.1:${await closedPort()}` });
    try {
      expect(await unreachable.deliverDue()).toBe(1);
      const failed = await row(id);
      expect(failed).toMatchObject({ status: 'PENDING', attempts: 1, nextAttemptAt: new Date('2027-01-05T12:00:30Z'), sentAt: null });
      expect(failed.lastError).toMatch(/ECONNREFUSED|connect/i);
      // Not due again before its time, whichever worker looks.
      expect(await unreachable.deliverDue()).toBe(0);
      expect(await server.outbox.deliverDue()).toBe(0);
    } finally {
      await unreachable.stop();
    }

    server.clock.set('2027-01-05T12:00:30Z');
    expect(await server.outbox.deliverDue()).toBe(1);
    expect(smtp.received.map((mail) => mail.subject)).toEqual(['Unreachable at first']);
    expect(await row(id)).toMatchObject({ status: 'SENT', attempts: 2, sentAt: new Date('2027-01-05T12:00:30Z') });
  });

  it('a temporary rejection (451) is retried after 30 s, then 1 min; the last attempt gives up (FAILED)', async () => {
    server.clock.set('2027-01-06T12:00:00Z');
    const id = await commitNotification('Busy server', ['a@example.test', 'b@example.test']);
    smtp.state.failNext = 2;
    expect(await server.outbox.deliverDue()).toBe(1);
    expect(await row(id)).toMatchObject({ status: 'PENDING', attempts: 1, nextAttemptAt: new Date('2027-01-06T12:00:30Z') });
    expect((await row(id)).lastError).toContain('451');
    server.clock.advance(30_000);
    expect(await server.outbox.deliverDue()).toBe(1);
    expect(await row(id)).toMatchObject({ status: 'PENDING', attempts: 2, nextAttemptAt: new Date('2027-01-06T12:01:30Z') });
    server.clock.advance(59_000);
    expect(await server.outbox.deliverDue()).toBe(0);
    server.clock.advance(1000);
    expect(await server.outbox.deliverDue()).toBe(1);
    expect(smtp.received).toEqual([expect.objectContaining({ rcptTo: ['a@example.test', 'b@example.test'], subject: 'Busy server' })]);
    expect(await row(id)).toMatchObject({ status: 'SENT', attempts: 3 });

    const doomed = await commitNotification('Never accepted');
    await server.orm.em.fork().nativeUpdate(Notification, { id: doomed }, { attempts: MAX_ATTEMPTS - 1 });
    smtp.state.failNext = 1;
    expect(await server.outbox.deliverDue()).toBe(1);
    expect(await row(doomed)).toMatchObject({ status: 'FAILED', attempts: MAX_ATTEMPTS });
    server.clock.advance(24 * 3600_000);
    expect(await server.outbox.deliverDue()).toBe(0);
  });

  it('nothing is lost: a notification committed while no worker runs is delivered by an instance started afterwards', async () => {
    server.clock.set('2027-01-07T12:00:00Z');
    // This instance's worker never runs (as if the process died right after the commit).
    const id = await commitNotification('Committed before a crash');
    expect(await row(id)).toMatchObject({ status: 'PENDING', attempts: 0 });

    const restarted = await startTestServer({ databaseUrl: server.databaseUrl, smtpUrl: smtp.url });
    try {
      restarted.clock.set('2027-01-07T12:00:05Z');
      restarted.outbox.start();
      await until(() => smtp.received.length > 0);
      expect(smtp.received.map((mail) => [mail.rcptTo, mail.subject])).toEqual([[['someone@example.test'], 'Committed before a crash']]);
      // The mail leaves inside the claiming transaction; the row reads SENT once that commits.
      await until(async () => (await row(id)).status === 'SENT');
      expect(await row(id)).toMatchObject({ status: 'SENT', attempts: 1 });
    } finally {
      await restarted.close();
    }
  });

  it('without SMTP_URL a notification is logged and kept in the outbox as LOGGED', async () => {
    server.clock.set('2027-01-08T12:00:00Z');
    const id = await commitNotification('Nowhere to send', ['quiet@example.test']);
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const logging = new OutboxWorker({ orm: server.orm, clock: server.clock.now, log });
    try {
      expect(await logging.deliverDue()).toBe(1);
    } finally {
      await logging.stop();
    }
    expect(await row(id)).toMatchObject({ status: NotificationStatus.LOGGED, sentAt: null, lastError: null });
    expect(smtp.received).toEqual([]);
    const logged = lines.map((line) => JSON.parse(line)).find((entry) => entry.notificationId === id);
    expect(logged).toMatchObject({ recipients: ['quiet@example.test'], subject: 'Nowhere to send', kind: 'UPDATE_REQUESTED' });
    expect(await server.outbox.deliverDue()).toBe(0);
  });
});
