// Response cycles on a New York 09:00–17:00 weekday calendar (EST -05 / EDT -04); expected instants are worked out
// from the local wall clock in each row's comment.
import { describe, expect, it } from 'vitest';
import { compileCalendar, Weekday } from './business-calendar';
import {
  clockRunning,
  CycleFacts,
  cycleState,
  cycleTimes,
  elapsed,
  isPaused,
  nextTransitionAt,
  pausedTime,
  remaining,
  SlaTargetSpec,
} from './cycle';
import { PolicyLevel, targetFor } from './targets';
import { SlaMetric, SlaState } from './vocabulary';

const WEEKDAYS: Weekday[] = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'];
const calendar = compileCalendar({
  timezone: 'America/New_York',
  weeklyHours: WEEKDAYS.map((day) => ({ day, start: '09:00', end: '17:00' })),
  holidays: ['2026-12-25'],
});

const SEV1: SlaTargetSpec = { seconds: 3600, clock: 'CALENDAR' };
const SEV2: SlaTargetSpec = { seconds: 7200, clock: 'BUSINESS_HOURS' };
const SEV3: SlaTargetSpec = { seconds: 14400, clock: 'BUSINESS_HOURS' };
const SEV4: SlaTargetSpec = { seconds: 28800, clock: 'BUSINESS_HOURS' };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const at = (text: string): number => Date.parse(text);

function iso(instant: number | null): string | null {
  return instant === null ? null : new Date(instant).toISOString().replace('.000Z', 'Z');
}

function facts(
  startedAt: string,
  target: SlaTargetSpec,
  options: { pauses?: [from: string, to: string | null][]; stoppedAt?: string; metric?: SlaMetric } = {},
): CycleFacts {
  return {
    metric: options.metric ?? 'FIRST_RESPONSE',
    startedAt: at(startedAt),
    target,
    pauses: (options.pauses ?? []).map(([from, to]) => ({ from: at(from), to: to === null ? null : at(to) })),
    stoppedAt: options.stoppedAt ? at(options.stoppedAt) : null,
  };
}

/** SEV2 filed Monday 10:00 EST: at risk at 11:30 EST (16:30Z), due at 12:00 EST (17:00Z). */
const monday10 = '2026-01-12T10:00:00-05:00';
/** The same cycle paused 10:30–11:00 EST: at risk 12:00 EST (17:00Z), due 12:30 EST (17:30Z). */
const pausedHalfHour: [string, string][] = [['2026-01-12T10:30:00-05:00', '2026-01-12T11:00:00-05:00']];

