// Business calendars: adding business time to an instant, measuring it between two instants and telling whether an
// instant is in business hours, in the calendar's time zone, skipping holidays, correct across daylight-saving
// changes. Pure: no clock, no I/O.
//
// Time is walked a day at a time over each day's business intervals, never minute by minute. A day's intervals
// are turned into instants once (luxon does the zone arithmetic) and remembered, so repeated computations are
// Map look-ups and additions.
import { DateTime, IANAZone } from 'luxon';

export type Weekday = 'MONDAY' | 'TUESDAY' | 'WEDNESDAY' | 'THURSDAY' | 'FRIDAY' | 'SATURDAY' | 'SUNDAY';

export interface BusinessCalendarSpec {
  /** IANA time zone. */
  timezone: string;
  /** `HH:MM` local times; `24:00` as an end means the following midnight. */
  weeklyHours: { day: Weekday; start: string; end: string }[];
  /** `YYYY-MM-DD` local dates without business hours. */
  holidays: string[];
}

const DAY_MS = 86_400_000;
/** How far ahead a computation may look before deciding the calendar has no business hours left. */
const MAX_DAYS_SCANNED = 3 * 366;
const MAX_CACHED_DAYS = 20_000;
const WEEKDAYS: Weekday[] = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];

/** One business interval as instants (epoch milliseconds), end exclusive. */
type Interval = readonly [start: number, end: number];

export class NoBusinessHoursError extends Error {
  constructor(timezone: string) {
    super(`The business calendar (${timezone}) has no business hours within ${MAX_DAYS_SCANNED} days.`);
  }
}

/** Minutes since local midnight of an `HH:MM` time; `24:00` is 1440. */
export function minutesOf(time: string): number {
  const [hours, minutes] = time.split(':').map(Number) as [number, number];
  return hours * 60 + minutes;
}

