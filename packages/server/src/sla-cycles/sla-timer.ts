// The SLA timer: publishes the transitions that happen only because time passes (AT_RISK, BREACHED), within a
// second of their moment, exactly once across every instance on the database, and after a restart.
//
// Claims live in PostgreSQL: each tick locks the due cycles with FOR UPDATE SKIP LOCKED, so two instances never
// take the same one, records each transition as a TicketEvent in the same transaction, and publishes after commit.
// The AT_RISK and BREACHED notifications go into the outbox in that same transaction (notifications/).
// Between ticks it sleeps until the earliest pending transition, or at most `pollMs` (another instance may have
// scheduled an earlier one).
import { LockMode } from '@mikro-orm/core';
import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Logger } from 'pino';
import { Clock } from '../context';
import { enqueueSlaNotifications } from '../notifications/sla-notifications';
import { runInTransaction } from '../realtime/after-commit';
import { Realtime } from '../realtime/pubsub';
import { Ticket } from '../tickets/ticket.entity';
import { SlaCycle } from './sla-cycle.entity';
import { SlaTracker } from './sla-tracker';

const BATCH = 200;

export interface SlaTimerOptions {
  orm: MikroORM;
  realtime: Realtime;
  clock: Clock;
  log: Logger;
  pollMs?: number;
}

export class SlaTimer {
  private timeout: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;

  constructor(private readonly options: SlaTimerOptions) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timeout) clearTimeout(this.timeout);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timeout = setTimeout(() => {
      this.running = this.loop();
    }, delayMs);
  }

  private async loop(): Promise<void> {
    const pollMs = this.options.pollMs ?? 250;
    let delay = pollMs;
    try {
      while ((await this.tick()) === BATCH && !this.stopped);
      const next = await this.nextPending();
      if (next) delay = Math.max(0, Math.min(pollMs, next.getTime() - this.options.clock().getTime()));
    } catch (error) {
      this.options.log.error({ err: error }, 'SLA timer tick failed');
    }
    this.schedule(delay);
  }

  private async nextPending(): Promise<Date | null> {
    const [row] = await this.options.orm.em
      .fork()
      .execute<{ next: Date | null }[]>('select min(next_transition_at) as next from sla_cycle where next_transition_at is not null');
    return row?.next ? new Date(row.next) : null;
  }

  /** Processes every transition due by now; returns how many cycles it claimed. Tests call it directly. */
  async tick(): Promise<number> {
    const now = this.options.clock();
    return runInTransaction(this.options.orm.em.fork(), this.options.realtime, async (em) => {
      const cycles = await em.find(
        SlaCycle,
        { nextTransitionAt: { $lte: now } },
        { orderBy: { nextTransitionAt: 'asc' }, limit: BATCH, lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE },
      );
      for (const cycle of cycles) await this.advance(em, cycle, now);
      await em.flush();
      return cycles.length;
    });
  }

  /** Advances a claimed cycle to now, with the notifications of its transitions, in the claiming transaction. */
  private async advance(em: EntityManager, cycle: SlaCycle, now: Date): Promise<void> {
    const ticket = await em.findOneOrFail(Ticket, { id: cycle.ticket.id });
    // Time alone moves the cycle: nobody acts.
    const tracker = await SlaTracker.for({ em, now, actorId: null }, ticket);
    const transitions = tracker.passTime(cycle);
    // At risk → the assignee; breached → the assignee and the managers: into the outbox, in this transaction.
    await enqueueSlaNotifications(em, { ticket, cycle, transitions, now });
    // A plain column update: time passing is not an edit, so it must not bump the ticket's version and turn a
    // customer's concurrent change into a CONFLICT.
    await em.nativeUpdate(Ticket, { id: ticket.id }, { slaState: cycle.state });
  }
}
