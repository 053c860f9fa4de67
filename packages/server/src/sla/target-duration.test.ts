// Which ISO-8601 durations a target may be: one rule for the policy's levels and organizations' contract targets.
import { describe, expect, it } from 'vitest';
import { MAX_TARGET_DAYS, parseTargetDuration } from './target-duration';

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
  ])('refuses %j (%s) with the rule and what was given', (text) => {
    const result = parseTargetDuration(text);
    expect(result).toEqual({
      error: `targetResponse must be a positive ISO-8601 duration in days, hours, minutes or seconds, at most P90D (e.g. PT2H); got '${text.trim().slice(0, 30)}'.`,
    });
  });

  it('reads M after T as minutes and refuses it before T as months', () => {
    expect(parseTargetDuration('PT1M')).toEqual({ text: 'PT1M', minutes: 1 });
    expect(parseTargetDuration('P1M')).toHaveProperty('error');
  });
});
