// A target response time as people write it: an ISO-8601 duration such as `PT2H`, `P1D` or `PT20S`. The one rule
// for which durations a target may be, for the policy's severity levels and organizations' contract targets alike.
// Targets are stored as whole seconds (severity_level.target_seconds, sla_cycle.target_seconds and the
// `targetSeconds` of an organization's own targets) and shown back with formatTargetDuration.
import { Duration } from 'luxon';
import { BusinessCalendarSpec, leastBusinessTimeIn } from './business-calendar';

/** The longest target; targets must also be longer than zero. */
export const MAX_TARGET_DAYS = 90;
const MAX_TARGET_SECONDS = MAX_TARGET_DAYS * 24 * 60 * 60;
const MAX_TEXT_LENGTH = 50;

/** A valid target: its length in whole seconds of its clock. */
export interface TargetDuration {
  seconds: number;
}

/** The target that `input` (surrounding blanks ignored) writes, or why it is no target, in words for the user. */
export function parseTargetDuration(input: string): TargetDuration | { error: string } {
  const text = input.trim();
  const duration = text.length <= MAX_TEXT_LENGTH ? Duration.fromISO(text) : null;
  const exact = duration?.isValid ? duration.as('seconds') : NaN;
  const calendarUnits = /[YM]/.test(text.split('T')[0] ?? ''); // months and years vary in length
  const seconds = Math.round(exact);
  const wholeSeconds = Math.abs(exact - seconds) < 1e-6; // shown and counted in whole seconds
  if (!(seconds > 0) || seconds > MAX_TARGET_SECONDS || calendarUnits || !wholeSeconds) {
    return {
      error: `targetResponse must be a positive ISO-8601 duration in days, hours, minutes or whole seconds, at most P${MAX_TARGET_DAYS}D (e.g. PT2H); got '${text.slice(0, 30)}'.`,
    };
  }
  return { seconds };
}

/** A stored target as ISO-8601, in days, hours, minutes and seconds, zero parts left out: 5400 → `PT1H30M`. */
export function formatTargetDuration(seconds: number): string {
  const { days, hours, minutes, seconds: rest } = Duration.fromObject({ seconds }).shiftTo('days', 'hours', 'minutes', 'seconds');
  const date = days ? `${days}D` : '';
  const time = [
    [hours, 'H'],
    [minutes, 'M'],
    [rest, 'S'],
  ]
    .filter(([count]) => count)
    .map(([count, unit]) => `${count}${unit}`)
    .join('');
  return `P${date}${time ? `T${time}` : ''}`;
}

/** How far ahead of its start a due time may lie: every target must be met within this on its calendar. */
export const TARGET_HORIZON_DAYS = 365;

/**
 * The longest business-hours target (seconds) that the calendar meets within TARGET_HORIZON_DAYS wherever a cycle
 * starts from `now` on, holidays included. (A calendar-time target always is: it is at most MAX_TARGET_DAYS.)
 */
export function reachableBusinessSeconds(calendar: BusinessCalendarSpec, now: Date): number {
  // Whole days only: a cycle starting late in a day has its next TARGET_HORIZON_DAYS - 1 days in full.
  return leastBusinessTimeIn(calendar, now.getTime(), TARGET_HORIZON_DAYS - 1) / 1000;
}

/** Seconds of business time in words for a message: `2.5 business hours`. */
export function businessHours(seconds: number): string {
  return `${Math.round((seconds / 3600) * 10) / 10} business hours`;
}
