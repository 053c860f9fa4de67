// Validates business calendars and policy overrides in the input shape of SPEC §4.
import { DateTime, IANAZone } from 'luxon';
import { InputCheck } from '../common/input-check';
import { UserErrorCode } from '../common/user-error';
import { Region, REGION_TIME_ZONE } from '../policy/enums';
import { minutesOf } from '../sla/business-calendar';
import { SlaClock } from '../sla/vocabulary';
import { businessHours, parseTargetDuration, reachableBusinessSeconds, TARGET_HORIZON_DAYS } from '../sla/target-duration';
import { PolicyLevel, TargetOverride } from '../sla/targets';
import { BusinessCalendar, BusinessCalendarInput, BusinessHours, SeverityTarget, Weekday } from './calendar';

const TIME = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const MAX_INTERVALS = 50;
const MAX_HOLIDAYS = 500;
/** Less than this a week, and no business-hours target could be met in reasonable time. */
const MIN_WEEKLY_MINUTES = 60;

/** Monday to Friday, 09:00–17:00, in the region's main time zone. */
export function defaultCalendar(region: Region): BusinessCalendar {
  const weekdays = [Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY];
  return {
    timezone: REGION_TIME_ZONE[region],
    weeklyHours: weekdays.map((day) => ({ day, start: '09:00', end: '17:00' })),
    holidays: [],
  };
}

export function checkCalendar(check: InputCheck, input: BusinessCalendarInput): BusinessCalendar {
  const field = (...path: (string | number)[]) => ['calendar', ...path.map(String)];
  const timezone = input.timezone.trim();
  if (timezone.length > 64 || !IANAZone.isValidZone(timezone)) {
    check.add(UserErrorCode.INVALID, field('timezone'), `'${timezone.slice(0, 60)}' is not an IANA time zone; use one like 'America/New_York'.`);
  }
  if (input.weeklyHours.length > MAX_INTERVALS) {
    check.add(UserErrorCode.TOO_LONG, field('weeklyHours'), `At most ${MAX_INTERVALS} intervals of weekly hours.`);
  }
  const weeklyHours: BusinessHours[] = [];
  input.weeklyHours.slice(0, MAX_INTERVALS).forEach((interval, index) => {
    const { day, start, end } = interval;
    if (!TIME.test(start) || start === '24:00') {
      check.add(UserErrorCode.INVALID, field('weeklyHours', index, 'start'), `Start must be HH:MM between 00:00 and 23:59; got '${start.slice(0, 10)}'.`);
      return;
    }
    if (!TIME.test(end)) {
      check.add(UserErrorCode.INVALID, field('weeklyHours', index, 'end'), `End must be HH:MM between 00:01 and 24:00; got '${end.slice(0, 10)}'.`);
      return;
    }
    if (minutesOf(end) <= minutesOf(start)) {
      check.add(UserErrorCode.INVALID, field('weeklyHours', index, 'end'), `End (${end}) must be after start (${start}); use 24:00 for midnight.`);
      return;
    }
    const overlapping = weeklyHours.find(
      (other) => other.day === day && minutesOf(other.start) < minutesOf(end) && minutesOf(start) < minutesOf(other.end),
    );
    if (overlapping) {
      check.add(UserErrorCode.INVALID, field('weeklyHours', index), `${day} ${start}–${end} overlaps ${overlapping.start}–${overlapping.end}; merge them.`);
      return;
    }
    weeklyHours.push({ day, start, end });
  });
  const weeklyMinutes = weeklyHours.reduce((sum, { start, end }) => sum + minutesOf(end) - minutesOf(start), 0);
  if (weeklyHours.length === input.weeklyHours.length && weeklyMinutes < MIN_WEEKLY_MINUTES) {
    check.add(
      UserErrorCode.INVALID,
      field('weeklyHours'),
      `A calendar needs at least one business hour a week (these hours give ${weeklyMinutes} minutes); add intervals such as MONDAY 09:00–17:00.`,
    );
  }
  const holidays = input.holidays ?? [];
  if (holidays.length > MAX_HOLIDAYS) {
    check.add(UserErrorCode.TOO_LONG, field('holidays'), `At most ${MAX_HOLIDAYS} holidays.`);
  }
  holidays.slice(0, MAX_HOLIDAYS).forEach((holiday, index) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(holiday) || !DateTime.fromISO(holiday).isValid) {
      check.add(UserErrorCode.INVALID, field('holidays', index), `Holidays are dates as YYYY-MM-DD; got '${holiday.slice(0, 20)}'.`);
    }
  });
  const dayOrder = Object.values(Weekday);
  weeklyHours.sort((a, b) => dayOrder.indexOf(a.day) - dayOrder.indexOf(b.day) || minutesOf(a.start) - minutesOf(b.start));
  return { timezone, weeklyHours, holidays: [...new Set(holidays)].sort() };
}

/** An organization's own targets as stored: whole seconds, as the policy's levels. */
export function checkPolicy(check: InputCheck, input: SeverityTarget[]): TargetOverride[] {
  const seen = new Set<string>();
  const policy: TargetOverride[] = [];
  input.forEach(({ severity, targetResponse, clock }, index) => {
    const field = ['policy', String(index)];
    if (seen.has(severity)) {
      check.add(UserErrorCode.INVALID, field, `${severity} is given twice; give one target per severity.`);
      return;
    }
    seen.add(severity);
    const target = parseTargetDuration(targetResponse);
    if ('error' in target) {
      check.add(UserErrorCode.INVALID, [...field, 'targetResponse'], target.error);
      return;
    }
    policy.push({ severity, targetSeconds: target.seconds, clock });
  });
  return policy;
}

/** A target in force for an organization, and where its input named it (absent when it comes from the policy). */
export interface TargetInForce {
  severity: string;
  seconds: number;
  clock: SlaClock;
  field?: string[];
}

/**
 * Refuses targets the calendar cannot meet within TARGET_HORIZON_DAYS wherever a cycle starts, holidays included,
 * since no due time could be computed for them. `calendarField` names what to fix when a target is the policy's.
 */
export function checkTargetsReachable(
  check: InputCheck,
  calendar: BusinessCalendar,
  targets: TargetInForce[],
  now: Date,
  calendarField: string[] = ['calendar', 'weeklyHours'],
): void {
  const businessTargets = targets.filter((target) => target.clock === SlaClock.BUSINESS_HOURS);
  if (businessTargets.length === 0) return;
  const reachable = reachableBusinessSeconds(calendar, now);
  for (const target of businessTargets) {
    if (target.seconds <= reachable) continue;
    check.add(
      UserErrorCode.INVALID,
      target.field ?? calendarField,
      `The ${target.severity} target (${businessHours(target.seconds)}) cannot be met within ${TARGET_HORIZON_DAYS} days on this calendar, ` +
        `which gives as little as ${businessHours(reachable)} in ${TARGET_HORIZON_DAYS} days; give more weekly hours or fewer holidays, or a shorter target.`,
    );
  }
}

/** The targets in force: the organization's own, else the policy's levels. */
export function targetsInForce(
  policy: TargetOverride[],
  levels: PolicyLevel[],
  fieldOf: (severity: string) => string[] | undefined = () => undefined,
): TargetInForce[] {
  return levels.map((level) => {
    const own = policy.find((target) => target.severity === level.severity);
    return own
      ? { severity: own.severity, seconds: own.targetSeconds, clock: own.clock, field: fieldOf(own.severity) }
      : { severity: level.severity, seconds: level.targetSeconds, clock: level.clock };
  });
}
