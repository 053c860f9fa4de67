// The generated operation methods (one per document in operations/), sent over HTTP or, for subscriptions, the socket.
import { getSdk, type Request, type Subscribe } from './_generated/sdk.js';

/** Per-call options: the last argument of every method, e.g. `client.tickets({ first: 20 }, { signal })`. */
export interface RequestOptions {
  /** Aborts the request and any wait between its retries (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
}

/**
 * One typed method per operation in operations/, named after it: it takes the operation's variables (and
 * `RequestOptions`) and returns its data, e.g. `client.ticket({ number: 'RS-1001' })`; a subscription's returns an
 * async iterable of its events.
 */
export type OperationMethods = ReturnType<typeof getSdk<RequestOptions>>;

export function operationMethods(request: Request<RequestOptions>, subscribe: Subscribe): OperationMethods {
  return getSdk<RequestOptions>(request, subscribe);
}
