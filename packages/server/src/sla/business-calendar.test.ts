// Hand-computed business-time arithmetic: every expected instant is worked out from the local wall clock in the
// comment on its row (offsets: New York EST -05 / EDT -04, Berlin CET +01 / CEST +02, Sydney AEST +10 / AEDT +11).
import { describe, expect, it } from 'vitest';
import {
  addBusinessTime,
  BusinessCalendarSpec,
  businessHoursAround,
  businessTimeBetween,
  compileCalendar,
  CompiledCalendar,
  nextBusinessInstant,
  NoBusinessHoursError,
  Weekday,
} from './business-calendar';

const WEEKDAYS: Weekday[] = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'];
const EVERY_DAY: Weekday[] = [...WEEKDAYS, 'SATURDAY', 'SUNDAY'];

function calendar(
  timezone: string,
  hours: [start: string, end: string][],
  options: { days?: Weekday[]; extra?: BusinessCalendarSpec['weeklyHours']; holidays?: string[] } = {},
): CompiledCalendar {
  const days = options.days ?? WEEKDAYS;
  const weeklyHours = days.flatMap((day) => hours.map(([start, end]) => ({ day, start, end })));
  return compileCalendar({ timezone, weeklyHours: [...weeklyHours, ...(options.extra ?? [])], holidays: options.holidays ?? [] });
}

const newYork = calendar('America/New_York', [['09:00', '17:00']]);
const berlin = calendar('Europe/Berlin', [['09:00', '17:00']]);
const sydney = calendar('Australia/Sydney', [['09:00', '17:00']]);
const newYorkHolidays = calendar('America/New_York', [['09:00', '17:00']], {
  holidays: ['2026-11-26', '2026-12-25', '2027-01-01'],
});
const berlinLunch = calendar('Europe/Berlin', [
  ['09:00', '12:00'],
  ['13:00', '17:00'],
]);
const newYorkEvenings = calendar('America/New_York', [['16:00', '24:00']]);
const newYork24x7 = calendar('America/New_York', [['00:00', '24:00']], { days: EVERY_DAY });
const berlin24x7 = calendar('Europe/Berlin', [['00:00', '24:00']], { days: EVERY_DAY });
const sydney24x7 = calendar('Australia/Sydney', [['00:00', '24:00']], { days: EVERY_DAY });
/** Weekdays 9–17 plus a Sunday night shift 00:00–06:00, which covers the 02:00 daylight-saving change. */
const newYorkSundayNights = calendar('America/New_York', [['09:00', '17:00']], {
  extra: [{ day: 'SUNDAY', start: '00:00', end: '06:00' }],
});
/** Sundays only, with a boundary (02:30) inside the spring-forward gap (02:00–03:00 does not exist on 2026-03-08). */
const newYorkSundayGap = calendar(
  'America/New_York',
  [
    ['01:00', '02:30'],
    ['03:00', '05:00'],
  ],
  { days: ['SUNDAY'] },
);
/** Sundays 02:30–04:00: on the spring-forward Sunday 02:30 does not exist and the hours start at 03:00. */
const berlinSundayGap = calendar('Europe/Berlin', [['02:30', '04:00']], { days: ['SUNDAY'] });
const sydneySundayGap = calendar('Australia/Sydney', [['02:30', '04:00']], { days: ['SUNDAY'] });
/** Weekdays 09:00–12:00 and 12:00–17:00: two intervals that touch, one run of business hours. */
const newYorkSplitDay = calendar('America/New_York', [
  ['09:00', '12:00'],
  ['12:00', '17:00'],
]);
/** A Monday night shift 16:00–24:00 that goes on until Tuesday 02:00. */
const newYorkNightShift = calendar('America/New_York', [['16:00', '24:00']], {
  days: ['MONDAY'],
  extra: [{ day: 'TUESDAY', start: '00:00', end: '02:00' }],
});
const newYork24x7Christmas = calendar('America/New_York', [['00:00', '24:00']], { days: EVERY_DAY, holidays: ['2026-12-25'] });

/** `8h`, `1h30m`, `90m`, `0m`, `1ms`. */
function duration(text: string): number {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)ms)?$/.exec(text);
  if (!match || text === '') throw new Error(`Bad duration '${text}'.`);
  const [, hours = '0', minutes = '0', millis = '0'] = match;
  return Number(hours) * 3_600_000 + Number(minutes) * 60_000 + Number(millis);
}

/** ISO UTC, without milliseconds when there are none. */
function iso(instant: number): string {
  return new Date(instant).toISOString().replace('.000Z', 'Z');
}

interface AddRow {
  name: string;
  calendar: CompiledCalendar;
  /** Local time with its offset, so the row reads as the ticket's filing time. */
  from: string;
  duration: string;
  expected: string;
}