describe('cycleTimes', () => {
  it.each<{ name: string; facts: CycleFacts; dueAt: string | null; atRiskAt: string | null }>([
    {
      // Sat 22:30 EST = Sun 03:30Z; the calendar clock ignores the weekend: +45m and +60m.
      name: 'SEV1 runs on the calendar clock over a weekend',
      facts: facts('2026-01-17T22:30:00-05:00', SEV1),
      atRiskAt: '2026-01-18T04:15:00Z',
      dueAt: '2026-01-18T04:30:00Z',
    },
    {
      // Sun 01:30 EST = 06:30Z; 60 real minutes later is 07:30Z, which reads 03:30 EDT.
      name: 'SEV1 counts real minutes across the spring-forward change',
      facts: facts('2026-03-08T01:30:00-05:00', SEV1),
      atRiskAt: '2026-03-08T07:15:00Z',
      dueAt: '2026-03-08T07:30:00Z',
    },
    {
      // Fri 23:00 EST: counting starts Mon 09:00 EST; 90m → 10:30 EST = 15:30Z; 120m → 11:00 EST = 16:00Z.
      name: 'SEV2 filed on Friday night counts from Monday 09:00',
      facts: facts('2026-01-16T23:00:00-05:00', SEV2),
      atRiskAt: '2026-01-19T15:30:00Z',
      dueAt: '2026-01-19T16:00:00Z',
    },
    {
      // Mon 03:00 EST: counting starts 09:00; 10:30 EST = 15:30Z and 11:00 EST = 16:00Z.
      name: 'SEV2 filed at night before opening',
      facts: facts('2026-01-12T03:00:00-05:00', SEV2),
      atRiskAt: '2026-01-12T15:30:00Z',
      dueAt: '2026-01-12T16:00:00Z',
    },
    {
      // Sat: counting starts Mon 09:00 EST; 180m → 12:00 EST = 17:00Z; 240m → 13:00 EST = 18:00Z.
      name: 'SEV3 filed on Saturday',
      facts: facts('2026-01-17T14:00:00-05:00', SEV3),
      atRiskAt: '2026-01-19T17:00:00Z',
      dueAt: '2026-01-19T18:00:00Z',
    },
    {
      // Tue 20:00 EST: counting starts Wed 09:00; 6h → 15:00 EST = 20:00Z; 8h → 17:00 EST = 22:00Z (the day's end).
      name: 'SEV4 filed in the evening takes the whole next day',
      facts: facts('2026-01-13T20:00:00-05:00', SEV4),
      atRiskAt: '2026-01-14T20:00:00Z',
      dueAt: '2026-01-14T22:00:00Z',
    },
    {
      // Fri 15:00–17:00 EST is 2h; at risk Mon 09:00 + 4h = 13:00 EST = 18:00Z; due Mon 09:00 + 6h = 15:00 EST = 20:00Z.
      name: 'SEV4 filed on Friday afternoon continues on Monday',
      facts: facts('2026-01-16T15:00:00-05:00', SEV4),
      atRiskAt: '2026-01-19T18:00:00Z',
      dueAt: '2026-01-19T20:00:00Z',
    },
    {
      // Fri 16:30–17:00 EST is 30m; Monday is EDT: 09:00 + 60m = 10:00 EDT = 14:00Z; + 90m = 10:30 EDT = 14:30Z.
      name: 'SEV2 across the spring-forward weekend',
      facts: facts('2026-03-06T16:30:00-05:00', SEV2),
      atRiskAt: '2026-03-09T14:00:00Z',
      dueAt: '2026-03-09T14:30:00Z',
    },
    {
      // Thu 24 16:00–17:00 EST is 1h, Fri 25 is a holiday; Mon 28 09:00 + 30m = 14:30Z; + 1h = 15:00Z.
      name: 'SEV2 across Christmas Day',
      facts: facts('2026-12-24T16:00:00-05:00', SEV2),
      atRiskAt: '2026-12-28T14:30:00Z',
      dueAt: '2026-12-28T15:00:00Z',
    },
    {
      // Mon 15:00–17:00 EST is 2h; at risk Tue 09:00 + 1h = 10:00 EST = 15:00Z; due Tue 11:00 EST = 16:00Z.
      name: 'a NEXT_RESPONSE cycle runs like a first response',
      facts: facts('2026-01-12T15:00:00-05:00', SEV3, { metric: 'NEXT_RESPONSE' }),
      atRiskAt: '2026-01-13T15:00:00Z',
      dueAt: '2026-01-13T16:00:00Z',
    },
    {
      // Runs 10:00–10:30, paused 30m, resumes 11:00: at risk 12:00 EST = 17:00Z, due 12:30 EST = 17:30Z.
      name: 'a pause shifts the due time by the paused business time',
      facts: facts(monday10, SEV2, { pauses: pausedHalfHour }),
      atRiskAt: '2026-01-12T17:00:00Z',
      dueAt: '2026-01-12T17:30:00Z',
    },
    {
      // Runs Mon 14:00–16:00 (2h), paused until Tue 10:00 (18h wall, 2h business: Mon 16–17, Tue 09–10). Left: 6h
      // from Tue 10:00 → 16:00 EST = 21:00Z (without the pause Tue 14:00); at risk: 4h → Tue 14:00 EST = 19:00Z.
      name: 'an overnight pause shifts the due time by its business hours only',
      facts: facts('2026-01-12T14:00:00-05:00', SEV4, { pauses: [['2026-01-12T16:00:00-05:00', '2026-01-13T10:00:00-05:00']] }),
      atRiskAt: '2026-01-13T19:00:00Z',
      dueAt: '2026-01-13T21:00:00Z',
    },
    {
      // Mon 16:00–17:00 EST is 1h; the 18:00–08:00 pause is out of hours; Tue 09:00 + 30m / + 1h.
      name: 'a pause out of business hours changes nothing',
      facts: facts('2026-01-12T16:00:00-05:00', SEV2, { pauses: [['2026-01-12T18:00:00-05:00', '2026-01-13T08:00:00-05:00']] }),
      atRiskAt: '2026-01-13T14:30:00Z',
      dueAt: '2026-01-13T15:00:00Z',
    },
    {
      // Sat 22:30 EST (03:30Z) runs 10m, paused 22:40–23:10, resumes 04:10Z: at risk +35m = 04:45Z, due +50m = 05:00Z.
      name: 'a pause shifts a calendar-clock due time by its length',
      facts: facts('2026-01-17T22:30:00-05:00', SEV1, { pauses: [['2026-01-17T22:40:00-05:00', '2026-01-17T23:10:00-05:00']] }),
      atRiskAt: '2026-01-18T04:45:00Z',
      dueAt: '2026-01-18T05:00:00Z',
    },
    {
      name: 'while paused, the due time is unknown',
      facts: facts(monday10, SEV2, { pauses: [['2026-01-12T10:30:00-05:00', null]] }),
      atRiskAt: null,
      dueAt: null,
    },
    {
      // At risk at 11:30 EST, before the pause at 11:45; the due time waits for the resume.
      name: 'paused after at risk: the at-risk time already passed stays known',
      facts: facts(monday10, SEV2, { pauses: [['2026-01-12T11:45:00-05:00', null]] }),
      atRiskAt: '2026-01-12T16:30:00Z',
      dueAt: null,
    },
    {
      name: 'paused after the due time: both times stay known',
      facts: facts(monday10, SEV2, { pauses: [['2026-01-12T12:30:00-05:00', null]] }),
      atRiskAt: '2026-01-12T16:30:00Z',
      dueAt: '2026-01-12T17:00:00Z',
    },
  ])('$name', ({ facts: cycle, dueAt, atRiskAt }) => {
    const times = cycleTimes(calendar, cycle);
    expect({ dueAt: iso(times.dueAt), atRiskAt: iso(times.atRiskAt) }).toEqual({ dueAt, atRiskAt });
  });
});

