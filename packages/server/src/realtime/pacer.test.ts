// When a background worker looks for work: at its next due time, at most every maxSleepMs, and sooner when a DUE
// message says work falls due earlier. Fake timers move time; the worker's passes are counted, not its statements.
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Pacer } from './pacer';
import { createRealtime, Realtime } from './pubsub';

const START = Date.parse('2026-12-07T09:00:00Z');

describe('Pacer', () => {
  let realtime: Realtime;
  let pacer: Pacer | null;
  let passes: number[];
  /** What each pass answers: when work falls due next. */
  let nextDue: () => Date | null;

  beforeEach(() => {
    vi.useFakeTimers({ now: START });
    realtime = createRealtime();
    passes = [];
    nextDue = () => null;
    pacer = null;
  });
  afterEach(async () => {
    await pacer?.stop();
    await realtime.close();
    vi.useRealTimers();
  });

  function startPacer(maxSleepMs = 30_000, pass?: () => Promise<Date | null>) {
    pacer = new Pacer({
      worker: 'SLA_TIMER',
      realtime,
      clock: () => new Date(),
      log: pino({ level: 'silent' }),
      maxSleepMs,
      pass:
        pass ??
        (async () => {
          passes.push(Date.now() - START);
          return nextDue();
        }),
    });
    pacer.start();
  }
  const due = (worker: 'SLA_TIMER' | 'OUTBOX', afterMs: number) =>
    realtime.publish({ topic: 'DUE', payload: { worker, at: new Date(Date.now() + afterMs).toISOString() } });

  it('looks at once, then every maxSleepMs while nothing is pending: idle costs a pass per 30 s', async () => {
    startPacer();
    await vi.advanceTimersByTimeAsync(95_000);
    expect(passes).toEqual([0, 30_000, 60_000, 90_000]);
  });

  it('sleeps until the next due time the pass reports', async () => {
    nextDue = () => (passes.length === 1 ? new Date(START + 7_250) : null);
    startPacer();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(passes).toEqual([0, 7_250]);
  });

  it('wakes when a DUE message for its worker names an earlier moment, and ignores later ones and other workers', async () => {
    startPacer();
    await vi.advanceTimersByTimeAsync(1_000);
    due('OUTBOX', 1_000);
    due('SLA_TIMER', 60_000);
    due('SLA_TIMER', 2_000);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(passes).toEqual([0, 3_000]);
  });

  it('honours a DUE message heard while a pass runs (the pass may have read the database before it)', async () => {
    let finishPass!: () => void;
    startPacer(30_000, async () => {
      passes.push(Date.now() - START);
      if (passes.length === 1) await new Promise<void>((resolve) => (finishPass = resolve));
      return null;
    });
    await vi.advanceTimersByTimeAsync(0);
    due('SLA_TIMER', 500);
    await vi.advanceTimersByTimeAsync(100);
    finishPass();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(passes).toEqual([0, 500]);
  });

  it('retries a failed pass after a second, not after maxSleepMs', async () => {
    startPacer(30_000, async () => {
      passes.push(Date.now() - START);
      if (passes.length === 1) throw new Error('database away');
      return null;
    });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(passes).toEqual([0, 1_000]);
  });

  it('stops: no pass after stop(), and the DUE subscription ends', async () => {
    startPacer();
    await vi.advanceTimersByTimeAsync(0);
    await pacer!.stop();
    due('SLA_TIMER', 0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(passes).toEqual([0]);
  });
});