describe('addBusinessTime', () => {
  it.each<AddRow>([
    // --- New York, US daylight saving 2026-03-08 (02:00 EST → 03:00 EDT) and 2026-11-01 (02:00 EDT → 01:00 EST)
    {
      // Fri 16:00–17:00 EST is 1h; the other 1h from Mon 09:00, now EDT: 10:00 EDT = 14:00Z (not 15:00Z).
      name: 'New York: Friday to Monday across the spring-forward weekend',
      calendar: newYork,
      from: '2026-03-06T16:00:00-05:00',
      duration: '2h',
      expected: '2026-03-09T14:00:00Z',
    },
    {
      // Fri 16:00–17:00 EDT is 1h; Mon 09:00 EST + 1h = 10:00 EST = 15:00Z (not 14:00Z).
      name: 'New York: Friday to Monday across the fall-back weekend',
      calendar: newYork,
      from: '2026-10-30T16:00:00-04:00',
      duration: '2h',
      expected: '2026-11-02T15:00:00Z',
    },
    {
      // Sat 23:00 EST = 04:00Z; 4 real hours later is 08:00Z = Sun 04:00 EDT: the wall clock moved 5h.
      name: 'New York 24x7: real hours on the spring-forward Sunday',
      calendar: newYork24x7,
      from: '2026-03-07T23:00:00-05:00',
      duration: '4h',
      expected: '2026-03-08T08:00:00Z',
    },
    {
      // Sat 23:00 EDT = 03:00Z; 4 real hours later is 07:00Z = Sun 02:00 EST: the wall clock moved 3h.
      name: 'New York 24x7: real hours on the fall-back Sunday',
      calendar: newYork24x7,
      from: '2026-10-31T23:00:00-04:00',
      duration: '4h',
      expected: '2026-11-01T07:00:00Z',
    },
    {
      // Sat 12:00 EST + 24h of 24x7 = Sun 17:00Z, which reads 13:00 EDT.
      name: 'New York 24x7: a day of business time over the spring-forward Sunday',
      calendar: newYork24x7,
      from: '2026-03-07T12:00:00-05:00',
      duration: '24h',
      expected: '2026-03-08T17:00:00Z',
    },
    {
      // Sat 12:00 EDT + 24h = Sun 16:00Z, which reads 11:00 EST.
      name: 'New York 24x7: a day of business time over the fall-back Sunday',
      calendar: newYork24x7,
      from: '2026-10-31T12:00:00-04:00',
      duration: '24h',
      expected: '2026-11-01T16:00:00Z',
    },
    {
      // Sunday 00:00 EST (05:00Z) – 06:00 EDT (10:00Z) is only 5 real hours, used up exactly: lands on its end.
      name: 'New York Sunday shift: the 5-hour spring-forward shift exhausted lands on its end',
      calendar: newYorkSundayNights,
      from: '2026-03-07T12:00:00-05:00',
      duration: '5h',
      expected: '2026-03-08T10:00:00Z',
    },
    {
      // The 5h Sunday shift, then 30m from Mon 09:00 EDT (13:00Z).
      name: 'New York Sunday shift: past the short spring-forward shift into Monday',
      calendar: newYorkSundayNights,
      from: '2026-03-07T12:00:00-05:00',
      duration: '5h30m',
      expected: '2026-03-09T13:30:00Z',
    },
    {
      // Sunday 00:00 EDT (04:00Z) – 06:00 EST (11:00Z) is 7 real hours; 6h in is 10:00Z = 05:00 EST.
      name: 'New York Sunday shift: the 7-hour fall-back shift',
      calendar: newYorkSundayNights,
      from: '2026-10-31T12:00:00-04:00',
      duration: '6h',
      expected: '2026-11-01T10:00:00Z',
    },
    {
      // The 7h Sunday shift, then 30m from Mon 09:00 EST (14:00Z).
      name: 'New York Sunday shift: past the long fall-back shift into Monday',
      calendar: newYorkSundayNights,
      from: '2026-10-31T12:00:00-04:00',
      duration: '7h30m',
      expected: '2026-11-02T14:30:00Z',
    },
    {
      // An ordinary Sunday: 00:00–06:00 EST = 05:00Z–11:00Z, 6h; 5h in is 10:00Z.
      name: 'New York Sunday shift: an ordinary Sunday has 6 hours',
      calendar: newYorkSundayNights,
      from: '2026-01-17T12:00:00-05:00',
      duration: '5h',
      expected: '2026-01-18T10:00:00Z',
    },
    {
      // 01:00–02:30 on 2026-03-08 really is 01:00–02:00 EST (06:00Z–07:00Z), the clock then jumps to 03:00 EDT;
      // 03:00–05:00 EDT = 07:00Z–09:00Z. 1h exhausts the first interval at 07:00Z.
      name: 'boundary inside the spring-forward gap: the interval ends when the gap ends',
      calendar: newYorkSundayGap,
      from: '2026-03-07T12:00:00-05:00',
      duration: '1h',
      expected: '2026-03-08T07:00:00Z',
    },
    {
      // 1h in the first interval, 1h from 07:00Z in the second: 08:00Z = 04:00 EDT.
      name: 'boundary inside the spring-forward gap: time is not counted twice',
      calendar: newYorkSundayGap,
      from: '2026-03-07T12:00:00-05:00',
      duration: '2h',
      expected: '2026-03-08T08:00:00Z',
    },
    {
      // 1h + 2h is the whole Sunday; lands on 05:00 EDT = 09:00Z.
      name: 'boundary inside the spring-forward gap: the whole day is 3 hours',
      calendar: newYorkSundayGap,
      from: '2026-03-07T12:00:00-05:00',
      duration: '3h',
      expected: '2026-03-08T09:00:00Z',
    },

    // --- Berlin, EU daylight saving 2026-03-29 (02:00 CET → 03:00 CEST) and 2026-10-25 (03:00 CEST → 02:00 CET)
    {
      // Fri 16:00–17:00 CET is 1h; Mon 09:00 CEST + 1h = 10:00 CEST = 08:00Z.
      name: 'Berlin: Friday to Monday across the spring-forward weekend',
      calendar: berlin,
      from: '2026-03-27T16:00:00+01:00',
      duration: '2h',
      expected: '2026-03-30T08:00:00Z',
    },
    {
      // Fri 16:00–17:00 CEST is 1h; Mon 09:00 CET + 1h = 10:00 CET = 09:00Z.
      name: 'Berlin: Friday to Monday across the fall-back weekend',
      calendar: berlin,
      from: '2026-10-23T16:00:00+02:00',
      duration: '2h',
      expected: '2026-10-26T09:00:00Z',
    },
    {
      // Sun 00:00 CET = Sat 23:00Z; 3 real hours later is 02:00Z = 04:00 CEST (4h on the wall clock).
      name: 'Berlin 24x7: real hours on the spring-forward Sunday',
      calendar: berlin24x7,
      from: '2026-03-29T00:00:00+01:00',
      duration: '3h',
      expected: '2026-03-29T02:00:00Z',
    },
    {
      // Sun 00:00 CEST = Sat 22:00Z; 3 real hours later is 01:00Z = the second 02:00 (CET), 2h on the wall clock.
      name: 'Berlin 24x7: real hours on the fall-back Sunday',
      calendar: berlin24x7,
      from: '2026-10-25T00:00:00+02:00',
      duration: '3h',
      expected: '2026-10-25T01:00:00Z',
    },

    // --- Sydney (southern hemisphere): DST ends 2026-04-05 (03:00 AEDT → 02:00 AEST), starts 2026-10-04 (02:00 → 03:00)
    {
      // Fri 16:00–17:00 AEDT is 1h; Mon 09:00 AEST (Sun 23:00Z) + 1h = 10:00 AEST = Mon 00:00Z.
      name: 'Sydney: Friday to Monday across the April weekend when daylight saving ends',
      calendar: sydney,
      from: '2026-04-03T16:00:00+11:00',
      duration: '2h',
      expected: '2026-04-06T00:00:00Z',
    },
    {
      // Fri 16:00–17:00 AEST is 1h; Mon 09:00 AEDT (Sun 22:00Z) + 1h = 10:00 AEDT = Sun 23:00Z.
      name: 'Sydney: Friday to Monday across the October weekend when daylight saving starts',
      calendar: sydney,
      from: '2026-10-02T16:00:00+10:00',
      duration: '2h',
      expected: '2026-10-04T23:00:00Z',
    },
    {
      // Sun 00:00 AEDT = Sat 13:00Z; 4 real hours later is 17:00Z = 03:00 AEST (3h on the wall clock).
      name: 'Sydney 24x7: real hours on the Sunday daylight saving ends',
      calendar: sydney24x7,
      from: '2026-04-05T00:00:00+11:00',
      duration: '4h',
      expected: '2026-04-04T17:00:00Z',
    },
    {
      // Sun 00:00 AEST = Sat 14:00Z; 4 real hours later is 18:00Z = 05:00 AEDT (5h on the wall clock).
      name: 'Sydney 24x7: real hours on the Sunday daylight saving starts',
      calendar: sydney24x7,
      from: '2026-10-04T00:00:00+10:00',
      duration: '4h',
      expected: '2026-10-03T18:00:00Z',
    },
    {
      // Mon 20:00 AEST: counting starts Tue 09:00 AEST; + 4h = 13:00 AEST = 03:00Z.
      name: 'Sydney: filed at night, counted from the next morning',
      calendar: sydney,
      from: '2026-07-13T20:00:00+10:00',
      duration: '4h',
      expected: '2026-07-14T03:00:00Z',
    },

    // --- Out-of-hours filing, boundaries, zero
    {
      // Tue 03:00 EST: counting starts 09:00; + 2h = 11:00 EST = 16:00Z.
      name: 'filed at night before opening',
      calendar: newYork,
      from: '2026-01-13T03:00:00-05:00',
      duration: '2h',
      expected: '2026-01-13T16:00:00Z',
    },
    {
      // Tue 22:00 EST: counting starts Wed 09:00; + 4h = 13:00 EST = 18:00Z.
      name: 'filed at night after closing',
      calendar: newYork,
      from: '2026-01-13T22:00:00-05:00',
      duration: '4h',
      expected: '2026-01-14T18:00:00Z',
    },
    {
      // Sat: counting starts Mon 09:00 EST; 8h exhausts Monday exactly: Mon 17:00 EST = 22:00Z, not Tue 09:00.
      name: 'filed on Saturday, a full business day lands on Monday 17:00',
      calendar: newYork,
      from: '2026-01-17T10:00:00-05:00',
      duration: '8h',
      expected: '2026-01-19T22:00:00Z',
    },
    {
      // Sat 11:00 CEST: counting starts Mon 09:00 CEST; + 30m = 09:30 CEST = 07:30Z.
      name: 'Berlin: filed on Saturday in summer',
      calendar: berlin,
      from: '2026-07-18T11:00:00+02:00',
      duration: '30m',
      expected: '2026-07-20T07:30:00Z',
    },
    {
      // Fri 2026-12-25 is a holiday: counting starts Mon 28 09:00 EST; + 1h = 10:00 EST = 15:00Z.
      name: 'filed on Christmas Day (a holiday)',
      calendar: newYorkHolidays,
      from: '2026-12-25T10:00:00-05:00',
      duration: '1h',
      expected: '2026-12-28T15:00:00Z',
    },
    {
      // Thu 24 16:00–17:00 is 1h, Fri 25 holiday, weekend, Mon 28 09:00 + 1h = 10:00 EST = 15:00Z.
      name: 'the day before Christmas skips the holiday and the weekend',
      calendar: newYorkHolidays,
      from: '2026-12-24T16:00:00-05:00',
      duration: '2h',
      expected: '2026-12-28T15:00:00Z',
    },
    {
      // Same without holidays: Thu 1h, Fri 25 09:00 + 1h = 10:00 EST = 15:00Z.
      name: 'the day before Christmas without holidays',
      calendar: newYork,
      from: '2026-12-24T16:00:00-05:00',
      duration: '2h',
      expected: '2026-12-25T15:00:00Z',
    },
    {
      // Wed 25 16:00–17:00 is 1h, Thu 26 (Thanksgiving) skipped, Fri 27 8h exhausted: 17:00 EST = 22:00Z.
      name: 'a mid-week holiday is skipped',
      calendar: newYorkHolidays,
      from: '2026-11-25T16:00:00-05:00',
      duration: '9h',
      expected: '2026-11-27T22:00:00Z',
    },
    {
      // Thu 31 16:00–17:00 is 1h, Fri 2027-01-01 holiday, weekend, Mon 4 09:00 + 1h = 10:00 EST = 15:00Z.
      name: "a New Year's Day holiday across the year end",
      calendar: newYorkHolidays,
      from: '2026-12-31T16:00:00-05:00',
      duration: '2h',
      expected: '2027-01-04T15:00:00Z',
    },
    {
      // 17:00 is outside (intervals are end-exclusive): counting starts Tue 09:00; + 1h = 10:00 EST = 15:00Z.
      name: 'filed right at 17:00 counts from the next morning',
      calendar: newYork,
      from: '2026-01-12T17:00:00-05:00',
      duration: '1h',
      expected: '2026-01-13T15:00:00Z',
    },
    {
      // Fri 17:00 EST: counting starts Mon 09:00; + 1m = 09:01 EST = 14:01Z.
      name: 'filed right at Friday 17:00 counts from Monday',
      calendar: newYork,
      from: '2026-01-16T17:00:00-05:00',
      duration: '1m',
      expected: '2026-01-19T14:01:00Z',
    },
    {
      // Mon 09:00 EST + 1h = 10:00 EST = 15:00Z.
      name: 'filed right at 09:00 counts at once',
      calendar: newYork,
      from: '2026-01-12T09:00:00-05:00',
      duration: '1h',
      expected: '2026-01-12T15:00:00Z',
    },
    {
      // Mon 09:00 + 8h = Mon 17:00 EST = 22:00Z: the end of the interval, not Tue 09:00.
      name: 'a duration that exactly exhausts the day lands on 17:00',
      calendar: newYork,
      from: '2026-01-12T09:00:00-05:00',
      duration: '8h',
      expected: '2026-01-12T22:00:00Z',
    },
    {
      // Mon 09:00 + 8h + 1ms: Tue 09:00:00.001 EST.
      name: 'one millisecond more than a day moves to the next morning',
      calendar: newYork,
      from: '2026-01-12T09:00:00-05:00',
      duration: '8h0m1ms',
      expected: '2026-01-13T14:00:00.001Z',
    },
    {
      // Mon 09:00 + 40h is the whole week: Fri 17:00 EST = 22:00Z.
      name: 'a whole business week',
      calendar: newYork,
      from: '2026-01-12T09:00:00-05:00',
      duration: '40h',
      expected: '2026-01-16T22:00:00Z',
    },
    {
      name: 'zero duration inside business hours is the same instant',
      calendar: newYork,
      from: '2026-01-12T10:15:00-05:00',
      duration: '0m',
      expected: '2026-01-12T15:15:00Z',
    },
    {
      name: 'zero duration at 09:00 is 09:00',
      calendar: newYork,
      from: '2026-01-12T09:00:00-05:00',
      duration: '0m',
      expected: '2026-01-12T14:00:00Z',
    },
    {
      // Counting starts at the next business instant, even for nothing to count: Mon 09:00 EST = 14:00Z.
      name: 'zero duration on Saturday is the next business instant',
      calendar: newYork,
      from: '2026-01-17T10:00:00-05:00',
      duration: '0m',
      expected: '2026-01-19T14:00:00Z',
    },
    {
      // 17:00 is not business time; the next business instant is Tue 09:00 EST = 14:00Z.
      name: 'zero duration at 17:00 is the next morning',
      calendar: newYork,
      from: '2026-01-12T17:00:00-05:00',
      duration: '0m',
      expected: '2026-01-13T14:00:00Z',
    },

    // --- Lunch break (Berlin 09:00–12:00, 13:00–17:00)
    {
      // Mon 11:00–12:00 CET is 1h, lunch, 13:00 + 1h = 14:00 CET = 13:00Z.
      name: 'lunch break: crossing lunch',
      calendar: berlinLunch,
      from: '2026-01-12T11:00:00+01:00',
      duration: '2h',
      expected: '2026-01-12T13:00:00Z',
    },
    {
      // Mon 11:00 + 1h exhausts the morning: lands on 12:00 CET = 11:00Z, not 13:00.
      name: 'lunch break: exhausting the morning lands on 12:00',
      calendar: berlinLunch,
      from: '2026-01-12T11:00:00+01:00',
      duration: '1h',
      expected: '2026-01-12T11:00:00Z',
    },
    {
      // Filed 12:30 CET during lunch: counting starts 13:00; + 30m = 13:30 CET = 12:30Z.
      name: 'lunch break: filed during lunch counts from 13:00',
      calendar: berlinLunch,
      from: '2026-01-12T12:30:00+01:00',
      duration: '30m',
      expected: '2026-01-12T12:30:00Z',
    },
    {
      // Mon 16:00–17:00 is 1h, Tue 09:00–12:00 is 3h: Tue 12:00 CET = 11:00Z.
      name: 'lunch break: overnight, ending at the start of lunch',
      calendar: berlinLunch,
      from: '2026-01-12T16:00:00+01:00',
      duration: '4h',
      expected: '2026-01-13T11:00:00Z',
    },
    {
      // The day is 3h + 4h = 7h: Mon 09:00 + 7h = 17:00 CET = 16:00Z.
      name: 'lunch break: a business day is 7 hours',
      calendar: berlinLunch,
      from: '2026-01-12T09:00:00+01:00',
      duration: '7h',
      expected: '2026-01-12T16:00:00Z',
    },
    {
      // Wed 10:00–12:00 CEST is 2h, 13:00 + 1h = 14:00 CEST = 12:00Z.
      name: 'lunch break: crossing lunch in summer time',
      calendar: berlinLunch,
      from: '2026-07-15T10:00:00+02:00',
      duration: '3h',
      expected: '2026-07-15T12:00:00Z',
    },

    // --- 24:00 ends (New York 16:00–24:00 on weekdays)
    {
      // Mon 20:00 EST + 4h exhausts the evening: Mon 24:00 = Tue 00:00 EST = 05:00Z.
      name: '24:00 end: exhausting the evening lands on midnight',
      calendar: newYorkEvenings,
      from: '2026-01-12T20:00:00-05:00',
      duration: '4h',
      expected: '2026-01-13T05:00:00Z',
    },
    {
      // Mon 20:00–24:00 is 4h; Tue 16:00 + 1h = 17:00 EST = 22:00Z.
      name: '24:00 end: past midnight into the next evening',
      calendar: newYorkEvenings,
      from: '2026-01-12T20:00:00-05:00',
      duration: '5h',
      expected: '2026-01-13T22:00:00Z',
    },
    {
      // Fri 22:00–24:00 is 2h; Mon 16:00 + 1h = 17:00 EST = 22:00Z.
      name: '24:00 end: Friday night to Monday evening',
      calendar: newYorkEvenings,
      from: '2026-01-16T22:00:00-05:00',
      duration: '3h',
      expected: '2026-01-19T22:00:00Z',
    },
    {
      // Tue 00:00 is Monday's 24:00, end-exclusive, so outside: counting starts Tue 16:00; + 1h = 22:00Z.
      name: '24:00 end: filed at midnight counts from the next evening',
      calendar: newYorkEvenings,
      from: '2026-01-13T00:00:00-05:00',
      duration: '1h',
      expected: '2026-01-13T22:00:00Z',
    },
  ])('$name', ({ calendar: cal, from, duration: text, expected }) => {
    expect(iso(addBusinessTime(cal, Date.parse(from), duration(text)))).toBe(expected);
  });
});

