// Response cycles (SPEC §3): when one is due, when it is at risk, its state at any instant and whether its clock
// counts then. Pure functions of the cycle's facts and `now`; the caller stores the facts and passes the time in.
import { addBusinessTime, businessHoursAround, businessTimeBetween, CompiledCalendar, nextBusinessInstant } from './business-calendar';
import { SlaClock, SlaMetric, SlaState } from './vocabulary';

export interface SlaTargetSpec {
  /** Whole seconds of the clock. */
  seconds: number;
  clock: SlaClock;
}

/** A stretch of time during which the cycle was paused (ticket WAITING_ON_CUSTOMER); `to` null while it lasts. */
export interface Pause {
  from: number;
  to: number | null;
}

/** What is stored of a cycle: facts, not derived times. Instants are epoch milliseconds. */
export interface CycleFacts {
  metric: SlaMetric;
  startedAt: number;
  target: SlaTargetSpec;
  pauses: Pause[];
  /** When the cycle stopped: a response, or the ticket resolved or closed. */
  stoppedAt: number | null;
}

export interface CycleTimes {
  /** When the target is reached; null while paused (it is not known when the clock resumes). */
  dueAt: number | null;
  /** When 75% of the target has elapsed; null while paused. */
  atRiskAt: number | null;
}

export const AT_RISK_FRACTION = 0.75;

function targetMs(target: SlaTargetSpec): number {
  return target.seconds * 1000;
}

/** Time on the target's clock between two instants. */
function clockTime(calendar: CompiledCalendar, clock: SlaClock, from: number, to: number): number {
  if (to <= from) return 0;
  return clock === 'CALENDAR' ? to - from : businessTimeBetween(calendar, from, to);
}

function addClockTime(calendar: CompiledCalendar, clock: SlaClock, from: number, duration: number): number {
  return clock === 'CALENDAR' ? from + duration : addBusinessTime(calendar, from, duration);
}

/**
 * The instant at which `amount` of the target's clock has run, pauses not counting; null when the cycle is paused
 * before reaching it. Pauses are assumed sorted and not overlapping.
 */
function instantAfter(calendar: CompiledCalendar, facts: CycleFacts, amount: number): number | null {
  const { clock } = facts.target;
  let remaining = amount;
  let cursor = facts.startedAt;
  for (const pause of facts.pauses) {
    if (pause.from < cursor) {
      cursor = Math.max(cursor, pause.to ?? Infinity);
      if (cursor === Infinity) return null;
      continue;
    }
    const runBeforePause = clockTime(calendar, clock, cursor, pause.from);
    if (runBeforePause >= remaining) break;
    remaining -= runBeforePause;
    if (pause.to === null) return null;
    cursor = pause.to;
  }
  return addClockTime(calendar, clock, cursor, remaining);
}

export function cycleTimes(calendar: CompiledCalendar, facts: CycleFacts): CycleTimes {
  const target = targetMs(facts.target);
  return {
    dueAt: instantAfter(calendar, facts, target),
    atRiskAt: instantAfter(calendar, facts, Math.round(target * AT_RISK_FRACTION)),
  };
}

/** Time the clock has run by `now` (pauses and, for business hours, off-hours excluded). */
export function elapsed(calendar: CompiledCalendar, facts: CycleFacts, now: number): number {
  const end = Math.min(now, facts.stoppedAt ?? Infinity);
  let total = 0;
  let cursor = facts.startedAt;
  for (const pause of facts.pauses) {
    if (pause.from >= end) break;
    total += clockTime(calendar, facts.target.clock, cursor, pause.from);
    cursor = Math.max(cursor, pause.to ?? Infinity);
    if (cursor >= end) return total;
  }
  return total + clockTime(calendar, facts.target.clock, cursor, end);
}

