// The outbox's back door: delivers the notifications that transactions committed (see enqueue.ts).
//
// Each pass claims due PENDING rows one at a time with FOR UPDATE SKIP LOCKED, so several instances share the
// work without taking the same row, and hands each to SMTP inside the transaction that claimed it. Delivery is
// at least once: a process that dies after the SMTP server accepted a message but before the commit leaves the
// row PENDING, and it is sent again later (the Message-ID stays the same, so mail clients can drop the copy).
// Nothing is lost between commit and delivery: the rows wait in the table, and `start()` reads them at once.
// Between passes the worker sleeps until the next row falls due (a retry's time), woken sooner by the DUE message
// each enqueue publishes after commit (the Pacer).
//
// Without SMTP_URL nothing is sent: each notification is logged and marked LOGGED, and stays in the table.
import { LockMode } from '@mikro-orm/core';
import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { createTransport } from 'nodemailer';
import { Logger } from 'pino';
import { Clock } from '../context';
import { Pacer } from '../realtime/pacer';
import { Realtime } from '../realtime/pubsub';
import { Notification, NotificationStatus } from './notification.entity';

/** The most rows one `deliverDue()` pass takes; a running worker goes straight on while passes come back full. */
export const OUTBOX_BATCH = 50;
/** Attempts before a notification is given up (FAILED): about three hours of retries with the backoff below. */
export const MAX_ATTEMPTS = 10;
const FIRST_RETRY_MS = 30_000;
const MAX_RETRY_MS = 3600_000;
export const DEFAULT_FROM = 'Escalate <escalate@localhost>';

/** How long to wait before attempt `attempts + 1`, after `attempts` failed ones: 30 s, 1 min, 2 min, … at most 1 h. */
export function retryDelayMs(attempts: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
}

export interface OutboxWorkerOptions {
  orm: MikroORM;
  clock: Clock;
  log: Logger;
  /** e.g. `smtp://user:pass@mail.example.com:587` or `smtps://…:465`; unset: notifications are logged, not sent. */
  smtpUrl?: string | undefined;
  /** The From address (config: NOTIFICATIONS_FROM); default `Escalate <escalate@localhost>`. */
  from?: string | undefined;
  /** Wakes the worker when a notification is enqueued on any instance; without it, it looks every `pollMs`. */
  realtime?: Realtime;
  /** The longest a started worker sleeps between looks; default 30 s (1 s without `realtime`). */
  pollMs?: number;
}

type Transport = ReturnType<typeof createTransport>;

/** What waits in the outbox and what was given up on, for the metrics (metrics.ts). */
export interface OutboxBacklog {
  pending: number;
  failed: number;
  /** When the oldest notification still waiting was enqueued; null when none waits. */
  oldestPendingAt: Date | null;
}

/** The outbox's backlog in one statement, over the (status, next_attempt_at) index. */
export async function outboxBacklog(orm: MikroORM): Promise<OutboxBacklog> {
  const [row] = await orm.em.getConnection().execute<{ pending: number; failed: number; oldest: Date | string | null }[]>(
    `select count(*) filter (where status = '${NotificationStatus.PENDING}')::int as pending,
            count(*) filter (where status = '${NotificationStatus.FAILED}')::int as failed,
            min(created_at) filter (where status = '${NotificationStatus.PENDING}') as oldest
     from notification where status in ('${NotificationStatus.PENDING}', '${NotificationStatus.FAILED}')`,
  );
  return { pending: row?.pending ?? 0, failed: row?.failed ?? 0, oldestPendingAt: row?.oldest ? new Date(row.oldest) : null };
}

export class OutboxWorker {
  private readonly pacer: Pacer;
  /** Set while stop() waits: a pass finishes the row in hand and takes no more. */
  private stopping = false;
  private transport: Transport | null = null;
  private readonly passes = new Set<Promise<number>>();
  private readonly from: string;

  constructor(private readonly options: OutboxWorkerOptions) {
    this.from = options.from ?? DEFAULT_FROM;
    this.pacer = new Pacer({
      worker: 'OUTBOX',
      realtime: options.realtime,
      clock: options.clock,
      log: options.log,
      maxSleepMs: options.pollMs ?? (options.realtime ? 30_000 : 1000),
      pass: async () => {
        while ((await this.deliverDue()) === OUTBOX_BATCH && !this.stopping);
        return this.nextDue();
      },
    });
  }

