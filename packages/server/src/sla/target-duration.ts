// A target response time as people write it: an ISO-8601 duration such as `PT2H`, `P1D` or `PT20S`. The one rule
// for which durations a target may be, for the policy's severity levels and organizations' contract targets alike.
import { Duration } from 'luxon';
import { BusinessCalendarSpec, leastBusinessTimeIn } from './business-calendar';

/** The longest target; targets must also be longer than zero. */
export const MAX_TARGET_DAYS = 90;
const MAX_TARGET_MINUTES = MAX_TARGET_DAYS * 24 * 60;
const MAX_TEXT_LENGTH = 50;

/** A valid target: the trimmed text and its length in minutes (fractional for seconds, e.g. 1/3 for `PT20S`). */
export interface TargetDuration {
  text: string;
  minutes: number;
}

/** The target that `input` (surrounding blanks ignored) writes, or why it is no target, in words for the user. */
export function parseTargetDuration(input: string): TargetDuration | { error: string } {
  const text = input.trim();
  const duration = text.length <= MAX_TEXT_LENGTH ? Duration.fromISO(text) : null;
  const minutes = duration?.isValid ? duration.as('minutes') : NaN;
  const calendarUnits = /[YM]/.test(text.split('T')[0] ?? ''); // months and years vary in length
  const seconds = minutes * 60;
  const wholeSeconds = Math.abs(seconds - Math.round(seconds)) < 1e-6; // shown and counted in whole seconds
  if (!(minutes > 0) || minutes > MAX_TARGET_MINUTES || calendarUnits || !wholeSeconds) {
    return {
      error: `targetResponse must be a positive ISO-8601 duration in days, hours, minutes or whole seconds, at most P${MAX_TARGET_DAYS}D (e.g. PT2H); got '${text.slice(0, 30)}'.`,
    };
  }
  return { text, minutes };
}

/** The minutes of a target stored after `parseTargetDuration` accepted it. */
export function storedTargetMinutes(text: string): number {
  return Duration.fromISO(text).as('minutes');
}

/** How far ahead of its start a due time may lie: every target must be met within this on its calendar. */
export const TARGET_HORIZON_DAYS = 365;

/**
 * The longest business-hours target (minutes) that the calendar meets within TARGET_HORIZON_DAYS wherever a cycle
 * starts from `now` on, holidays included. (A calendar-time target always is: it is at most MAX_TARGET_DAYS.)
 */
export function reachableBusinessMinutes(calendar: BusinessCalendarSpec, now: Date): number {
  // Whole days only: a cycle starting late in a day has its next TARGET_HORIZON_DAYS - 1 days in full.
  return leastBusinessTimeIn(calendar, now.getTime(), TARGET_HORIZON_DAYS - 1) / 60_000;
}