describe('cycleState', () => {
  it.each<{ name: string; facts: CycleFacts; now: string; state: SlaState }>([
    { name: 'on track when filed', facts: facts(monday10, SEV2), now: '2026-01-12T15:00:00Z', state: 'ON_TRACK' },
    { name: 'on track just before 75%', facts: facts(monday10, SEV2), now: '2026-01-12T16:29:59.999Z', state: 'ON_TRACK' },
    { name: 'at risk exactly at 75% of the target', facts: facts(monday10, SEV2), now: '2026-01-12T16:30:00Z', state: 'AT_RISK' },
    { name: 'at risk just before the due time', facts: facts(monday10, SEV2), now: '2026-01-12T16:59:59.999Z', state: 'AT_RISK' },
    { name: 'breached exactly at the due time', facts: facts(monday10, SEV2), now: '2026-01-12T17:00:00Z', state: 'BREACHED' },
    { name: 'still breached the next day', facts: facts(monday10, SEV2), now: '2026-01-13T15:00:00Z', state: 'BREACHED' },
    {
      name: 'met when stopped before the due time',
      facts: facts(monday10, SEV2, { stoppedAt: '2026-01-12T16:45:00Z' }),
      now: '2026-01-12T18:00:00Z',
      state: 'MET',
    },
    {
      name: 'met when stopped exactly at the due time',
      facts: facts(monday10, SEV2, { stoppedAt: '2026-01-12T17:00:00Z' }),
      now: '2026-01-12T17:00:00Z',
      state: 'MET',
    },
    {
      name: 'breached when stopped a millisecond after the due time',
      facts: facts(monday10, SEV2, { stoppedAt: '2026-01-12T17:00:00.001Z' }),
      now: '2026-01-12T18:00:00Z',
      state: 'BREACHED',
    },
    {
      name: 'a late response leaves the cycle breached',
      facts: facts(monday10, SEV2, { stoppedAt: '2026-01-12T18:00:00Z' }),
      now: '2026-01-20T12:00:00Z',
      state: 'BREACHED',
    },
    {
      name: 'before its stop, a stopped cycle had the state of a running one',
      facts: facts(monday10, SEV2, { stoppedAt: '2026-01-12T16:45:00Z' }),
      now: '2026-01-12T16:40:00Z',
      state: 'AT_RISK',
    },
    {
      // Filed Fri 23:00 EST: no business time has passed by Sunday.
      name: 'a business-hours cycle filed on Friday night is on track all weekend',
      facts: facts('2026-01-16T23:00:00-05:00', SEV2),
      now: '2026-01-18T12:00:00-05:00',
      state: 'ON_TRACK',
    },
    {
      // Mon 10:30 EST is 90 business minutes after Mon 09:00.
      name: 'a business-hours cycle filed on Friday night is at risk on Monday 10:30',
      facts: facts('2026-01-16T23:00:00-05:00', SEV2),
      now: '2026-01-19T10:30:00-05:00',
      state: 'AT_RISK',
    },
    {
      // Fri 15:15–17:00 EST is 105m (at risk from 16:45); due Mon 09:15 EST.
      name: 'at risk on Friday evening stays at risk over the weekend',
      facts: facts('2026-01-16T15:15:00-05:00', SEV2),
      now: '2026-01-18T12:00:00-05:00',
      state: 'AT_RISK',
    },
    {
      name: 'at risk on Friday evening breaches on Monday 09:15',
      facts: facts('2026-01-16T15:15:00-05:00', SEV2),
      now: '2026-01-19T09:15:00-05:00',
      state: 'BREACHED',
    },
    {
      name: 'paused while waiting on the customer',
      facts: facts(monday10, SEV2, { pauses: pausedHalfHour }),
      now: '2026-01-12T10:45:00-05:00',
      state: 'PAUSED',
    },
    {
      name: 'running again from the resume instant',
      facts: facts(monday10, SEV2, { pauses: pausedHalfHour }),
      now: '2026-01-12T11:00:00-05:00',
      state: 'ON_TRACK',
    },
    {
      // 30m before the pause + 60m after: 90m at 12:00 EST.
      name: 'after a pause, at risk 30 minutes later than without',
      facts: facts(monday10, SEV2, { pauses: pausedHalfHour }),
      now: '2026-01-12T12:00:00-05:00',
      state: 'AT_RISK',
    },
    {
      // Without the pause this would have breached at 12:00.
      name: 'after a pause, breached 30 minutes later than without',
      facts: facts(monday10, SEV2, { pauses: pausedHalfHour }),
      now: '2026-01-12T12:30:00-05:00',
      state: 'BREACHED',
    },
    {
      // 105m elapsed when paused at 11:45: at risk, but the pause shows.
      name: 'paused after at risk shows PAUSED',
      facts: facts(monday10, SEV2, { pauses: [['2026-01-12T11:45:00-05:00', null]] }),
      now: '2026-01-12T15:00:00-05:00',
      state: 'PAUSED',
    },
    {
      name: 'paused after the due time stays breached',
      facts: facts(monday10, SEV2, { pauses: [['2026-01-12T12:30:00-05:00', null]] }),
      now: '2026-01-12T13:00:00-05:00',
      state: 'BREACHED',
    },
    {
      // Sat 22:30 EST + 45m = 23:15 EST = 04:15Z.
      name: 'SEV1 is at risk after 45 calendar minutes on a Saturday night',
      facts: facts('2026-01-17T22:30:00-05:00', SEV1),
      now: '2026-01-18T04:15:00Z',
      state: 'AT_RISK',
    },
    {
      name: 'SEV1 breaches after 60 calendar minutes on a Saturday night',
      facts: facts('2026-01-17T22:30:00-05:00', SEV1),
      now: '2026-01-18T04:30:00Z',
      state: 'BREACHED',
    },
  ])('$name', ({ facts: cycle, now, state }) => {
    expect(cycleState(calendar, cycle, at(now))).toBe(state);
  });
});

