// Retries: which requests may be sent again, how long to wait between tries, and waits that end when the caller
// aborts. Only what the transport marks `Retryable` is retried; GraphQL errors never are.
import type { EscalateError } from './errors.js';

export interface RetryOptions {
  /** Attempts in all, the first included (default 3). */
  attempts?: number;
  /** First backoff delay; doubles each time (default 250 ms). */
  baseDelayMs?: number;
  /** Longest wait between attempts, `Retry-After` included (default 30 s). */
  maxDelayMs?: number;
}

/** How the subscription socket reconnects after it drops; see `ClientOptions.reconnect`. */
export interface ReconnectOptions {
  /** Reconnect attempts in a row before subscriptions fail with a `NetworkError` (default: no limit). */
  attempts?: number;
  /** The wait before the first attempt, at most; doubles each attempt (default 500 ms). */
  baseDelayMs?: number;
  /** The longest wait between attempts (default 10 s). */
  maxDelayMs?: number;
}

/** The reconnect options with their defaults: retry for ever, 500 ms doubling up to 10 s. */
export function reconnectPolicy(options: ReconnectOptions | undefined): Required<ReconnectOptions> {
  return { attempts: Number.POSITIVE_INFINITY, baseDelayMs: 500, maxDelayMs: 10_000, ...options };
}

/**
 * The wait before reconnect attempt `attempt` (1 for the first after a drop): `baseDelayMs` doubling each attempt,
 * capped at `maxDelayMs`, then jittered down to between half of it and all of it, so that the many clients a server
 * restart disconnects at once do not all come back at the same moment. With the defaults: 250–500 ms, 0.5–1 s, 1–2 s,
 * 2–4 s, 4–8 s, then 5–10 s for as long as it takes.
 */
export function reconnectDelay(attempt: number, options: ReconnectOptions = {}, random: () => number = Math.random): number {
  const policy = reconnectPolicy(options);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(ceiling * (0.5 + random() / 2));
}

/** How the client waits; see `ClientOptions.sleep`. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** A transport-level failure that a retry may fix, with the wait the server asked for (`Retry-After`), if any. */
export class Retryable extends Error {
  constructor(
    readonly failure: EscalateError,
    readonly waitSeconds: number | null,
  ) {
    super(failure.message);
  }
}

/** The retry options with their defaults; `false` means one attempt. */
export function retryPolicy(options: RetryOptions | false | undefined): Required<RetryOptions> {
  return options === false ? { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 } : { attempts: 3, baseDelayMs: 250, maxDelayMs: 30_000, ...options };
}

/**
 * Whether sending an operation again is safe: a query is, and so is a mutation whose input carries an
 * `idempotencyKey` (the server answers a repeat with the first result instead of applying it twice).
 */
export function mayRetry(operation: 'query' | 'mutation' | 'subscription' | undefined, variables: unknown): boolean {
  const input = (variables as { input?: { idempotencyKey?: unknown } } | undefined)?.input;
  return operation === 'query' || (operation === 'mutation' && typeof input?.idempotencyKey === 'string' && input.idempotencyKey.length > 0);
}

/**
 * Runs `attempt` until it succeeds, fails for good, or the tries run out (then the last failure is thrown). Waits
 * what the server asked, or else `baseDelayMs` doubling each time, never longer than `maxDelayMs`.
 */
export async function withRetries<R>(attempt: () => Promise<R>, policy: Required<RetryOptions>, sleep: Sleep, signal?: AbortSignal): Promise<R> {
  for (let attemptNumber = 1; ; attemptNumber += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof Retryable)) throw error;
      if (attemptNumber >= policy.attempts) throw error.failure;
      const backoff = policy.baseDelayMs * 2 ** (attemptNumber - 1);
      await sleep(Math.min(policy.maxDelayMs, error.waitSeconds !== null ? error.waitSeconds * 1000 : backoff), signal);
    }
  }
}

/** The default `ClientOptions.sleep`: a timer, cleared when the signal aborts. */
export function timerSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** `sleep` made to reject with the signal's reason as soon as it aborts, whether or not `sleep` listens to it. */
export function abortable(sleep: Sleep): Sleep {
  return (ms, signal) => {
    if (!signal) return sleep(ms);
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      sleep(ms, signal)
        .then(resolve, reject)
        .finally(() => signal.removeEventListener('abort', onAbort));
    });
  };
}
