// Invariants of business-time arithmetic over random calendars (zones with and without daylight saving, random
// weekly intervals including 24:00 ends, random holidays) and random instants in 2025–2028.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addBusinessTime,
  BusinessCalendarSpec,
  businessHoursAround,
  businessTimeBetween,
  compileCalendar,
  CompiledCalendar,
  nextBusinessInstant,
  Weekday,
} from './business-calendar';

const DAY_MS = 86_400_000;
const NUM_RUNS = 200;
const ZONES = ['America/New_York', 'Europe/Berlin', 'Australia/Sydney', 'Asia/Kolkata', 'America/Sao_Paulo'];
const WEEKDAYS: Weekday[] = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];
const FROM = Date.UTC(2025, 0, 1);
const TO = Date.UTC(2029, 0, 1);
/** The 2025–2028 daylight-saving changes (UTC hours), where boundary bugs live; Kolkata and São Paulo have none. */
const DST_CHANGES: Record<string, number[]> = Object.fromEntries(
  Object.entries({
    'America/New_York': ['2025-03-09T07', '2025-11-02T06', '2026-03-08T07', '2026-11-01T06', '2027-03-14T07', '2027-11-07T06', '2028-03-12T07', '2028-11-05T06'],
    'Europe/Berlin': ['2025-03-30T01', '2025-10-26T01', '2026-03-29T01', '2026-10-25T01', '2027-03-28T01', '2027-10-31T01', '2028-03-26T01', '2028-10-29T01'],
    'Australia/Sydney': ['2025-04-05T16', '2025-10-04T16', '2026-04-04T16', '2026-10-03T16', '2027-04-03T16', '2027-10-02T16', '2028-04-01T16', '2028-09-30T16'],
  }).map(([zone, hours]) => [zone, hours.map((hour) => Date.parse(`${hour}:00:00Z`))]),
);