  /** Delivers what is already due (what a previous process left behind), then whatever falls due. */
  start(): void {
    this.pacer.start();
  }

  /** Stops looking and waits for a pass under way to finish (it stops after the row in hand). */
  async stop(): Promise<void> {
    this.stopping = true;
    try {
      await this.pacer.stop();
      await Promise.allSettled([...this.passes]);
    } finally {
      this.stopping = false;
    }
    this.transport?.close();
    this.transport = null;
  }

  private async nextDue(): Promise<Date | null> {
    const [row] = await this.options.orm.em
      .fork()
      .execute<{ next: Date | null }[]>(`select min(next_attempt_at) as next from notification where status = '${NotificationStatus.PENDING}'`);
    return row?.next ? new Date(row.next) : null;
  }

  /** One pass: takes up to OUTBOX_BATCH due notifications and delivers each; returns how many it took. Tests call it directly. */
  deliverDue(): Promise<number> {
    const pass = this.pass();
    this.passes.add(pass);
    const forget = () => this.passes.delete(pass);
    pass.then(forget, forget);
    return pass;
  }

  private async pass(): Promise<number> {
    let taken = 0;
    // One short transaction per row: a crash re-sends at most the message in hand, and a failed row's next attempt
    // is in the future, so the pass does not take it again.
    while (taken < OUTBOX_BATCH && !this.stopping) {
      const claimed = await this.options.orm.em.fork().transactional(async (em) => {
        const [notification] = await em.find(
          Notification,
          { status: NotificationStatus.PENDING, nextAttemptAt: { $lte: this.options.clock() } },
          { orderBy: { nextAttemptAt: 'asc', id: 'asc' }, limit: 1, lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE },
        );
        if (!notification) return false;
        await this.deliver(em, notification);
        return true;
      });
      if (!claimed) break;
      taken += 1;
    }
    return taken;
  }

  private async deliver(em: EntityManager, notification: Notification): Promise<void> {
    const { log } = this.options;
    const about = { notificationId: notification.id, kind: notification.kind, recipients: notification.recipients, subject: notification.subject };
    const transport = this.smtp();
    if (!transport) {
      notification.status = NotificationStatus.LOGGED;
      log.info(about, 'notification not sent (SMTP_URL is not set); kept in the outbox');
      await em.flush();
      return;
    }
    notification.attempts += 1;
    try {
      const info = await transport.sendMail({
        from: this.from,
        to: notification.recipients,
        subject: notification.subject,
        text: notification.body,
        messageId: `<${notification.id}@escalate.notifications>`,
        headers: { 'X-Escalate-Notification': notification.kind },
      });
      notification.status = NotificationStatus.SENT;
      notification.sentAt = this.options.clock();
      // The server took the message for some recipients; the others it refused for good (5xx) are noted, not retried.
      notification.lastError = info.rejected.length ? `rejected: ${info.rejected.join(', ')}` : null;
      if (info.rejected.length) log.warn({ ...about, rejected: info.rejected }, 'notification sent, but some recipients were rejected');
      else log.debug(about, 'notification sent');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      notification.lastError = message.slice(0, 2000);
      if (notification.attempts >= MAX_ATTEMPTS) {
        notification.status = NotificationStatus.FAILED;
        log.error({ ...about, attempts: notification.attempts, err: error }, 'notification given up after its last attempt');
      } else {
        notification.nextAttemptAt = new Date(this.options.clock().getTime() + retryDelayMs(notification.attempts));
        log.warn({ ...about, attempts: notification.attempts, nextAttemptAt: notification.nextAttemptAt, err: message }, 'notification not delivered; will retry');
      }
    }
    await em.flush();
  }

  private smtp(): Transport | null {
    if (!this.options.smtpUrl) return null;
    // Short timeouts: the row stays locked while the SMTP server is talked to. The URL's query string may override them.
    this.transport ??= createTransport({ url: this.options.smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
    return this.transport;
  }
}
