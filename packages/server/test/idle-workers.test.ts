// Quiet when idle: the SLA timer and the outbox worker sleep until their next piece of work falls due, so an idle
// instance sends the database nothing between their occasional looks (every 30 s); a change on another instance
// that schedules an earlier transition wakes this instance's timer through Redis, on time. Real time passes here
// (a few seconds), since what is tested is when the workers wake.
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/context';
import { OutboxWorker } from '../src/notifications/outbox-worker';
import { createRealtime, Realtime } from '../src/realtime/pubsub';
import { SlaTimer } from '../src/sla-cycles/sla-timer';
import { GUARD_MS } from './helpers/subscriptions';
import { createOrganization, customerOf, fileTicket, startTestServer, TestServer } from './helpers/test-server';

const redisUrl = process.env.REDIS_URL;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('idle background workers', () => {
  const channelPrefix = `test:${randomUUID()}:`;
  let server: TestServer;
  let realtime: Realtime;
  let timer: SlaTimer;
  let outbox: OutboxWorker;

  beforeAll(async () => {
    server = await startTestServer(redisUrl ? { redis: { url: redisUrl, channelPrefix } } : {});
    // This instance's workers, as main.ts makes them: the default sleeps, the real clock, DUE messages heard.
    realtime = createRealtime(redisUrl ? { redisUrl, channelPrefix } : {});
    const log = pino({ level: 'silent' });
    timer = new SlaTimer({ orm: server.orm, realtime, clock: systemClock, log });
    outbox = new OutboxWorker({ orm: server.orm, realtime, clock: systemClock, log });
  });
  afterAll(async () => {
    await timer?.stop();
    await outbox?.stop();
    await realtime?.close();
    await server?.close();
  });

  it('send no statement between their looks once the work at start is done', async () => {
    timer.start();
    outbox.start();
    // The first passes: whatever a previous process left due, and the next due times.
    let seen = -1;
    while (seen !== server.queries.length) {
      seen = server.queries.length;
      await sleep(300);
    }
    server.queries.length = 0;
    await sleep(2_000);
    expect(server.queries).toEqual([]);
  });

  it.skipIf(!redisUrl)('a transition scheduled on another instance wakes this one on time, through Redis', async () => {
    // The other instance (the test server, its own timer stopped) files a ticket whose cycle is at risk in 3 s.
    server.clock.set(new Date());
    await createOrganization(server, 'wakes', { policy: [{ severity: 'SEV3', targetResponse: 'PT4S', clock: 'CALENDAR' }] });
    const ticket = await fileTicket(server, customerOf('wakes'), { severity: 'SEV3' });
    const sla = await server.gql(`query($id: ID!) { ticket(id: $id) { sla { atRiskAt } } }`, { id: ticket.id }, customerOf('wakes'));
    const atRiskAt = Date.parse(sla.data!.ticket.sla.atRiskAt);
    // This instance's timer, asleep for up to 30 s, records it within a second of its moment.
    const deadline = Date.now() + GUARD_MS;
    let recordedAt: number | null = null;
    while (recordedAt === null && Date.now() < deadline) {
      const [row] = await server.orm.em.getConnection().execute(
        `select count(*)::int as n from ticket_event e join ticket t on t.id = e.ticket_id
         where t.number = ? and e.type = 'SLA_STATE_CHANGED' and e.data->>'to' = 'AT_RISK'`,
        [Number(ticket.number.replace(/\D/g, ''))],
      );
      if (row.n === 1) recordedAt = Date.now();
      else await sleep(50);
    }
    expect(recordedAt).not.toBeNull();
    expect(recordedAt! - atRiskAt).toBeLessThan(1_000);
  });
});