/** Days since 1970-01-01 of a `YYYY-MM-DD` date (a "day number"; local dates, no zone involved). */
function dayNumberOf(isoDate: string): number {
  const [year, month, day] = isoDate.split('-').map(Number) as [number, number, number];
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

/** A calendar prepared for fast arithmetic. Build one with `compileCalendar`. */
export class CompiledCalendar {
  private readonly zone: IANAZone;
  /** Index 0 = Monday: each weekday's intervals as [startMinute, endMinute] local minutes. */
  private readonly weekly: [number, number][][];
  private readonly holidays: Set<number>;
  private readonly days = new Map<number, Interval[]>();
  readonly hasHours: boolean;

  constructor(readonly spec: BusinessCalendarSpec) {
    this.zone = IANAZone.create(spec.timezone);
    if (!this.zone.isValid) throw new Error(`'${spec.timezone}' is not an IANA time zone.`);
    this.weekly = WEEKDAYS.map((day) =>
      spec.weeklyHours
        .filter((hours) => hours.day === day)
        .map((hours): [number, number] => [minutesOf(hours.start), minutesOf(hours.end)])
        .filter(([start, end]) => end > start)
        .sort((a, b) => a[0] - b[0]),
    );
    this.holidays = new Set(spec.holidays.map(dayNumberOf));
    this.hasHours = this.weekly.some((intervals) => intervals.length > 0);
  }

  /** The business intervals of local day `dayNumber`, as instants. */
  intervalsOn(dayNumber: number): Interval[] {
    let intervals = this.days.get(dayNumber);
    if (intervals) return intervals;
    intervals = [];
    if (!this.holidays.has(dayNumber)) {
      // 1970-01-01 was a Thursday (index 3 with Monday as 0).
      const weekday = (((dayNumber + 3) % 7) + 7) % 7;
      const date = new Date(dayNumber * DAY_MS);
      const local = { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
      for (const [startMinute, endMinute] of this.weekly[weekday]!) {
        const start = this.instant(local, startMinute);
        const end = this.instant(local, endMinute);
        if (end > start) intervals.push([start, end]);
      }
    }
    if (this.days.size >= MAX_CACHED_DAYS) this.days.clear();
    this.days.set(dayNumber, intervals);
    return intervals;
  }

  /** The instant of a local wall time; minute 1440 is the next midnight. Nonexistent times (DST gaps) are the gap's end. */
  private instant(local: { year: number; month: number; day: number }, minute: number): number {
    if (minute === 1440) {
      const next = new Date(Date.UTC(local.year, local.month - 1, local.day + 1));
      return this.instant({ year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() }, 0);
    }
    const [hour, minuteOfHour] = [Math.floor(minute / 60), minute % 60];
    const time = DateTime.fromObject({ ...local, hour, minute: minuteOfHour }, { zone: this.zone });
    if (time.hour === hour && time.minute === minuteOfHour) return time.toMillis();
    // The wall time lies in a daylight-saving gap (02:30 on a spring-forward day). luxon moves it forward by the gap's
    // length (to 03:30), past wall times that do exist (03:00), which would make a day's intervals overlap and count
    // time twice. Business hours there start (or end) when the gap ends: the first instant with the new offset.
    let [before, after] = [time.toMillis() - DAY_MS, time.toMillis()];
    while (after - before > 1) {
      const middle = Math.floor((before + after) / 2);
      if (this.zone.offset(middle) === time.offset) after = middle;
      else before = middle;
    }
    return after;
  }

  /** The first local day whose intervals could contain `instant` (zone offsets stay within ±14 hours). */
  static firstDayAround(instant: number): number {
    return Math.floor(instant / DAY_MS) - 1;
  }
}

const compiled = new Map<string, CompiledCalendar>();

/** A compiled calendar for the spec, shared by every computation on an equal spec. */
export function compileCalendar(spec: BusinessCalendarSpec): CompiledCalendar {
  const key = JSON.stringify([spec.timezone, spec.weeklyHours, spec.holidays]);
  let calendar = compiled.get(key);
  if (!calendar) {
    if (compiled.size >= 1000) compiled.clear();
    calendar = new CompiledCalendar(spec);
    compiled.set(key, calendar);
  }
  return calendar;
}

/** The instant at which `durationMs` of business time has passed since `from`. */
export function addBusinessTime(calendar: CompiledCalendar, from: number, durationMs: number): number {
  if (!calendar.hasHours) throw new NoBusinessHoursError(calendar.spec.timezone);
  let remaining = durationMs;
  const firstDay = CompiledCalendar.firstDayAround(from);
  for (let day = firstDay; day < firstDay + MAX_DAYS_SCANNED; day += 1) {
    for (const [start, end] of calendar.intervalsOn(day)) {
      if (end <= from) continue;
      const begin = Math.max(start, from);
      const available = end - begin;
      if (remaining <= available) return begin + remaining; // may land on the interval's end: still on time
      remaining -= available;
    }
  }
  throw new NoBusinessHoursError(calendar.spec.timezone);
}

/** How much business time lies between two instants (0 when `to` is not after `from`). */
export function businessTimeBetween(calendar: CompiledCalendar, from: number, to: number): number {
  if (to <= from) return 0;
  let total = 0;
  const firstDay = CompiledCalendar.firstDayAround(from);
  const lastDay = Math.floor(to / DAY_MS) + 1;
  for (let day = firstDay; day <= lastDay; day += 1) {
    for (const [start, end] of calendar.intervalsOn(day)) {
      const begin = Math.max(start, from);
      const finish = Math.min(end, to);
      if (finish > begin) total += finish - begin;
    }
  }
  return total;
}

/** The first business instant at or after `instant` (where a business-hours clock starts counting). */
export function nextBusinessInstant(calendar: CompiledCalendar, instant: number): number {
  if (!calendar.hasHours) throw new NoBusinessHoursError(calendar.spec.timezone);
  const firstDay = CompiledCalendar.firstDayAround(instant);
  for (let day = firstDay; day < firstDay + MAX_DAYS_SCANNED; day += 1) {
    for (const [start, end] of calendar.intervalsOn(day)) {
      if (end > instant) return Math.max(start, instant);
    }
  }
  throw new NoBusinessHoursError(calendar.spec.timezone);
}

/** Whether business hours are open at an instant, and when that next changes. */
export interface BusinessHoursAround {
  open: boolean;
  /**
   * Open: the end of the run of business hours the instant is in, touching intervals merged (09:00–12:00 and
   * 12:00–17:00 end at 17:00, Monday 16:00–24:00 and Tuesday 00:00–02:00 end on Tuesday at 02:00). Closed: the next
   * business instant. Null when it does not change within the scanned horizon (a round-the-clock calendar).
   */
  changesAt: number | null;
}

/** Whether `instant` is business time (intervals are end-exclusive: 17:00 is closed), and until when. */
export function businessHoursAround(calendar: CompiledCalendar, instant: number): BusinessHoursAround {
  if (!calendar.hasHours) return { open: false, changesAt: null };
  let runEnd: number | null = null;
  const firstDay = CompiledCalendar.firstDayAround(instant);
  for (let day = firstDay; day < firstDay + MAX_DAYS_SCANNED; day += 1) {
    for (const [start, end] of calendar.intervalsOn(day)) {
      if (runEnd === null) {
        if (end <= instant) continue;
        if (start > instant) return { open: false, changesAt: start };
        runEnd = end;
      } else {
        // An interval starting where the run ends continues it: the clock does not stop for 0 ms.
        if (start > runEnd) return { open: true, changesAt: runEnd };
        runEnd = Math.max(runEnd, end);
      }
    }
  }
  return { open: runEnd !== null, changesAt: null };
}

/**
 * The least business time (milliseconds) that any `days` consecutive local days contain, from the local day of `from`
 * on: what a business-hours target can count on wherever it starts. Days count their wall-clock hours (a
 * daylight-saving day's hour more or less does not matter at this scale). Past the last holiday the windows only
 * repeat the week, so the search stops a week after it; integer sums only, so far-off holidays stay cheap.
 */
export function leastBusinessTimeIn(spec: BusinessCalendarSpec, from: number, days: number): number {
  const weekly = WEEKDAYS.map((day) =>
    spec.weeklyHours.filter((hours) => hours.day === day).reduce((sum, hours) => sum + Math.max(0, minutesOf(hours.end) - minutesOf(hours.start)), 0),
  );
  const firstDay = dayNumberOf(DateTime.fromMillis(from, { zone: spec.timezone }).toISODate() ?? new Date(from).toISOString().slice(0, 10));
  const holidays = new Set(spec.holidays.map(dayNumberOf).filter((day) => day >= firstDay));
  const lastStart = Math.max(firstDay, ...holidays) + 7;
  const minutesOn = (day: number) => (holidays.has(day) ? 0 : weekly[(((day + 3) % 7) + 7) % 7]!);
  let window = 0;
  for (let day = firstDay; day < firstDay + days; day += 1) window += minutesOn(day);
  let least = window;
  for (let start = firstDay + 1; start <= lastStart; start += 1) {
    window += minutesOn(start + days - 1) - minutesOn(start - 1);
    least = Math.min(least, window);
  }
  return least * 60_000;
}