interface BetweenRow {
  name: string;
  calendar: CompiledCalendar;
  from: string;
  to: string;
  expected: string;
}

describe('businessTimeBetween', () => {
  it.each<BetweenRow>([
    {
      // Fri 16:00–17:00 + Mon 09:00–10:00.
      name: 'across a weekend',
      calendar: newYork,
      from: '2026-01-16T16:00:00-05:00',
      to: '2026-01-19T10:00:00-05:00',
      expected: '2h',
    },
    {
      // Fri 16:00–17:00 EST + Mon 09:00–10:00 EDT.
      name: 'across the spring-forward weekend',
      calendar: newYork,
      from: '2026-03-06T16:00:00-05:00',
      to: '2026-03-09T10:00:00-04:00',
      expected: '2h',
    },
    {
      // Fri 16:00–17:00 EDT + Mon 09:00–10:00 EST.
      name: 'across the fall-back weekend',
      calendar: newYork,
      from: '2026-10-30T16:00:00-04:00',
      to: '2026-11-02T10:00:00-05:00',
      expected: '2h',
    },
    {
      // Thu 24 16:00–17:00 + (Fri 25 holiday) + Mon 28 09:00–10:00.
      name: 'across a holiday and a weekend',
      calendar: newYorkHolidays,
      from: '2026-12-24T16:00:00-05:00',
      to: '2026-12-28T10:00:00-05:00',
      expected: '2h',
    },
    {
      // Thu 1h + Fri 8h + Mon 1h when the 25th is a working day.
      name: 'the same span without the holiday',
      calendar: newYork,
      from: '2026-12-24T16:00:00-05:00',
      to: '2026-12-28T10:00:00-05:00',
      expected: '10h',
    },
    {
      name: 'a holiday alone has no business time',
      calendar: newYorkHolidays,
      from: '2026-12-25T00:00:00-05:00',
      to: '2026-12-26T00:00:00-05:00',
      expected: '0m',
    },
    {
      name: 'a whole week is 40 hours',
      calendar: newYork,
      from: '2026-01-12T00:00:00-05:00',
      to: '2026-01-19T00:00:00-05:00',
      expected: '40h',
    },
    {
      name: 'a weekend alone has no business time',
      calendar: newYork,
      from: '2026-01-17T00:00:00-05:00',
      to: '2026-01-19T00:00:00-05:00',
      expected: '0m',
    },
    {
      name: 'within one interval',
      calendar: newYork,
      from: '2026-01-12T10:00:00-05:00',
      to: '2026-01-12T10:30:00-05:00',
      expected: '30m',
    },
    {
      // 08:00–18:00 covers 09–12 and 13–17.
      name: 'lunch break: a whole day is 7 hours',
      calendar: berlinLunch,
      from: '2026-01-12T08:00:00+01:00',
      to: '2026-01-12T18:00:00+01:00',
      expected: '7h',
    },
    {
      // 11:30–12:00 + 13:00–13:30.
      name: 'lunch break: across lunch',
      calendar: berlinLunch,
      from: '2026-01-12T11:30:00+01:00',
      to: '2026-01-12T13:30:00+01:00',
      expected: '1h',
    },
    {
      // Mon 23:00–24:00 + Tue 16:00–17:00.
      name: '24:00 end: across midnight',
      calendar: newYorkEvenings,
      from: '2026-01-12T23:00:00-05:00',
      to: '2026-01-13T17:00:00-05:00',
      expected: '2h',
    },
    {
      // 00:00 EST (05:00Z) to the next 00:00 EDT (04:00Z).
      name: 'New York 24x7: the spring-forward day has 23 hours',
      calendar: newYork24x7,
      from: '2026-03-08T00:00:00-05:00',
      to: '2026-03-09T00:00:00-04:00',
      expected: '23h',
    },
    {
      // 00:00 EDT (04:00Z) to the next 00:00 EST (05:00Z).
      name: 'New York 24x7: the fall-back day has 25 hours',
      calendar: newYork24x7,
      from: '2026-11-01T00:00:00-04:00',
      to: '2026-11-02T00:00:00-05:00',
      expected: '25h',
    },
    {
      name: 'Berlin 24x7: the spring-forward day has 23 hours',
      calendar: berlin24x7,
      from: '2026-03-29T00:00:00+01:00',
      to: '2026-03-30T00:00:00+02:00',
      expected: '23h',
    },
    {
      name: 'Berlin 24x7: the fall-back day has 25 hours',
      calendar: berlin24x7,
      from: '2026-10-25T00:00:00+02:00',
      to: '2026-10-26T00:00:00+01:00',
      expected: '25h',
    },
    {
      name: 'Sydney 24x7: the day daylight saving ends has 25 hours',
      calendar: sydney24x7,
      from: '2026-04-05T00:00:00+11:00',
      to: '2026-04-06T00:00:00+10:00',
      expected: '25h',
    },
    {
      name: 'Sydney 24x7: the day daylight saving starts has 23 hours',
      calendar: sydney24x7,
      from: '2026-10-04T00:00:00+10:00',
      to: '2026-10-05T00:00:00+11:00',
      expected: '23h',
    },
    {
      // Sunday 00:00 EST – 06:00 EDT.
      name: 'New York Sunday shift: 5 hours on the spring-forward Sunday',
      calendar: newYorkSundayNights,
      from: '2026-03-07T12:00:00-05:00',
      to: '2026-03-09T00:00:00-04:00',
      expected: '5h',
    },
    {
      // Sunday 00:00 EDT – 06:00 EST.
      name: 'New York Sunday shift: 7 hours on the fall-back Sunday',
      calendar: newYorkSundayNights,
      from: '2026-10-31T12:00:00-04:00',
      to: '2026-11-02T00:00:00-05:00',
      expected: '7h',
    },
    {
      // 01:00–02:00 EST (the clock then jumps to 03:00 EDT) + 03:00–05:00 EDT.
      name: 'boundary inside the spring-forward gap: 3 hours, not counted twice',
      calendar: newYorkSundayGap,
      from: '2026-03-07T12:00:00-05:00',
      to: '2026-03-09T00:00:00-04:00',
      expected: '3h',
    },
    {
      // 01:00–02:30 + 03:00–05:00 on an ordinary Sunday.
      name: 'boundary inside the spring-forward gap: an ordinary Sunday has 3.5 hours',
      calendar: newYorkSundayGap,
      from: '2026-01-17T12:00:00-05:00',
      to: '2026-01-19T00:00:00-05:00',
      expected: '3h30m',
    },
    {
      // 03:00 CEST (01:00Z) – 04:00 CEST (02:00Z).
      name: 'Berlin: hours starting inside the spring-forward gap start when it ends',
      calendar: berlinSundayGap,
      from: '2026-03-28T12:00:00+01:00',
      to: '2026-03-30T00:00:00+02:00',
      expected: '1h',
    },
    {
      // 03:00 AEDT (Sat 16:00Z) – 04:00 AEDT (Sat 17:00Z).
      name: 'Sydney: hours starting inside the October gap start when it ends',
      calendar: sydneySundayGap,
      from: '2026-10-03T12:00:00+10:00',
      to: '2026-10-05T00:00:00+11:00',
      expected: '1h',
    },
    {
      name: 'reversed bounds are zero',
      calendar: newYork,
      from: '2026-01-12T12:00:00-05:00',
      to: '2026-01-12T10:00:00-05:00',
      expected: '0m',
    },
    {
      name: 'equal bounds are zero',
      calendar: newYork,
      from: '2026-01-12T12:00:00-05:00',
      to: '2026-01-12T12:00:00-05:00',
      expected: '0m',
    },
  ])('$name', ({ calendar: cal, from, to, expected }) => {
    expect(businessTimeBetween(cal, Date.parse(from), Date.parse(to))).toBe(duration(expected));
  });
});

