// Keeps a ticket's response cycles in step with what happens to it (SPEC §3), inside the caller's transaction:
// starts, stops, pauses, resumes and retargets cycles, and records each state change as a TicketEvent, which
// `slaStatusChanged` delivers once committed (events/live-log.ts). The arithmetic is the pure engine's (src/sla).
import { FilterQuery, LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Step } from '../common/mutation';
import { recordEvent } from '../events/record-event';
import { TicketEventType } from '../events/ticket-event.entity';
import { Organization } from '../organizations/organization.entity';
import { SeverityLevel } from '../policy/severity-level.entity';
import { publishAfterCommit } from '../realtime/after-commit';
import { compileCalendar, CompiledCalendar } from '../sla/business-calendar';
import { CycleFacts, cycleState, cycleTimes, nextTransitionAt, SlaTargetSpec } from '../sla/cycle';
import { targetFor } from '../sla/targets';
import { Ticket } from '../tickets/ticket.entity';
import { SlaMetric, SlaState } from './sla-enums';
import { SlaCycle } from './sla-cycle.entity';

export type StopReason = 'RESPONDED' | 'RESOLVED' | 'CLOSED';

/** A state a cycle reached because time passed, and when. */
export interface SlaTransition {
  state: SlaState;
  at: Date;
}

/** Compiled once per calendar object read (a page of tickets shares its organizations'), with its day cache. */
const compiled = new WeakMap<object, CompiledCalendar>();

export function calendarOf(organization: Organization): CompiledCalendar {
  let calendar = compiled.get(organization.calendar);
  if (!calendar) compiled.set(organization.calendar, (calendar = compileCalendar(organization.calendar)));
  return calendar;
}

/** The target for a severity in an organization: its contract's override, else the policy's level. */
export async function targetOf(em: EntityManager, organization: Organization, severity: string): Promise<SlaTargetSpec> {
  const level = await em.findOneOrFail(SeverityLevel, { severity: severity as SeverityLevel['severity'] });
  return targetFor(severity, [level], organization.ownTargets);
}

export function factsOf(cycle: SlaCycle): CycleFacts {
  return {
    metric: cycle.metric,
    startedAt: cycle.startedAt.getTime(),
    target: { seconds: cycle.targetSeconds, clock: cycle.clock },
    pauses: cycle.pauses.map((pause) => ({ from: Date.parse(pause.from), to: pause.to === null ? null : Date.parse(pause.to) })),
    stoppedAt: cycle.stoppedAt ? cycle.stoppedAt.getTime() : null,
  };
}

const toDate = (instant: number | null) => (instant === null ? null : new Date(instant));

export class SlaTracker {
  private readonly em: EntityManager;
  private readonly now: Date;
  private readonly actorId: string | null;

  private constructor(
    step: Step,
    private readonly ticket: Ticket,
    private readonly organization: Organization,
  ) {
    this.em = step.em;
    this.now = step.now;
    this.actorId = step.actorId;
  }

  /** The ticket's tracker for one step: a mutation's (`stepOf(change)`) or the SLA timer's (actorId null). */
  static async for(step: Step, ticket: Ticket): Promise<SlaTracker> {
    const organization = await step.em.findOneOrFail(Organization, { id: ticket.organization.id });
    return new SlaTracker(step, ticket, organization);
  }

  /** The cycles still running, locked so that the SLA timer and this change do not overlap. */
  private runningCycles(): Promise<SlaCycle[]> {
    return this.em.find(
      SlaCycle,
      { ticket: this.ticket.id, stoppedAt: null },
      { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { startedAt: 'asc' } },
    );
  }

  async start(metric: SlaMetric): Promise<SlaCycle> {
    const target = await targetOf(this.em, this.organization, this.ticket.severity);
    const cycle = this.em.create(SlaCycle, {
      ticket: this.ticket,
      metric,
      startedAt: this.now,
      targetSeconds: target.seconds,
      clock: target.clock,
      state: SlaState.ON_TRACK,
    });
    this.recompute(cycle, null);
    recordEvent(this.em, this.ticket, {
      type: TicketEventType.SLA_CYCLE_STARTED,
      actorId: this.actorId,
      at: this.now,
      data: {
        metric,
        targetSeconds: cycle.targetSeconds,
        clock: cycle.clock,
        dueAt: cycle.dueAt?.toISOString() ?? null,
        state: cycle.state,
      },
    });
    this.syncTicket([cycle]);
    return cycle;
  }

  /** Starts a NEXT_RESPONSE cycle unless one is already running (SPEC §3). */
  async startNextResponseUnlessRunning(): Promise<void> {
    const running = await this.runningCycles();
    if (running.length === 0) await this.start(SlaMetric.NEXT_RESPONSE);
  }

  /** A response, or the ticket resolved or closed: every running cycle stops. */
  async stopRunning(reason: StopReason): Promise<void> {
    const running = await this.runningCycles();
    for (const cycle of running) {
      const previous = cycle.state;
      const openPause = cycle.pauses.find((pause) => pause.to === null);
      if (openPause) openPause.to = this.now.toISOString();
      cycle.pauses = [...cycle.pauses];
      cycle.stoppedAt = this.now;
      if (reason === 'RESPONDED') cycle.respondedAt = this.now;
      this.recompute(cycle, previous);
      recordEvent(this.em, this.ticket, {
        type: TicketEventType.SLA_CYCLE_STOPPED,
        actorId: this.actorId,
        at: this.now,
        data: {
          metric: cycle.metric,
          reason,
          state: cycle.state,
        },
      });
    }
    if (running.length) this.syncTicket(running);
  }

