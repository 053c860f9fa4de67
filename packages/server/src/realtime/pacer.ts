// When a background worker (the SLA timer, the outbox) looks for work: at the moment its next piece falls due, as
// the database says after each pass, and at once when a transaction on any instance schedules earlier work (a DUE
// message, after commit). Otherwise it sleeps, at most `maxSleepMs`, so an idle instance sends the database a few
// statements a minute instead of several a second, and a missed message costs at most that long.
import { Logger } from 'pino';
import { DueMessage, Realtime } from './pubsub';

/** A failed pass (the database away) is tried again this soon. */
const RETRY_AFTER_FAILURE_MS = 1000;

export interface PacerOptions {
  worker: DueMessage['worker'];
  /** Hears DUE messages for `worker`; without it the pacer wakes only when its passes say. */
  realtime?: Realtime | undefined;
  clock: () => Date;
  log: Logger;
  maxSleepMs: number;
  /** Does the work due now; returns when the next piece falls due, or null when nothing is pending. */
  pass: () => Promise<Date | null>;
}

export class Pacer {
  private timeout: NodeJS.Timeout | null = null;
  /** Clock time of the next look while one is scheduled. */
  private wakeAt = Infinity;
  /** The earliest DUE heard while a pass ran: the pass may have read the database before that work was committed. */
  private heardDuringPass = Infinity;
  private passing: Promise<void> | null = null;
  private stopped = true;
  private stopListening: (() => void) | null = null;

  constructor(private readonly options: PacerOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.listen();
    this.schedule(0);
  }

  /** No more looks; waits for a pass under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopListening?.();
    this.stopListening = null;
    if (this.timeout) clearTimeout(this.timeout);
    this.timeout = null;
    await this.passing;
  }

  private listen(): void {
    const { realtime, worker } = this.options;
    if (!realtime) return;
    const messages = realtime.subscribe('DUE')[Symbol.asyncIterator]();
    this.stopListening = () => void messages.return?.();
    void (async () => {
      for (;;) {
        const { value, done } = await messages.next();
        if (done) return;
        if (value.worker === worker) this.wakeBy(Date.parse(value.at));
      }
    })().catch((error: unknown) => this.options.log.warn({ err: error, worker }, 'stopped hearing DUE messages'));
  }

  private wakeBy(at: number): void {
    if (this.stopped) return;
    if (this.passing) {
      this.heardDuringPass = Math.min(this.heardDuringPass, at);
      return;
    }
    if (at < this.wakeAt) this.schedule(at - this.options.clock().getTime());
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timeout) clearTimeout(this.timeout);
    const delay = Math.max(0, Math.min(this.options.maxSleepMs, delayMs));
    this.wakeAt = this.options.clock().getTime() + delay;
    this.timeout = setTimeout(() => {
      this.timeout = null;
      this.wakeAt = Infinity;
      this.passing = this.run().finally(() => {
        this.passing = null;
      });
    }, delay);
  }

  private async run(): Promise<void> {
    this.heardDuringPass = Infinity;
    let next = Infinity;
    try {
      const due = await this.options.pass();
      if (due) next = due.getTime();
    } catch (error) {
      this.options.log.error({ err: error, worker: this.options.worker }, 'background pass failed');
      next = this.options.clock().getTime() + RETRY_AFTER_FAILURE_MS;
    }
    const earliest = Math.min(next, this.heardDuringPass);
    this.schedule(earliest - this.options.clock().getTime());
  }
}
