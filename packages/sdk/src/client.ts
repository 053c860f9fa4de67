// The Escalate client: `createClient` composes the pieces, each in its own file: transport.ts (HTTP and the graphql-ws
// socket), retries.ts, errors.ts, operations.ts (the generated methods), pagination.ts and subscriptions.ts.
import { type AnyDocument, operationOf } from './document.js';
import { operationMethods, type OperationMethods, type RequestOptions } from './operations.js';
import { type Paginators, paginators } from './pagination.js';
import { abortable, mayRetry, type ReconnectOptions, reconnectPolicy, type RetryOptions, retryPolicy, timerSleep, withRetries } from './retries.js';
import { type SubscribeToDocument, subscribeOver, subscriptions, type Subscriptions } from './subscriptions.js';
import { httpTransport, type OnConnectionEvent, socketTransport, webSocketUrl } from './transport.js';

export interface ClientOptions {
  /** The GraphQL endpoint, e.g. `https://escalate.example/graphql`; subscriptions use the same path over ws(s). */
  url: string;
  /** The subscription endpoint, when it is not `url` over ws:// (for http://) or wss:// (for https://). */
  wsUrl?: string;
  /** A bearer token (JWT). */
  token?: string;
  /**
   * Called before every request and every (re)connection of the subscription socket, for tokens that change. When the
   * server closes the socket for the token (4403, e.g. expired), the client asks again and reconnects with the new one.
   */
  getToken?: () => string | null | undefined | Promise<string | null | undefined>;
  /** Defaults to the global `fetch`. */
  fetch?: typeof fetch;
  /** A WebSocket implementation where there is no global one (Node.js 20: pass the `ws` package's default export). */
  webSocketImpl?: unknown;
  /** Retries of queries (and of mutations that carry an `idempotencyKey`); `false` turns them off. */
  retry?: RetryOptions | false;
  /** Reconnects of the subscription socket: for ever by default, waiting 500 ms doubling up to 10 s, jittered. */
  reconnect?: ReconnectOptions;
  /** Extra headers on every HTTP request. */
  headers?: Record<string, string>;
  /**
   * How the client waits: between retries (backoff or `Retry-After`) and before reconnecting the subscription socket.
   * Defaults to a timer. Pass your own to control time, e.g. in tests: record `ms` and resolve at once. An aborted
   * request stops waiting whatever this function does; `signal` is passed so that it can cancel its own timer.
   */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Runs any operation over HTTP with the client's token, typed errors and retries, typed by the document. */
export type RequestDocument = <R, V>(document: AnyDocument<R, V>, variables?: V, options?: RequestOptions) => Promise<R>;

/** The client `createClient` returns: a typed method per operation (`OperationMethods`), and the members below. */
export interface EscalateClient extends OperationMethods {
  /** Async iterators over every page of each connection: `for await (const page of client.paginate.tickets({ first: 50 }))`. */
  paginate: Paginators;
  /** Live updates as async iterables: `for await (const change of client.subscribe.slaStatusChanged({ organizationId }))`. */
  subscribe: Subscriptions;
  /** Any operation, e.g. your own `TypedDocumentNode`, with the same authentication, errors and retries. */
  request: RequestDocument;
  /**
   * Listens to the subscription socket's state: `'connected'`, `'disconnected'` (once per outage, with `since`, when it
   * went down) and `'reconnecting'` (before each attempt, with its delay). Returns the function that stops listening.
   */
  on: OnConnectionEvent;
  /** Closes the subscription socket; a later subscription opens a new one. */
  close(): Promise<void>;
}

/**
 * What every client does, without the generated methods: `request` and `subscribeTo` any document, the socket's
 * state, `close`. A browser app that imports this and the documents it uses (`TicketsDocument`, …) bundles only
 * those, rather than every operation's, as `createClient` must for its methods.
 */
export interface EscalateRequester {
  /** Any operation over HTTP, with the client's token, typed errors and retries, typed by the document. */
  request: RequestDocument;
  /** Any subscription over the socket, as an async iterable of its events. */
  subscribeTo: SubscribeToDocument;
  /** As `EscalateClient.on`. */
  on: OnConnectionEvent;
  /** Closes the subscription socket; a later subscription opens a new one. */
  close(): Promise<void>;
}

export function createRequester(options: ClientOptions): EscalateRequester {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (!fetchImpl) throw new Error('No fetch available: pass `fetch` in the client options.');
  const token = async () => (options.getToken ? await options.getToken() : options.token) ?? null;
  const sleep = abortable(options.sleep ?? timerSleep);
  const retry = retryPolicy(options.retry);
  const send = httpTransport({ url: options.url, fetch: fetchImpl, headers: options.headers, token });
  const socket = socketTransport({
    url: options.wsUrl ?? webSocketUrl(options.url),
    webSocketImpl: options.webSocketImpl,
    token,
    tokenRenews: options.getToken !== undefined,
    sleep,
    reconnect: reconnectPolicy(options.reconnect),
  });

  async function request<R, V>(document: AnyDocument<R, V>, variables?: V, { signal }: RequestOptions = {}): Promise<R> {
    const { query, operationName, kind } = await operationOf(document);
    const attempt = () => send<R>(query, operationName, variables ?? {}, signal);
    return withRetries(attempt, mayRetry(kind, variables) ? retry : retryPolicy(false), sleep, signal);
  }
  return { request, subscribeTo: subscribeOver(socket), on: socket.on, close: socket.close };
}

export function createClient(options: ClientOptions): EscalateClient {
  const { request, subscribeTo, on, close } = createRequester(options);
  const methods = operationMethods(request, subscribeTo);
  return { ...methods, paginate: paginators(methods), subscribe: subscriptions(methods, subscribeTo), request, on, close };
}