  /** Waiting on the customer: the clock stops running. */
  async pauseRunning(): Promise<void> {
    const running = await this.runningCycles();
    for (const cycle of running.filter((candidate) => !candidate.pauses.some((pause) => pause.to === null))) {
      const previous = cycle.state;
      cycle.pauses = [...cycle.pauses, { from: this.now.toISOString(), to: null }];
      this.recompute(cycle, previous);
    }
    if (running.length) this.syncTicket(running);
  }

  /** Back from waiting on the customer: the clock runs again, the paused time not counted. */
  async resumePaused(): Promise<void> {
    const running = await this.runningCycles();
    for (const cycle of running) {
      const openPause = cycle.pauses.find((pause) => pause.to === null);
      if (!openPause) continue;
      const previous = cycle.state;
      cycle.pauses = cycle.pauses.map((pause) => (pause === openPause ? { ...pause, to: this.now.toISOString() } : pause));
      this.recompute(cycle, previous);
    }
    if (running.length) this.syncTicket(running);
  }

  /** The severity changed: running cycles keep their start and pauses and take the new target. */
  async retargetRunning(): Promise<void> {
    const running = await this.runningCycles();
    const target = await targetOf(this.em, this.organization, this.ticket.severity);
    for (const cycle of running) {
      const previous = cycle.state;
      cycle.targetSeconds = target.seconds;
      cycle.clock = target.clock;
      this.recompute(cycle, previous);
      recordEvent(this.em, this.ticket, {
        type: TicketEventType.SLA_RETARGETED,
        actorId: this.actorId,
        at: this.now,
        data: {
          metric: cycle.metric,
          targetSeconds: cycle.targetSeconds,
          clock: cycle.clock,
          dueAt: cycle.dueAt?.toISOString() ?? null,
        },
      });
    }
    if (running.length) this.syncTicket(running);
  }

  /**
   * Time passed (the SLA timer): steps a running cycle through each transition that fell due by now (AT_RISK, then
   * BREACHED), each recorded and announced at its own moment; returns them, for the notifications they cause.
   */
  passTime(cycle: SlaCycle): SlaTransition[] {
    const calendar = calendarOf(this.organization);
    const facts = factsOf(cycle);
    const transitions: SlaTransition[] = [];
    let at = cycle.nextTransitionAt;
    while (at && at <= this.now) {
      const previous = cycle.state;
      cycle.state = cycleState(calendar, facts, at.getTime());
      const next = nextTransitionAt(calendar, facts, at.getTime());
      if (cycle.state !== previous) {
        recordEvent(this.em, this.ticket, {
          type: TicketEventType.SLA_STATE_CHANGED,
          actorId: null,
          at,
          data: { metric: cycle.metric, from: previous, to: cycle.state },
        });
        transitions.push({ state: cycle.state, at });
      }
      at = next === null || next <= at.getTime() ? null : new Date(next);
    }
    cycle.nextTransitionAt = at;
    return transitions;
  }

  /** Derives due, at-risk, state and next transition from the facts; records and announces a state change. */
  private recompute(cycle: SlaCycle, previous: SlaState | null): void {
    const calendar = calendarOf(this.organization);
    const facts = factsOf(cycle);
    const now = this.now.getTime();
    const times = cycleTimes(calendar, facts);
    cycle.dueAt = toDate(times.dueAt);
    cycle.atRiskAt = toDate(times.atRiskAt);
    cycle.state = cycleState(calendar, facts, now);
    cycle.nextTransitionAt = toDate(nextTransitionAt(calendar, facts, now));
    // The timers of every instance sleep until the earliest transition they know of: this one may be earlier.
    if (cycle.nextTransitionAt) publishAfterCommit(this.em, { topic: 'DUE', payload: { worker: 'SLA_TIMER', at: cycle.nextTransitionAt.toISOString() } });
    if (previous !== null && previous !== cycle.state) {
      recordEvent(this.em, this.ticket, {
        type: TicketEventType.SLA_STATE_CHANGED,
        actorId: this.actorId,
        at: this.now,
        data: {
          metric: cycle.metric,
          from: previous,
          to: cycle.state,
        },
      });
    }
  }

  /** The ticket carries its current cycle's state and due time, for filters, counts and ordering. */
  private syncTicket(touched: SlaCycle[]): void {
    const current = touched[touched.length - 1]!;
    this.ticket.slaState = current.state;
    this.ticket.slaDueAt = current.stoppedAt ? null : (current.dueAt ?? null);
  }
}

/**
 * The running cycles of the tickets `where` selects take the target those tickets have now: after a change to the
 * policy or to an organization's calendar or targets, recomputed from each cycle's start (SPEC §3).
 */
export async function retargetRunningCycles(step: Step, where: FilterQuery<Ticket>): Promise<void> {
  const { em } = step;
  const withRunningCycle = em.createQueryBuilder(SlaCycle, 'c').select('c.ticket').where({ stoppedAt: null });
  const tickets = await em
    .createQueryBuilder(Ticket, 't')
    .where({ $and: [where, { id: { $in: withRunningCycle.getKnexQuery() } }] })
    .getResultList();
  for (const ticket of tickets) await (await SlaTracker.for(step, ticket)).retargetRunning();
}
