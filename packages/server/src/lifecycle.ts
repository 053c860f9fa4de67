// The process's one owner of SIGTERM and SIGINT: what was started is stopped in reverse order, once, within a
// deadline; a second signal ends the process at once.
import { Logger } from 'pino';

interface Running {
  name: string;
  stop: () => Promise<unknown>;
}

export interface LifecycleOptions {
  log: Logger;
  /** The whole shutdown's deadline; past it, the process exits 1 naming what did not stop. Default 9 s. */
  deadlineMs?: number;
  /** Ends the process; tests pass their own. */
  exit?: (code: number) => void;
}

export class Lifecycle {
  private readonly running: Running[] = [];
  private shutdown: Promise<number> | null = null;
  private readonly log: Logger;
  private readonly deadlineMs: number;
  private readonly exit: (code: number) => void;

  constructor(options: LifecycleOptions) {
    this.log = options.log;
    this.deadlineMs = options.deadlineMs ?? 9_000;
    this.exit = options.exit ?? ((code) => process.exit(code));
  }

  /** True once a shutdown began: start-up steps still under way give up instead of starting more. */
  get stopping(): boolean {
    return this.shutdown !== null;
  }

  /** Records something that now runs; it will be stopped before everything recorded earlier. */
  started(name: string, stop: () => Promise<unknown>): void {
    this.running.push({ name, stop });
  }

  /** SIGTERM or SIGINT: shut down and exit 0 (1 if something failed to stop); a second signal exits at once. */
  handleSignals(): void {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.on(signal, () => {
        if (this.shutdown) {
          this.log.warn({ signal }, 'second signal: exiting without waiting');
          this.exit(1);
          return;
        }
        this.log.info({ signal }, 'shutting down');
        void this.stop().then((code) => this.exit(code));
      });
    }
  }

  /** Stops everything in reverse order of start; resolves to the exit code (0: all stopped cleanly). */
  stop(): Promise<number> {
    this.shutdown ??= this.stopAll();
    return this.shutdown;
  }

  private async stopAll(): Promise<number> {
    let current = 'nothing';
    const deadline = setTimeout(() => {
      this.log.error({ waitingFor: current, deadlineMs: this.deadlineMs }, 'shutdown took too long: exiting anyway');
      this.exit(1);
    }, this.deadlineMs);
    deadline.unref();
    let code = 0;
    for (const { name, stop } of [...this.running].reverse()) {
      current = name;
      try {
        await stop();
        this.log.debug({ stopped: name }, 'stopped');
      } catch (error) {
        code = 1;
        this.log.error({ err: error, name }, 'did not stop cleanly');
      }
    }
    clearTimeout(deadline);
    this.running.length = 0;
    this.log.info('stopped');
    return code;
  }
}
