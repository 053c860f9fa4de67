// Small helpers shared by the SDK's tests.

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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
export const within = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms))]);

/**
 * Subscriptions connect lazily and the server registers them a moment later, so a single change made right after
 * subscribing may go unheard: `poke` (e.g. a status change) is repeated until `heard` settles, then its value is returned.
 */
export async function pokeUntil<T>(heard: Promise<T>, poke: (step: number) => Promise<unknown>, what: string): Promise<T> {
  let settled = false;
  heard.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let step = 0; step < 40 && !settled; step += 1) {
    await poke(step);
    await Promise.race([heard.catch(() => {}), sleep(150)]);
  }
  return within(heard, 1000, what);
}
