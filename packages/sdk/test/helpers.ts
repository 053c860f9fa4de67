// Small helpers shared by the SDK's tests. No assertion measures time: tests wait for the event itself, and the
// deadlines here only stop a test that would otherwise hang.

/** How long a test waits for something that should happen before it gives up: a guard, never what is asserted. */
export const GUARD_MS = 20_000;

/** What a promise rejected with; fails when it resolved. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** The promise's outcome, or a failure naming `what` after `ms`. */
export const within = <T>(promise: Promise<T>, what: string, ms = GUARD_MS): Promise<T> =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms))]);

/** One wait the client asked for through `ClientOptions.sleep`. */
export interface Wait {
  ms: number;
  /** Ends the wait: the client goes on. */
  end(): void;
}

/**
 * Time for a client under test (`createClient({ sleep: time.sleep })`): records the delay of every wait the client
 * asks for, and ends each one at once (`instant`) or only when the test calls `end()` (`held`). Tests assert the
 * delays the client asked for instead of measuring how long it took.
 */
export function fakeTime(mode: 'instant' | 'held' = 'instant') {
  const delays: number[] = [];
  const unclaimed: Wait[] = [];
  const claimers: ((wait: Wait) => void)[] = [];
  return {
    /** Every delay asked for so far, in milliseconds, in order. */
    delays,
    sleep: (ms: number): Promise<void> =>
      new Promise<void>((resolve) => {
        delays.push(ms);
        if (mode === 'instant') return resolve();
        const wait = { ms, end: () => resolve() };
        const claimer = claimers.shift();
        if (claimer) claimer(wait);
        else unclaimed.push(wait);
      }),
    /** The next held wait, as soon as the client asks for it. */
    nextWait: (): Promise<Wait> => {
      const wait = unclaimed.shift();
      return within(wait ? Promise.resolve(wait) : new Promise<Wait>((resolve) => claimers.push(resolve)), 'a wait asked for by the client');
    },
  };
}

/**
 * Subscriptions connect lazily and the server registers them a moment later, without saying so: a change made right
 * after subscribing may go unheard. So `poke` (e.g. a status change) is repeated until `heard` settles, and its
 * value returned. The pause between pokes only paces them; if nothing is heard within `GUARD_MS`, the test fails.
 * Several pokes may be heard: the caller tells its own events apart (e.g. by their `at`).
 */
export async function pokeUntil<T>(heard: Promise<T>, poke: (step: number) => Promise<unknown>, what: string): Promise<T> {
  let settled = false;
  heard.then(
    () => (settled = true),
    () => (settled = true),
  );
  const giveUpAt = Date.now() + GUARD_MS;
  for (let step = 0; !settled; step += 1) {
    if (Date.now() > giveUpAt) throw new Error(`${what}: nothing heard after ${step} pokes in ${GUARD_MS} ms`);
    await poke(step);
    await Promise.race([heard.catch(() => {}), new Promise((resolve) => setTimeout(resolve, 100))]);
  }
  return heard;
}

/** The port of a URL, e.g. a test server's, for a proxy in front of it. */
export const portOf = (url: string) => Number(new URL(url).port);