describe('elapsed, remaining, pausedTime and isPaused', () => {
  it('remaining time counts down through business hours', () => {
    const cycle = facts(monday10, SEV2);
    expect(remaining(calendar, cycle, at(monday10))).toBe(120 * MINUTE);
    expect(remaining(calendar, cycle, at('2026-01-12T11:15:00-05:00'))).toBe(45 * MINUTE);
    expect(remaining(calendar, cycle, at('2026-01-12T12:00:00-05:00'))).toBe(0);
  });

  it('remaining time is negative once overdue, counting business hours only', () => {
    // Mon 10:00–17:00 (7h) + Tue 09:00–10:00 (1h) = 8h elapsed of a 2h target.
    const cycle = facts(monday10, SEV2);
    expect(elapsed(calendar, cycle, at('2026-01-13T10:00:00-05:00'))).toBe(8 * HOUR);
    expect(remaining(calendar, cycle, at('2026-01-13T10:00:00-05:00'))).toBe(-6 * HOUR);
  });

  it('a stopped cycle keeps the remaining time it had when it stopped', () => {
    const cycle = facts(monday10, SEV2, { stoppedAt: '2026-01-12T11:45:00-05:00' });
    expect(remaining(calendar, cycle, at('2026-01-14T12:00:00-05:00'))).toBe(15 * MINUTE);
  });

  it('paused time is wall-clock time while the business clock counts only business hours', () => {
    // Runs Mon 14:00–16:00, paused until Tue 10:00 (18h), runs Tue 10:00–12:00.
    const cycle = facts('2026-01-12T14:00:00-05:00', SEV4, {
      pauses: [['2026-01-12T16:00:00-05:00', '2026-01-13T10:00:00-05:00']],
    });
    const now = at('2026-01-13T12:00:00-05:00');
    expect(pausedTime(cycle, now)).toBe(18 * HOUR);
    expect(elapsed(calendar, cycle, now)).toBe(4 * HOUR);
    expect(remaining(calendar, cycle, now)).toBe(4 * HOUR);
  });

  it('an open pause counts up to now, and stops counting when the cycle stops', () => {
    const open = facts(monday10, SEV2, { pauses: [['2026-01-12T10:30:00-05:00', null]] });
    expect(pausedTime(open, at('2026-01-12T12:00:00-05:00'))).toBe(90 * MINUTE);
    expect(elapsed(calendar, open, at('2026-01-12T12:00:00-05:00'))).toBe(30 * MINUTE);
    expect(remaining(calendar, open, at('2026-01-12T12:00:00-05:00'))).toBe(90 * MINUTE);
    const stopped = { ...open, stoppedAt: at('2026-01-12T11:30:00-05:00') };
    expect(pausedTime(stopped, at('2026-01-12T13:00:00-05:00'))).toBe(60 * MINUTE);
  });

  it('a pause counts only up to now while it lasts', () => {
    expect(pausedTime(facts(monday10, SEV2, { pauses: pausedHalfHour }), at('2026-01-12T10:45:00-05:00'))).toBe(15 * MINUTE);
  });

  it('isPaused is true inside a pause and false from the resume instant or once stopped', () => {
    const cycle = facts(monday10, SEV2, { pauses: pausedHalfHour });
    expect(isPaused(cycle, at('2026-01-12T10:30:00-05:00'))).toBe(true);
    expect(isPaused(cycle, at('2026-01-12T11:00:00-05:00'))).toBe(false);
    const open = facts(monday10, SEV2, { pauses: [['2026-01-12T10:30:00-05:00', null]] });
    expect(isPaused(open, at('2026-01-13T10:00:00-05:00'))).toBe(true);
    expect(isPaused({ ...open, stoppedAt: at('2026-01-12T11:00:00-05:00') }, at('2026-01-13T10:00:00-05:00'))).toBe(false);
  });
});