/** Wall-clock time spent paused by `now`. */
export function pausedTime(facts: CycleFacts, now: number): number {
  const end = Math.min(now, facts.stoppedAt ?? Infinity);
  return facts.pauses.reduce((sum, pause) => sum + Math.max(0, Math.min(pause.to ?? end, end) - pause.from), 0);
}

export function isPaused(facts: CycleFacts, now: number): boolean {
  const last = facts.pauses[facts.pauses.length - 1];
  return facts.stoppedAt === null && last !== undefined && last.from <= now && (last.to === null || last.to > now);
}

/** Whether a cycle's clock counts at an instant, and when that next changes by time alone. */
export interface ClockRunning {
  running: boolean;
  /** The next instant `running` flips without anything happening to the ticket; null when none will. */
  changesAt: number | null;
}

/**
 * Whether the clock counts at `now`: not once stopped, not while paused, and for business hours only inside them.
 * Only a business-hours clock that is neither stopped nor paused changes by time alone (at the close of the current
 * business hours, or the next opening); a stopped or paused one changes only when something happens to the ticket,
 * and a calendar clock runs round the clock. With `remaining`, this is what a live countdown needs.
 */
export function clockRunning(calendar: CompiledCalendar, facts: CycleFacts, now: number): ClockRunning {
  if (facts.stoppedAt !== null || isPaused(facts, now)) return { running: false, changesAt: null };
  if (facts.target.clock === 'CALENDAR') return { running: true, changesAt: null };
  const { open, changesAt } = businessHoursAround(calendar, now);
  return { running: open, changesAt };
}

/**
 * The state at `now`. A cycle stopped by its due time (inclusive) is MET, later is BREACHED, and stays so; a running
 * cycle is BREACHED from its due time, AT_RISK from 75% of the target, PAUSED while paused, ON_TRACK before.
 */
export function cycleState(calendar: CompiledCalendar, facts: CycleFacts, now: number): SlaState {
  if (facts.stoppedAt !== null && facts.stoppedAt <= now) {
    const { dueAt } = cycleTimes(calendar, facts);
    return dueAt !== null && facts.stoppedAt > dueAt ? 'BREACHED' : 'MET';
  }
  const used = elapsed(calendar, facts, now);
  const target = targetMs(facts.target);
  if (used >= target) return 'BREACHED';
  if (isPaused(facts, now)) return 'PAUSED';
  return used >= Math.round(target * AT_RISK_FRACTION) ? 'AT_RISK' : 'ON_TRACK';
}

/** Time left on the target's clock at `now`; negative once overdue. */
export function remaining(calendar: CompiledCalendar, facts: CycleFacts, now: number): number {
  return targetMs(facts.target) - elapsed(calendar, facts, now);
}

/**
 * The next instant at which the state changes by time alone (to AT_RISK or BREACHED), or null when none will:
 * stopped, paused, or already breached. This is what the SLA timer waits for.
 */
export function nextTransitionAt(calendar: CompiledCalendar, facts: CycleFacts, now: number): number | null {
  const state = cycleState(calendar, facts, now);
  if (state !== 'ON_TRACK' && state !== 'AT_RISK') return null;
  const { dueAt, atRiskAt } = cycleTimes(calendar, facts);
  return state === 'ON_TRACK' ? atRiskAt : dueAt;
}

/** What a cycle started at `filedAt` with `target` would look like: when it starts counting, is at risk, is due. */
export function previewCycle(calendar: CompiledCalendar, target: SlaTargetSpec, filedAt: number): { startsAt: number; atRiskAt: number; dueAt: number } {
  const facts: CycleFacts = { metric: 'FIRST_RESPONSE', startedAt: filedAt, target, pauses: [], stoppedAt: null };
  const { dueAt, atRiskAt } = cycleTimes(calendar, facts); // never null: the cycle has no pauses
  const startsAt = target.clock === 'CALENDAR' ? filedAt : nextBusinessInstant(calendar, filedAt);
  return { startsAt, atRiskAt: atRiskAt!, dueAt: dueAt! };
}