describe('nextBusinessInstant', () => {
  it.each<{ name: string; calendar: CompiledCalendar; at: string; expected: string }>([
    // Mon 09:00 EST.
    { name: 'Saturday moves to Monday 09:00', calendar: newYork, at: '2026-01-17T10:00:00-05:00', expected: '2026-01-19T14:00:00Z' },
    { name: 'inside business hours is the same instant', calendar: newYork, at: '2026-01-12T10:00:00-05:00', expected: '2026-01-12T15:00:00Z' },
    { name: '09:00 is business time', calendar: newYork, at: '2026-01-12T09:00:00-05:00', expected: '2026-01-12T14:00:00Z' },
    // Tue 09:00 EST.
    { name: '17:00 is not business time', calendar: newYork, at: '2026-01-12T17:00:00-05:00', expected: '2026-01-13T14:00:00Z' },
    // 13:00 CET.
    { name: 'lunch moves to 13:00', calendar: berlinLunch, at: '2026-01-12T12:00:00+01:00', expected: '2026-01-12T12:00:00Z' },
    // 02:30 does not exist on 2026-03-29: 03:00 CEST = 01:00Z.
    { name: 'hours starting inside a gap begin when it ends', calendar: berlinSundayGap, at: '2026-03-28T12:00:00+01:00', expected: '2026-03-29T01:00:00Z' },
    // Mon 09:00 EDT.
    { name: 'the spring-forward weekend moves to Monday 09:00 EDT', calendar: newYork, at: '2026-03-07T10:00:00-05:00', expected: '2026-03-09T13:00:00Z' },
    // Mon 28 09:00 EST.
    { name: 'a holiday moves to the next working day', calendar: newYorkHolidays, at: '2026-12-25T10:00:00-05:00', expected: '2026-12-28T14:00:00Z' },
  ])('$name', ({ calendar: cal, at, expected }) => {
    expect(iso(nextBusinessInstant(cal, Date.parse(at)))).toBe(expected);
  });
});