describe('severity change', () => {
  const withTarget = (cycle: CycleFacts, target: SlaTargetSpec): CycleFacts => ({ ...cycle, target });

  it('SEV4 to SEV2 recomputes from the original start and may breach at once', () => {
    // Filed Mon 09:00 EST; at 11:30 EST a SEV4 (due 17:00 EST) is on track, a SEV2 was due at 11:00 EST = 16:00Z.
    const sev4 = facts('2026-01-12T09:00:00-05:00', SEV4);
    const now = at('2026-01-12T11:30:00-05:00');
    expect(cycleState(calendar, sev4, now)).toBe('ON_TRACK');
    expect(iso(cycleTimes(calendar, sev4).dueAt)).toBe('2026-01-12T22:00:00Z');

    const sev2 = withTarget(sev4, SEV2);
    expect(iso(cycleTimes(calendar, sev2).dueAt)).toBe('2026-01-12T16:00:00Z');
    expect(cycleState(calendar, sev2, now)).toBe('BREACHED');
    expect(remaining(calendar, sev2, now)).toBe(-30 * MINUTE);
    expect(nextTransitionAt(calendar, sev2, now)).toBeNull();
  });

  it('keeps paused time when the target changes', () => {
    // Runs 09:00–09:30, paused until 10:30; as SEV2: at risk 30m + 60m → 11:30 EST, due 30m + 90m → 12:00 EST.
    const sev4 = facts('2026-01-12T09:00:00-05:00', SEV4, { pauses: [['2026-01-12T09:30:00-05:00', '2026-01-12T10:30:00-05:00']] });
    const sev2 = withTarget(sev4, SEV2);
    const now = at('2026-01-12T10:45:00-05:00');
    expect(iso(cycleTimes(calendar, sev2).atRiskAt)).toBe('2026-01-12T16:30:00Z');
    expect(iso(cycleTimes(calendar, sev2).dueAt)).toBe('2026-01-12T17:00:00Z');
    expect(cycleState(calendar, sev2, now)).toBe('ON_TRACK');
    expect(elapsed(calendar, sev2, now)).toBe(45 * MINUTE);
  });

  it('SEV3 to SEV1 switches to the calendar clock from the original start', () => {
    // Filed Mon 09:00 EST; SEV1 is due 60 calendar minutes later, 10:00 EST = 15:00Z; 50m elapsed at 09:50 → at risk.
    const sev1 = withTarget(facts('2026-01-12T09:00:00-05:00', SEV3), SEV1);
    const now = at('2026-01-12T09:50:00-05:00');
    expect(iso(cycleTimes(calendar, sev1).dueAt)).toBe('2026-01-12T15:00:00Z');
    expect(cycleState(calendar, sev1, now)).toBe('AT_RISK');
    expect(iso(nextTransitionAt(calendar, sev1, now))).toBe('2026-01-12T15:00:00Z');
  });

  it('SEV2 to SEV4 brings an at-risk cycle back on track', () => {
    // 105m elapsed at 10:45 EST: at risk for SEV2 (≥ 90m), on track for SEV4 (at risk from 6h, 15:00 EST = 20:00Z).
    const sev2 = facts('2026-01-12T09:00:00-05:00', SEV2);
    const now = at('2026-01-12T10:45:00-05:00');
    expect(cycleState(calendar, sev2, now)).toBe('AT_RISK');
    const sev4 = withTarget(sev2, SEV4);
    expect(cycleState(calendar, sev4, now)).toBe('ON_TRACK');
    expect(iso(nextTransitionAt(calendar, sev4, now))).toBe('2026-01-12T20:00:00Z');
  });
});

