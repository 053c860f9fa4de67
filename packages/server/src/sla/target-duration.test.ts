// Which ISO-8601 durations a target may be: one rule for the policy's levels and organizations' contract targets.
import { describe, expect, it } from 'vitest';
import { MAX_TARGET_DAYS, parseTargetDuration, reachableBusinessMinutes } from './target-duration';

describe('parseTargetDuration', () => {
  it.each([
    ['PT2H', 120],
    ['PT1H30M', 90],
    ['PT20S', 1 / 3],
    ['P1D', 1440],
    ['P1W', 7 * 1440],
    ['PT1.5H', 90],
    ['P1DT2H', 1560],
    [`P${MAX_TARGET_DAYS}D`, MAX_TARGET_DAYS * 1440],
  ])('accepts %j as %d minutes', (text, minutes) => {
    expect(parseTargetDuration(text)).toEqual({ text, minutes });
  });

  it('ignores surrounding blanks and gives the trimmed text', () => {
    expect(parseTargetDuration('  PT4H \n')).toEqual({ text: 'PT4H', minutes: 240 });
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
    expect(parseTargetDuration('PT1M')).toEqual({ text: 'PT1M', minutes: 1 });
    expect(parseTargetDuration('P1M')).toHaveProperty('error');
  });
});

describe('reachableBusinessMinutes', () => {
  const now = new Date('2026-12-01T12:00:00Z'); // a Tuesday
  const weekdays = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'] as const;
  const nineToFive = { timezone: 'Europe/London', weeklyHours: weekdays.map((day) => ({ day, start: '09:00', end: '17:00' })), holidays: [] };

  it('is the business time of 364 whole days: 52 weeks of 40 hours on Monday–Friday 09:00–17:00', () => {
    expect(reachableBusinessMinutes(nineToFive, now)).toBe(52 * 40 * 60);
  });

  it('counts the worst year: holidays take their hours off the windows they fall in', () => {
    const holidays = ['2027-03-01', '2027-03-02', '2028-12-25'];
    expect(reachableBusinessMinutes({ ...nineToFive, holidays }, now)).toBe((52 * 40 - 16) * 60);
  });

  it('is zero when holidays cover every business day of some year, however far off', () => {
    const mondays = Array.from({ length: 60 }, (_, week) => new Date(Date.UTC(2090, 0, 2 + 7 * week)).toISOString().slice(0, 10));
    const mondaysOnly = { timezone: 'UTC', weeklyHours: [{ day: 'MONDAY' as const, start: '09:00', end: '10:00' }], holidays: mondays };
    expect(reachableBusinessMinutes(mondaysOnly, now)).toBe(0);
  });

  it('ignores holidays already past', () => {
    expect(reachableBusinessMinutes({ ...nineToFive, holidays: ['2020-01-01', '2026-11-30'] }, now)).toBe(52 * 40 * 60);
  });
});
