// How many SLA due dates (cycleTimes: due and at-risk instants) the engine computes per second, over a mix of
// calendars and severities with start instants spread over a year. Run with `npm run bench:sla`.
import { BusinessCalendarSpec, compileCalendar, CompiledCalendar, Weekday } from '../src/sla/business-calendar';
import { CycleFacts, cycleTimes, SlaTargetSpec } from '../src/sla/cycle';

const WARM_UP_MS = 500;
const RUN_MS = 2_000;
const WEEKDAYS: Weekday[] = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'];

function weekdays(timezone: string, hours: [string, string][], holidays: string[] = []): BusinessCalendarSpec {
  return { timezone, weeklyHours: WEEKDAYS.flatMap((day) => hours.map(([start, end]) => ({ day, start, end }))), holidays };
}

/** Every Monday and the first of every month of 2026–2027 off: a calendar with many holidays. */
function manyHolidays(): string[] {
  const days: string[] = [];
  for (let day = Date.UTC(2026, 0, 1); day < Date.UTC(2028, 0, 1); day += 86_400_000) {
    const date = new Date(day);
    if (date.getUTCDay() === 1 || date.getUTCDate() === 1) days.push(date.toISOString().slice(0, 10));
  }
  return days;
}

const calendars: CompiledCalendar[] = [
  weekdays('America/New_York', [['09:00', '17:00']]),
  weekdays('Europe/Berlin', [['09:00', '17:00']]),
  weekdays('Australia/Sydney', [['09:00', '17:00']]),
  weekdays('Europe/Berlin', [
    ['09:00', '12:00'],
    ['13:00', '17:00'],
  ]),
  weekdays('America/New_York', [['08:00', '18:00']], manyHolidays()),
].map(compileCalendar);

const targets: SlaTargetSpec[] = [
  { seconds: 3600, clock: 'CALENDAR' },
  { seconds: 7200, clock: 'BUSINESS_HOURS' },
  { seconds: 14400, clock: 'BUSINESS_HOURS' },
  { seconds: 28800, clock: 'BUSINESS_HOURS' },
];

/** A small deterministic generator, so every run measures the same work. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

const next = random(42);
const YEAR_START = Date.UTC(2026, 0, 1);
const YEAR_MS = 365 * 86_400_000;
const cases: { calendar: CompiledCalendar; facts: CycleFacts }[] = [];
for (let i = 0; i < 4096; i += 1) {
  const startedAt = YEAR_START + Math.floor(next() * YEAR_MS);
  // One cycle in four was paused for up to a day and resumed.
  const pauses = i % 4 === 0 ? [{ from: startedAt + 10 * 60_000, to: startedAt + 10 * 60_000 + Math.floor(next() * 86_400_000) }] : [];
  cases.push({
    calendar: calendars[i % calendars.length]!,
    facts: { metric: 'FIRST_RESPONSE', startedAt, target: targets[Math.floor(next() * targets.length)]!, pauses, stoppedAt: null },
  });
}

/** Runs computations for about `durationMs`; returns how many and how long they took. */
function run(durationMs: number): { count: number; elapsedMs: number; checksum: number } {
  let count = 0;
  let checksum = 0;
  const begin = performance.now();
  let now = begin;
  while (now - begin < durationMs) {
    for (let i = 0; i < 1024; i += 1) {
      const { calendar, facts } = cases[(count + i) % cases.length]!;
      const { dueAt, atRiskAt } = cycleTimes(calendar, facts);
      checksum = (checksum + (dueAt ?? 0) - (atRiskAt ?? 0)) % 1_000_000_007;
    }
    count += 1024;
    now = performance.now();
  }
  return { count, elapsedMs: now - begin, checksum };
}

run(WARM_UP_MS);
const { count, elapsedMs, checksum } = run(RUN_MS);
const perSecond = Math.round((count / elapsedMs) * 1000);
console.log(
  `sla due-date computations: ${perSecond.toLocaleString('en-US')} per second ` +
    `(${count.toLocaleString('en-US')} in ${Math.round(elapsedMs).toLocaleString('en-US')} ms; checksum ${checksum})`,
);
