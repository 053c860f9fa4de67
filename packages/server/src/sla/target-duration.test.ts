// Which ISO-8601 durations a target may be: one rule for the policy's levels and organizations' contract targets.
import { describe, expect, it } from 'vitest';
import { formatTargetDuration, MAX_TARGET_DAYS, parseTargetDuration, reachableBusinessSeconds } from './target-duration';

describe('parseTargetDuration', () => {
  it.each([
    ['PT2H', 7200],
    ['PT1H30M', 5400],
    ['PT20S', 20],
    ['P1D', 86_400],
    ['P1W', 7 * 86_400],
    ['PT1.5H', 5400],
    ['PT0.5M', 30],
    ['P1DT2H', 93_600],
    [`P${MAX_TARGET_DAYS}D`, MAX_TARGET_DAYS * 86_400],
  ])('accepts %j as %d seconds', (text, seconds) => {
    expect(parseTargetDuration(text)).toEqual({ seconds });
  });

  it('ignores surrounding blanks', () => {
    expect(parseTargetDuration('  PT4H \n')).toEqual({ seconds: 14_400 });
  });

  it.each([
    ['', 'empty'],
    ['abc', 'not ISO-8601'],
    ['pt2h', 'lowercase designators'],
    ['PT0S', 'zero'],
    ['P', 'zero, no components'],
    ['-PT1H', 'negative'],
    ['PT-1H', 'negative component'],
    ['P1M', 'months vary in length'],
    ['P1Y', 'years vary in length'],
    ['P1YT1H', 'years with hours'],
    [`P${MAX_TARGET_DAYS + 1}D`, 'longer than the longest target'],
    [`P${MAX_TARGET_DAYS}DT1S`, 'a second longer than the longest target'],
    [`PT${'0'.repeat(48)}1H`, 'text longer than 50 characters'],
    ['PT0.4S', 'a fraction of a second'],
    ['PT20.5S', 'not whole seconds'],
  ])('refuses %j (%s) with the rule and what was given', (text) => {
    const result = parseTargetDuration(text);
    expect(result).toEqual({
      error: `targetResponse must be a positive ISO-8601 duration in days, hours, minutes or whole seconds, at most P90D (e.g. PT2H); got '${text.trim().slice(0, 30)}'.`,
    });
  });

  it('reads M after T as minutes and refuses it before T as months', () => {
    expect(parseTargetDuration('PT1M')).toEqual({ seconds: 60 });
    expect(parseTargetDuration('P1M')).toHaveProperty('error');
  });
});

describe('formatTargetDuration', () => {
  it.each([
    [3600, 'PT1H'],
    [5400, 'PT1H30M'],
    [20, 'PT20S'],
    [3661, 'PT1H1M1S'],
    [86_400, 'P1D'],
    [93_600, 'P1DT2H'],
    [90 * 86_400, 'P90D'],
  ])('writes %d seconds as %j', (seconds, text) => {
    expect(formatTargetDuration(seconds)).toBe(text);
  });

  it('reads back what it writes, for every target parseTargetDuration accepts', () => {
    for (const text of ['PT2H', 'PT90M', 'PT20S', 'P1DT2H', 'PT0.5M', 'P1W', 'PT86399S']) {
      const { seconds } = parseTargetDuration(text) as { seconds: number };
      expect(parseTargetDuration(formatTargetDuration(seconds))).toEqual({ seconds });
    }
  });
});

describe('reachableBusinessSeconds', () => {
  const now = new Date('2026-12-01T12:00:00Z'); // a Tuesday
  const weekdays = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'] as const;
  const nineToFive = { timezone: 'Europe/London', weeklyHours: weekdays.map((day) => ({ day, start: '09:00', end: '17:00' })), holidays: [] };

  it('is the business time of 364 whole days: 52 weeks of 40 hours on Monday–Friday 09:00–17:00', () => {
    expect(reachableBusinessSeconds(nineToFive, now)).toBe(52 * 40 * 3600);
  });

  it('counts the worst year: holidays take their hours off the windows they fall in', () => {
    const holidays = ['2027-03-01', '2027-03-02', '2028-12-25'];
    expect(reachableBusinessSeconds({ ...nineToFive, holidays }, now)).toBe((52 * 40 - 16) * 3600);
  });

  it('is zero when holidays cover every business day of some year, however far off', () => {
    const mondays = Array.from({ length: 60 }, (_, week) => new Date(Date.UTC(2090, 0, 2 + 7 * week)).toISOString().slice(0, 10));
    const mondaysOnly = { timezone: 'UTC', weeklyHours: [{ day: 'MONDAY' as const, start: '09:00', end: '10:00' }], holidays: mondays };
    expect(reachableBusinessSeconds(mondaysOnly, now)).toBe(0);
  });

  it('ignores holidays already past', () => {
    expect(reachableBusinessSeconds({ ...nineToFive, holidays: ['2020-01-01', '2026-11-30'] }, now)).toBe(52 * 40 * 3600);
  });
});