describe('nextTransitionAt', () => {
  it.each<{ name: string; facts: CycleFacts; now: string; expected: string | null }>([
    { name: 'on track: the at-risk time', facts: facts(monday10, SEV2), now: '2026-01-12T15:00:00Z', expected: '2026-01-12T16:30:00Z' },
    { name: 'at risk: the due time', facts: facts(monday10, SEV2), now: '2026-01-12T16:45:00Z', expected: '2026-01-12T17:00:00Z' },
    { name: 'breached: none', facts: facts(monday10, SEV2), now: '2026-01-12T17:30:00Z', expected: null },
    {
      name: 'met: none',
      facts: facts(monday10, SEV2, { stoppedAt: '2026-01-12T16:45:00Z' }),
      now: '2026-01-12T17:00:00Z',
      expected: null,
    },
    {
      name: 'stopped late: none',
      facts: facts(monday10, SEV2, { stoppedAt: '2026-01-12T17:30:00Z' }),
      now: '2026-01-12T18:00:00Z',
      expected: null,
    },
    {
      name: 'paused: none',
      facts: facts(monday10, SEV2, { pauses: [['2026-01-12T10:30:00-05:00', null]] }),
      now: '2026-01-12T11:00:00-05:00',
      expected: null,
    },
    {
      name: 'resumed: the shifted at-risk time',
      facts: facts(monday10, SEV2, { pauses: pausedHalfHour }),
      now: '2026-01-12T11:00:00-05:00',
      expected: '2026-01-12T17:00:00Z',
    },
    {
      // Filed Sat: at risk Mon 10:30 EST = 15:30Z, even though nothing happens over the weekend.
      name: 'filed on Saturday: the at-risk time on Monday',
      facts: facts('2026-01-17T10:00:00-05:00', SEV2),
      now: '2026-01-17T10:00:00-05:00',
      expected: '2026-01-19T15:30:00Z',
    },
  ])('$name', ({ facts: cycle, now, expected }) => {
    expect(iso(nextTransitionAt(calendar, cycle, at(now)))).toBe(expected);
  });
});

