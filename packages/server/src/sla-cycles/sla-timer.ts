// The SLA timer: publishes the transitions that happen only because time passes (AT_RISK, BREACHED), within a
// second of their moment, exactly once across every instance on the database, and after a restart.
//
// Claims live in PostgreSQL: each pass locks the due cycles with FOR UPDATE SKIP LOCKED, so two instances never
// take the same one, records each transition as a TicketEvent in the same transaction, and publishes after commit.
// The AT_RISK and BREACHED notifications go into the outbox in that same transaction (notifications/).
// A batch is read and written in a handful of set-based statements, however many cycles it holds. Between passes
// it sleeps until the earliest pending transition (the Pacer), woken sooner when a change schedules an earlier one.
import { LockMode } from '@mikro-orm/core';
import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Logger } from 'pino';
import { Clock } from '../context';
import type { Metrics } from '../metrics';
import { enqueueSlaNotifications } from '../notifications/sla-notifications';
import { Organization } from '../organizations/organization.entity';
import { runInTransaction } from '../realtime/after-commit';
import { Pacer } from '../realtime/pacer';
import { Realtime, SignalMessage } from '../realtime/pubsub';
import { Ticket } from '../tickets/ticket.entity';
import { User } from '../users/user.entity';
import { SlaState } from './sla-enums';
import { SlaCycle } from './sla-cycle.entity';
import { SlaTracker, SlaTransition } from './sla-tracker';

/** Cycles claimed per transaction: a burst of thousands is a few transactions of a few statements each. */
export const SLA_BATCH = 1000;
/** With nothing due sooner, the timer still looks this often (a DUE message may have been missed). */
const DEFAULT_MAX_SLEEP_MS = 30_000;

export interface SlaTimerOptions {
  orm: MikroORM;
  realtime: Realtime;
  clock: Clock;
  log: Logger;
  /** The longest sleep between passes; default 30 s. Tests that move a test clock use a short one. */
  pollMs?: number;
  /** Where the lag of each transition recorded is observed (escalate_sla_timer_lag_seconds). */
  metrics?: Metrics | undefined;
}

export class SlaTimer {
  private readonly pacer: Pacer;

  constructor(private readonly options: SlaTimerOptions) {
    this.pacer = new Pacer({
      worker: 'SLA_TIMER',
      realtime: options.realtime,
      clock: options.clock,
      log: options.log,
      maxSleepMs: options.pollMs ?? DEFAULT_MAX_SLEEP_MS,
      pass: () => this.pass(),
    });
  }

  start(): void {
    this.pacer.start();
  }

  stop(): Promise<void> {
    return this.pacer.stop();
  }

  /**
   * Everything due by now, batch after batch; then when the next transition falls due. What the batches announce is
   * published once they are all recorded: subscribers resolving the first batch's events would otherwise compete
   * with recording the next (a burst of thousands is recorded first, then heard).
   */
  private async pass(): Promise<Date | null> {
    const held: SignalMessage[] = [];
    const holding: Realtime = { ...this.options.realtime, publish: (message) => held.push(message) };
    try {
      while ((await this.tick(holding)) === SLA_BATCH);
    } finally {
      for (const message of held) this.options.realtime.publish(message);
    }
    return this.nextPending();
  }

  private async nextPending(): Promise<Date | null> {
    const [row] = await this.options.orm.em
      .fork()
      .execute<{ next: Date | null }[]>('select min(next_transition_at) as next from sla_cycle where next_transition_at is not null');
    return row?.next ? new Date(row.next) : null;
  }

  /**
   * Processes one batch of the transitions due by now and publishes them (through `realtime`) once committed;
   * returns how many cycles it claimed. Tests call it directly.
   */
  async tick(realtime: Realtime = this.options.realtime): Promise<number> {
    const now = this.options.clock();
    /** How late each transition recorded is, in seconds: observed once the batch has committed. */
    const lags: number[] = [];
    const claimed = await runInTransaction(this.options.orm.em.fork(), realtime, async (em) => {
      const cycles = await em.find(
        SlaCycle,
        { nextTransitionAt: { $lte: now } },
        { orderBy: { nextTransitionAt: 'asc' }, limit: SLA_BATCH, lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE },
      );
      if (!cycles.length) return 0;
      await preload(em, cycles);
      const stateOfTicket = new Map<string, SlaState>();
      for (const cycle of cycles) {
        for (const { at } of await this.advance(em, cycle, now)) lags.push((now.getTime() - at.getTime()) / 1000);
        stateOfTicket.set(cycle.ticket.id, cycle.state);
      }
      // A plain column update, one statement per state: time passing is not an edit, so it must not bump the
      // tickets' versions (as MikroORM's nativeUpdate does) and turn a customer's concurrent change into a CONFLICT.
      for (const slaState of new Set(stateOfTicket.values())) {
        const ids = [...stateOfTicket].filter(([, state]) => state === slaState).map(([id]) => id);
        await em.execute('update ticket set sla_state = ? where id in (?)', [slaState, ids]);
      }
      await em.flush();
      return cycles.length;
    });
    for (const lag of lags) this.options.metrics?.slaTransitionRecorded(lag);
    return claimed;
  }

  /** Advances a claimed cycle to now, with the notifications of its transitions, in the claiming transaction. */
  private async advance(em: EntityManager, cycle: SlaCycle, now: Date): Promise<SlaTransition[]> {
    const ticket = em.getReference(Ticket, cycle.ticket.id);
    // Time alone moves the cycle: nobody acts.
    const tracker = await SlaTracker.for({ em, now, actorId: null }, ticket);
    const transitions = tracker.passTime(cycle);
    // At risk → the assignee; breached → the assignee and the managers: into the outbox, in this transaction.
    await enqueueSlaNotifications(em, { ticket, cycle, transitions, now });
    return transitions;
  }
}

/** The batch's tickets, their organizations and assignees, each table in one statement, into the identity map. */
async function preload(em: EntityManager, cycles: SlaCycle[]): Promise<void> {
  const tickets = await em.find(Ticket, { id: { $in: [...new Set(cycles.map((cycle) => cycle.ticket.id))] } });
  const organizations = [...new Set(tickets.map((ticket) => ticket.organization.id))];
  const assignees = [...new Set(tickets.flatMap((ticket) => (ticket.assignee ? [ticket.assignee.id] : [])))];
  await em.find(Organization, { id: { $in: organizations } });
  if (assignees.length) await em.find(User, { id: { $in: assignees } });
}