describe('businessHoursAround', () => {
  it.each<{ name: string; calendar: CompiledCalendar; at: string; open: boolean; changesAt: string | null }>([
    {
      // Mon 17:00 EST = 22:00Z.
      name: 'inside business hours: open until the close',
      calendar: newYork,
      at: '2026-01-12T10:00:00-05:00',
      open: true,
      changesAt: '2026-01-12T22:00:00Z',
    },
    {
      // Mon 17:00 EST = 22:00Z.
      name: '09:00 is open',
      calendar: newYork,
      at: '2026-01-12T09:00:00-05:00',
      open: true,
      changesAt: '2026-01-12T22:00:00Z',
    },
    {
      // Intervals are end-exclusive: 16:59:59.999 is the last open instant; it closes at 17:00 EST.
      name: 'the last millisecond is open',
      calendar: newYork,
      at: '2026-01-12T16:59:59.999-05:00',
      open: true,
      changesAt: '2026-01-12T22:00:00Z',
    },
    {
      // Tue 09:00 EST = 14:00Z.
      name: '17:00 is closed until the next morning',
      calendar: newYork,
      at: '2026-01-12T17:00:00-05:00',
      open: false,
      changesAt: '2026-01-13T14:00:00Z',
    },
    {
      // Tue 09:00 EST = 14:00Z.
      name: 'before opening: closed until 09:00',
      calendar: newYork,
      at: '2026-01-13T03:00:00-05:00',
      open: false,
      changesAt: '2026-01-13T14:00:00Z',
    },
    {
      // Mon 09:00 EST.
      name: 'Friday evening is closed until Monday 09:00',
      calendar: newYork,
      at: '2026-01-16T18:30:00-05:00',
      open: false,
      changesAt: '2026-01-19T14:00:00Z',
    },
    {
      // 17:00 EST: 12:00 is no close when the next interval starts there.
      name: 'touching intervals are one run: 09:00–12:00 and 12:00–17:00 end at 17:00',
      calendar: newYorkSplitDay,
      at: '2026-01-12T10:00:00-05:00',
      open: true,
      changesAt: '2026-01-12T22:00:00Z',
    },
    {
      // 17:00 EST = 22:00Z.
      name: 'touching intervals: 12:00 itself is open until 17:00',
      calendar: newYorkSplitDay,
      at: '2026-01-12T12:00:00-05:00',
      open: true,
      changesAt: '2026-01-12T22:00:00Z',
    },
    {
      // 12:00 CET = 11:00Z.
      name: 'a lunch break closes: open until 12:00',
      calendar: berlinLunch,
      at: '2026-01-12T10:00:00+01:00',
      open: true,
      changesAt: '2026-01-12T11:00:00Z',
    },
    {
      // 13:00 CET = 12:00Z.
      name: 'during lunch: closed until 13:00',
      calendar: berlinLunch,
      at: '2026-01-12T12:30:00+01:00',
      open: false,
      changesAt: '2026-01-12T12:00:00Z',
    },
    {
      // Tue 02:00 EST = 07:00Z: Monday's 24:00 is Tuesday's 00:00.
      name: 'a run goes on past midnight when the next day starts at 00:00',
      calendar: newYorkNightShift,
      at: '2026-01-12T20:00:00-05:00',
      open: true,
      changesAt: '2026-01-13T07:00:00Z',
    },
    {
      // Tue 00:00 EST = 05:00Z: Tuesday's hours start only at 16:00.
      name: 'hours ending at 24:00 close at midnight',
      calendar: newYorkEvenings,
      at: '2026-01-12T20:00:00-05:00',
      open: true,
      changesAt: '2026-01-13T05:00:00Z',
    },
    {
      // 00:00–24:00 every day and no holidays: no close within the horizon.
      name: 'a round-the-clock calendar never closes',
      calendar: newYork24x7,
      at: '2026-01-12T03:00:00-05:00',
      open: true,
      changesAt: null,
    },

    // --- Holidays
    {
      // Fri 25 is a holiday, then the weekend: Mon 28 09:00 EST = 14:00Z.
      name: 'Christmas Eve evening is closed over the holiday and the weekend',
      calendar: newYorkHolidays,
      at: '2026-12-24T18:00:00-05:00',
      open: false,
      changesAt: '2026-12-28T14:00:00Z',
    },
    {
      // Fri 27 09:00 EST = 14:00Z.
      name: 'a mid-week holiday is closed until the next working day',
      calendar: newYorkHolidays,
      at: '2026-11-26T10:00:00-05:00',
      open: false,
      changesAt: '2026-11-27T14:00:00Z',
    },
    {
      // Dec 25 00:00 EST = 05:00Z.
      name: 'a round-the-clock calendar closes at a holiday’s midnight',
      calendar: newYork24x7Christmas,
      at: '2026-12-20T12:00:00-05:00',
      open: true,
      changesAt: '2026-12-25T05:00:00Z',
    },
    {
      // Dec 26 00:00 EST = 05:00Z.
      name: 'a round-the-clock calendar reopens the day after the holiday',
      calendar: newYork24x7Christmas,
      at: '2026-12-25T12:00:00-05:00',
      open: false,
      changesAt: '2026-12-26T05:00:00Z',
    },

    // --- Daylight saving
    {
      // 01:00–02:30 EST is 06:00Z–07:00Z (02:30 does not exist; the gap ends at 03:00 EDT = 07:00Z), where 03:00–05:00
      // EDT starts: one run until 05:00 EDT = 09:00Z.
      name: 'spring-forward Sunday: hours ending inside the gap touch the next ones',
      calendar: newYorkSundayGap,
      at: '2026-03-08T01:30:00-05:00',
      open: true,
      changesAt: '2026-03-08T09:00:00Z',
    },
    {
      // An ordinary Sunday: 02:30 EST = 07:30Z, then closed until 03:00.
      name: 'an ordinary Sunday: the same hours close at 02:30',
      calendar: newYorkSundayGap,
      at: '2026-01-18T01:30:00-05:00',
      open: true,
      changesAt: '2026-01-18T07:30:00Z',
    },
    {
      // Sun 00:00 EDT – 06:00 EST = 11:00Z.
      name: 'fall-back Sunday: the night shift closes at 06:00 EST',
      calendar: newYorkSundayNights,
      at: '2026-11-01T00:30:00-04:00',
      open: true,
      changesAt: '2026-11-01T11:00:00Z',
    },
    {
      // Mon 09:00 EDT = 13:00Z.
      name: 'the spring-forward weekend is closed until Monday 09:00 EDT',
      calendar: newYork,
      at: '2026-03-07T10:00:00-05:00',
      open: false,
      changesAt: '2026-03-09T13:00:00Z',
    },
    {
      // Mon 09:00 EST = 14:00Z.
      name: 'the fall-back weekend is closed until Monday 09:00 EST',
      calendar: newYork,
      at: '2026-10-31T10:00:00-04:00',
      open: false,
      changesAt: '2026-11-02T14:00:00Z',
    },
    {
      // 02:30 does not exist on 2026-03-29: the hours open at 03:00 CEST = 01:00Z.
      name: 'Berlin: hours starting inside the gap open when it ends',
      calendar: berlinSundayGap,
      at: '2026-03-28T12:00:00+01:00',
      open: false,
      changesAt: '2026-03-29T01:00:00Z',
    },
    {
      // Mon 09:00 AEST = Sun 23:00Z.
      name: 'Sydney: Friday evening as daylight saving ends is closed until Monday 09:00 AEST',
      calendar: sydney,
      at: '2026-04-03T18:00:00+11:00',
      open: false,
      changesAt: '2026-04-05T23:00:00Z',
    },
  ])('$name', ({ calendar: cal, at, open, changesAt }) => {
    const around = businessHoursAround(cal, Date.parse(at));
    expect({ open: around.open, changesAt: around.changesAt === null ? null : iso(around.changesAt) }).toEqual({ open, changesAt });
  });
});

describe('calendars without business hours', () => {
  const empty = compileCalendar({ timezone: 'America/New_York', weeklyHours: [], holidays: [] });
  const now = Date.parse('2026-01-12T10:00:00-05:00');

  it('adding business time to an empty calendar throws NoBusinessHoursError', () => {
    expect(() => addBusinessTime(empty, now, duration('1h'))).toThrow(NoBusinessHoursError);
  });

  it('an empty calendar has no next business instant', () => {
    expect(() => nextBusinessInstant(empty, now)).toThrow(NoBusinessHoursError);
  });

  it('an empty calendar is closed for good', () => {
    expect(businessHoursAround(empty, now)).toEqual({ open: false, changesAt: null });
  });

  it('an empty calendar has no business time between two instants', () => {
    expect(businessTimeBetween(empty, now, now + duration('48h'))).toBe(0);
  });

  it('a calendar in an unknown time zone is refused', () => {
    expect(() => compileCalendar({ timezone: 'Mars/Olympus_Mons', weeklyHours: [], holidays: [] })).toThrow(/not an IANA time zone/);
  });
});