describe('clockRunning', () => {
  it.each<{ name: string; facts: CycleFacts; now: string; running: boolean; changesAt: string | null }>([
    {
      // Mon 17:00 EST = 22:00Z.
      name: 'business hours, inside them: running until the close',
      facts: facts(monday10, SEV2),
      now: '2026-01-12T11:00:00-05:00',
      running: true,
      changesAt: '2026-01-12T22:00:00Z',
    },
    {
      // Due 12:00 EST; the clock still counts, so the remaining time goes on falling below zero.
      name: 'business hours, breached: still running',
      facts: facts(monday10, SEV2),
      now: '2026-01-12T16:00:00-05:00',
      running: true,
      changesAt: '2026-01-12T22:00:00Z',
    },
    {
      // Mon 09:00 EST = 14:00Z.
      name: 'business hours, filed on Friday night: stopped until Monday 09:00',
      facts: facts('2026-01-16T23:00:00-05:00', SEV2),
      now: '2026-01-17T12:00:00-05:00',
      running: false,
      changesAt: '2026-01-19T14:00:00Z',
    },
    {
      // Fri 25 is a holiday: Mon 28 09:00 EST = 14:00Z.
      name: 'business hours, on a holiday: not running until the next working day',
      facts: facts('2026-12-24T16:00:00-05:00', SEV2),
      now: '2026-12-25T10:00:00-05:00',
      running: false,
      changesAt: '2026-12-28T14:00:00Z',
    },
    {
      // Resumed at 11:00 EST: counting again until 17:00 EST.
      name: 'business hours, resumed: running until the close',
      facts: facts(monday10, SEV2, { pauses: pausedHalfHour }),
      now: '2026-01-12T11:00:00-05:00',
      running: true,
      changesAt: '2026-01-12T22:00:00Z',
    },
    {
      name: 'business hours, paused: not running, no change by time',
      facts: facts(monday10, SEV2, { pauses: [['2026-01-12T10:30:00-05:00', null]] }),
      now: '2026-01-12T11:00:00-05:00',
      running: false,
      changesAt: null,
    },
    {
      name: 'business hours, paused at night: no opening either',
      facts: facts(monday10, SEV2, { pauses: [['2026-01-12T10:30:00-05:00', null]] }),
      now: '2026-01-12T20:00:00-05:00',
      running: false,
      changesAt: null,
    },
    {
      name: 'business hours, stopped: not running, no change by time',
      facts: facts(monday10, SEV2, { stoppedAt: '2026-01-12T10:45:00-05:00' }),
      now: '2026-01-12T11:00:00-05:00',
      running: false,
      changesAt: null,
    },
    {
      name: 'calendar clock on a Saturday night: running round the clock',
      facts: facts('2026-01-17T22:30:00-05:00', SEV1),
      now: '2026-01-17T22:45:00-05:00',
      running: true,
      changesAt: null,
    },
    {
      name: 'calendar clock, paused',
      facts: facts('2026-01-17T22:30:00-05:00', SEV1, { pauses: [['2026-01-17T22:40:00-05:00', null]] }),
      now: '2026-01-17T22:45:00-05:00',
      running: false,
      changesAt: null,
    },
    {
      name: 'calendar clock, stopped',
      facts: facts('2026-01-17T22:30:00-05:00', SEV1, { stoppedAt: '2026-01-17T22:40:00-05:00' }),
      now: '2026-01-17T22:45:00-05:00',
      running: false,
      changesAt: null,
    },
  ])('$name', ({ facts: cycle, now, running, changesAt }) => {
    const clock = clockRunning(calendar, cycle, at(now));
    expect({ running: clock.running, changesAt: iso(clock.changesAt) }).toEqual({ running, changesAt });
  });
});