function hhmm(quarter: number): string {
  const minutes = quarter * 15;
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/**
 * One day's intervals: sorted quarter-hour boundaries paired up, so they never overlap (but may touch). Boundaries
 * favour 01:45–04:00, where the three zones' daylight-saving changes happen.
 */
const boundary = fc.oneof({ arbitrary: fc.integer({ min: 0, max: 96 }), weight: 2 }, { arbitrary: fc.integer({ min: 7, max: 16 }), weight: 1 });
const dayHours = fc
  .array(boundary, { maxLength: 6 })
  .map((points) => {
    const sorted = [...points].sort((a, b) => a - b);
    const intervals: [number, number][] = [];
    for (let i = 0; i + 1 < sorted.length; i += 2) {
      if (sorted[i]! < sorted[i + 1]!) intervals.push([sorted[i]!, sorted[i + 1]!]);
    }
    return intervals;
  });

const isoDate = fc.integer({ min: FROM / DAY_MS, max: TO / DAY_MS }).map((day) => new Date(day * DAY_MS).toISOString().slice(0, 10));

const calendarSpec: fc.Arbitrary<BusinessCalendarSpec> = fc
  .record({
    timezone: fc.constantFrom(...ZONES),
    week: fc.tuple(dayHours, dayHours, dayHours, dayHours, dayHours, dayHours, dayHours),
    holidays: fc.uniqueArray(isoDate, { maxLength: 30 }),
  })
  .map(({ timezone, week, holidays }) => ({
    timezone,
    weeklyHours: week.flatMap((intervals, index) =>
      intervals.map(([start, end]) => ({ day: WEEKDAYS[index]!, start: hhmm(start), end: hhmm(end) })),
    ),
    holidays,
  }))
  .filter((spec) => spec.weeklyHours.length > 0);

/** Any millisecond, a whole minute (to hit interval boundaries), or a moment before a daylight-saving change of the zone. */
function instantIn(timezone: string): fc.Arbitrary<number> {
  const changes = DST_CHANGES[timezone];
  const anywhere = [
    fc.integer({ min: FROM, max: TO - 1 }),
    fc.integer({ min: FROM / 60_000, max: TO / 60_000 - 1 }).map((minute) => minute * 60_000),
  ];
  if (!changes) return fc.oneof(...anywhere);
  const nearChange = fc
    .tuple(fc.constantFrom(...changes), fc.integer({ min: -3 * 24 * 4, max: 24 * 4 }))
    .map(([change, quarters]) => change + quarters * 900_000);
  return fc.oneof(...anywhere, nearChange);
}

interface Scenario {
  calendar: CompiledCalendar;
  t: number;
  /** Business time in an ordinary week of this calendar, to size durations (a sparse calendar has little). */
  weekly: number;
}

const scenario: fc.Arbitrary<Scenario> = calendarSpec.chain((spec) =>
  instantIn(spec.timezone).map((t) => ({
    calendar: compileCalendar(spec),
    t,
    weekly: spec.weeklyHours.reduce((sum, { start, end }) => sum + (minutes(end) - minutes(start)) * 60_000, 0),
  })),
);

function minutes(time: string): number {
  const [hours, mins] = time.split(':').map(Number) as [number, number];
  return hours * 60 + mins;
}

/** A duration from 1 ms to about two weeks of this calendar's business time, from a fraction in [0, 1]. */
function durationOf(weekly: number, fraction: number): number {
  return Math.max(1, Math.floor(fraction * 2 * Math.min(weekly, 7 * DAY_MS)));
}
const fraction = fc.double({ min: 0, max: 1, noNaN: true });

function insideAnInterval(calendar: CompiledCalendar, instantMs: number): boolean {
  const day = Math.floor(instantMs / DAY_MS);
  for (let d = day - 2; d <= day + 2; d += 1) {
    if (calendar.intervalsOn(d).some(([start, end]) => start < instantMs && instantMs <= end)) return true;
  }
  return false;
}

describe('business calendar invariants', () => {
  it('adding business time never lands outside business hours', () => {
    fc.assert(
      fc.property(scenario, fraction, ({ calendar, t, weekly }, f) => {
        const due = addBusinessTime(calendar, t, durationOf(weekly, f));
        expect(insideAnInterval(calendar, due)).toBe(true);
        expect(businessTimeBetween(calendar, due - 1, due)).toBe(1);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('adding A then B is adding A + B', () => {
    // B is positive: adding nothing at the very end of an interval moves to the next business instant, while
    // adding A that exhausts the interval stays on its end (the due time is still on time).
    fc.assert(
      fc.property(scenario, fraction, fraction, ({ calendar, t, weekly }, f1, f2) => {
        const a = f1 === 0 ? 0 : durationOf(weekly, f1 / 2);
        const b = durationOf(weekly, f2 / 2);
        expect(addBusinessTime(calendar, addBusinessTime(calendar, t, a), b)).toBe(addBusinessTime(calendar, t, a + b));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('the business time between an instant and the due instant is the duration added', () => {
    fc.assert(
      fc.property(scenario, fraction, ({ calendar, t, weekly }, f) => {
        const duration = f === 0 ? 0 : durationOf(weekly, f);
        expect(businessTimeBetween(calendar, t, addBusinessTime(calendar, t, duration))).toBe(duration);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('more business time is due strictly later', () => {
    fc.assert(
      fc.property(scenario, fraction, fraction, ({ calendar, t, weekly }, f1, f2) => {
        const [d1, d2] = [durationOf(weekly, f1), durationOf(weekly, f2)].sort((x, y) => x - y) as [number, number];
        fc.pre(d1 < d2);
        expect(addBusinessTime(calendar, t, d1)).toBeLessThan(addBusinessTime(calendar, t, d2));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('adding nothing is the next business instant, where business time runs', () => {
    fc.assert(
      fc.property(scenario, ({ calendar, t }) => {
        const next = nextBusinessInstant(calendar, t);
        expect(next).toBeGreaterThanOrEqual(t);
        expect(addBusinessTime(calendar, t, 0)).toBe(next);
        expect(businessTimeBetween(calendar, next, next + 1)).toBe(1);
        expect(businessTimeBetween(calendar, t, next)).toBe(0);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('business hours are open exactly where business time runs, and stay so until they change', () => {
    fc.assert(
      fc.property(scenario, ({ calendar, t }) => {
        const { open, changesAt } = businessHoursAround(calendar, t);
        expect(open).toBe(businessTimeBetween(calendar, t, t + 1) === 1);
        if (changesAt === null) {
          // Only a run of business hours can outlast the horizon (these calendars all have weekly hours).
          expect(open).toBe(true);
          return;
        }
        expect(changesAt).toBeGreaterThan(t);
        // Open: all business time up to the change, which is a close (a run's end, not a touching interval's).
        // Closed: none, and the change is the next business instant.
        expect(businessTimeBetween(calendar, t, changesAt)).toBe(open ? changesAt - t : 0);
        expect(businessHoursAround(calendar, changesAt).open).toBe(!open);
        if (!open) expect(changesAt).toBe(nextBusinessInstant(calendar, t));
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