describe('targetFor', () => {
  const policy: PolicyLevel[] = [
    { severity: 'SEV1', targetSeconds: 3600, clock: 'CALENDAR' },
    { severity: 'SEV2', targetSeconds: 7200, clock: 'BUSINESS_HOURS' },
    { severity: 'SEV3', targetSeconds: 14400, clock: 'BUSINESS_HOURS' },
    { severity: 'SEV4', targetSeconds: 28800, clock: 'BUSINESS_HOURS' },
  ];
  const overrides = [{ severity: 'SEV2', targetSeconds: 1800, clock: 'CALENDAR' as const }];

  it.each([
    { severity: 'SEV1', overrides: [], expected: SEV1 },
    { severity: 'SEV2', overrides: [], expected: SEV2 },
    { severity: 'SEV4', overrides: [], expected: SEV4 },
    { severity: 'SEV2', overrides, expected: { seconds: 1800, clock: 'CALENDAR' } },
    { severity: 'SEV3', overrides, expected: SEV3 },
  ])('$severity with $overrides.length override(s)', ({ severity, overrides: contract, expected }) => {
    expect(targetFor(severity, policy, contract)).toEqual(expected);
  });

  it('a contract override applies even to a severity the policy lacks', () => {
    expect(targetFor('SEV5', policy, [{ severity: 'SEV5', targetSeconds: 2880 * 60, clock: 'BUSINESS_HOURS' }])).toEqual({
      seconds: 2880 * 60,
      clock: 'BUSINESS_HOURS',
    });
  });

  it('a severity without a target is an error', () => {
    expect(() => targetFor('SEV5', policy, overrides)).toThrow('The policy has no target for SEV5.');
  });
});
