// The Escalate client: one typed method per operation (generated), pagination over every connection,
// subscriptions as async iterables over graphql-ws with reconnection, typed errors and safe retries.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type DocumentNode, getOperationAST, print } from 'graphql';
import { type Client as WsClient, createClient as createWsClient } from 'graphql-ws';
import * as Operations from './_generated/graphql.js';
import { getSdk } from './_generated/sdk.js';
import { AuthenticationError, errorFromGraphQL, EscalateError, type GraphQLErrorShape, NetworkError, RateLimitedError } from './errors.js';

export interface RetryOptions {
  /** Attempts in all, the first included (default 3). */
  attempts?: number;
  /** First backoff delay; doubles each time (default 250 ms). */
  baseDelayMs?: number;
  /** Longest wait between attempts, `Retry-After` included (default 30 s). */
  maxDelayMs?: number;
}

export interface ClientOptions {
  /** The GraphQL endpoint, e.g. `https://escalate.example/graphql`; subscriptions use the same path over ws(s). */
  url: string;
  /** A bearer token (JWT). */
  token?: string;
  /** Called before every request and connection, for tokens that change. */
  getToken?: () => string | null | undefined | Promise<string | null | undefined>;
  /** Defaults to the global `fetch`. */
  fetch?: typeof fetch;
  /** A WebSocket implementation where there is no global one (Node.js 20: pass the `ws` package's default export). */
  webSocketImpl?: unknown;
  /** Retries of queries (and of mutations that carry an `idempotencyKey`); `false` turns them off. */
  retry?: RetryOptions | false;
  /** Extra headers on every HTTP request. */
  headers?: Record<string, string>;
  /**
   * How the client waits: between retries (backoff or `Retry-After`) and before reconnecting the subscription socket.
   * Defaults to a timer. Pass your own to control time, e.g. in tests: record `ms` and resolve at once. An aborted
   * request stops waiting whatever this function does; `signal` is passed so that it can cancel its own timer.
   */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Per-call options: the last argument of every method, e.g. `client.tickets({ first: 20 }, { signal })`. */
export interface RequestOptions {
  /** Aborts the request and any wait between its retries (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
}

/** The default `ClientOptions.sleep`: a timer, cleared when the signal aborts. */
function timerSleep(ms: number, signal?: AbortSignal): Promise<void> {
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

/** `sleep(ms, signal)`, but rejecting with the signal's reason as soon as it aborts, whether or not `sleep` listens to it. */
function abortableSleep(sleep: NonNullable<ClientOptions['sleep']>, ms: number, signal?: AbortSignal): Promise<void> {
  if (!signal) return sleep(ms);
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    sleep(ms, signal)
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Seconds to wait from a `Retry-After` header (seconds or an HTTP date), or null. */
function retryAfterSeconds(header: string | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, (date - Date.now()) / 1000);
}

function hasIdempotencyKey(variables: unknown): boolean {
  const input = (variables as { input?: { idempotencyKey?: unknown } } | undefined)?.input;
  return typeof input?.idempotencyKey === 'string' && input.idempotencyKey.length > 0;
}

/** A transport-level failure that a retry may fix. */
class Retryable extends Error {
  constructor(
    readonly failure: EscalateError,
    readonly waitSeconds: number | null,
  ) {
    super(failure.message);
  }
}

/** A WebSocket close event (graphql-ws hands them to the subscriber when the socket closes for good). */
function isCloseEvent(value: unknown): value is { code: number; reason: string } {
  return typeof value === 'object' && value !== null && typeof (value as { code?: unknown }).code === 'number' && 'reason' in value;
}

/** Close codes after which reconnecting cannot help: the server refused the token (4401 Unauthorized, 4403 Forbidden). */
const REFUSED_CLOSE_CODES = new Set([4401, 4403]);

export function createClient(options: ClientOptions) {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (!fetchImpl) throw new Error('No fetch available: pass `fetch` to createClient.');
  const retry = options.retry === false ? { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 } : { attempts: 3, baseDelayMs: 250, maxDelayMs: 30_000, ...options.retry };
  const token = async () => (options.getToken ? await options.getToken() : options.token) ?? null;
  const sleep = (ms: number, signal?: AbortSignal) => abortableSleep(options.sleep ?? timerSleep, ms, signal);
  let ws: WsClient | null = null;

  async function attempt<R>(query: string, operationName: string | undefined, variables: unknown, signal?: AbortSignal): Promise<R> {
    const bearer = await token();
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...options.headers,
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
    };
    const context = { operationName, variables };
    let response: Response;
    try {
      response = await fetchImpl(options.url, { method: 'POST', headers, body: JSON.stringify({ query, variables, operationName }), signal });
    } catch (cause) {
      // The caller gave up (AbortSignal): not a network failure, and not retried.
      if (signal?.aborted) throw cause;
      throw new Retryable(new NetworkError(`${operationName ?? 'request'}: the server could not be reached`, { ...context, cause }), null);
    }
    if (response.status === 429) {
      const wait = retryAfterSeconds(response.headers.get('retry-after'));
      throw new Retryable(new RateLimitedError(`${operationName ?? 'request'}: rate limited`, { ...context, status: 429 }, wait), wait);
    }
    if (response.status === 502 || response.status === 503 || response.status === 504) {
      const wait = retryAfterSeconds(response.headers.get('retry-after'));
      throw new Retryable(new NetworkError(`${operationName ?? 'request'}: the server is unavailable (${response.status})`, { ...context, status: response.status }), wait);
    }
    let body: { data?: R | null; errors?: GraphQLErrorShape[] };
    try {
      body = (await response.json()) as typeof body;
    } catch (cause) {
      if (signal?.aborted) throw cause;
      throw new NetworkError(`${operationName ?? 'request'}: the server answered ${response.status} without a GraphQL body`, { ...context, status: response.status, cause });
    }
    if (body.errors?.length) throw errorFromGraphQL(body.errors, { ...context, data: body.data, status: response.status });
    if (!response.ok || body.data == null) {
      throw new NetworkError(`${operationName ?? 'request'}: unexpected answer (${response.status})`, { ...context, status: response.status });
    }
    return body.data;
  }

  /** Runs any operation over HTTP: retried when it is a query, or a mutation with an idempotency key. */
  async function request<R, V>(document: TypedDocumentNode<R, V> | DocumentNode, variables?: V, requestOptions: RequestOptions = {}): Promise<R> {
    const operation = getOperationAST(document);
    const operationName = operation?.name?.value;
    const retryable = operation?.operation === 'query' || (operation?.operation === 'mutation' && hasIdempotencyKey(variables));
    const query = print(document);
    for (let attemptNumber = 1; ; attemptNumber += 1) {
      try {
        return await attempt<R>(query, operationName, variables ?? {}, requestOptions.signal);
      } catch (error) {
        if (!(error instanceof Retryable)) throw error;
        if (!retryable || attemptNumber >= retry.attempts) throw error.failure;
        const backoff = retry.baseDelayMs * 2 ** (attemptNumber - 1);
        await sleep(Math.min(retry.maxDelayMs, error.waitSeconds !== null ? error.waitSeconds * 1000 : backoff), requestOptions.signal);
      }
    }
  }

  function socket(): WsClient {
    if (ws) return ws;
    const WebSocketImpl = options.webSocketImpl ?? (globalThis as { WebSocket?: unknown }).WebSocket;
    if (!WebSocketImpl) throw new Error('No WebSocket available: pass `webSocketImpl` (e.g. the `ws` package) to createClient.');
    ws = createWsClient({
      url: options.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocketImpl,
      lazy: true,
      connectionParams: async () => {
        const bearer = await token();
        return bearer ? { authorization: `Bearer ${bearer}` } : {};
      },
      // Reconnect for as long as the subscriber listens, backing off up to 30 s; a refused token is not retried.
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: (errorOrClose) => !(isCloseEvent(errorOrClose) && REFUSED_CLOSE_CODES.has(errorOrClose.code)),
      retryWait: async (retries) => sleep(Math.min(30_000, 500 * 2 ** retries) * (0.5 + Math.random() / 2)),
    });
    return ws;
  }

  /** Subscribes over graphql-ws; iterate with `for await`, `break` to unsubscribe. */
  function subscribe<R, V>(document: TypedDocumentNode<R, V> | DocumentNode, variables?: V): AsyncIterable<R> {
    const operationName = getOperationAST(document)?.name?.value;
    const query = print(document);
    return {
      [Symbol.asyncIterator]() {
        const iterator = socket().iterate<R>({ query, variables: (variables ?? {}) as Record<string, unknown>, operationName })[Symbol.asyncIterator]();
        const fail = (error: unknown): never => {
          if (Array.isArray(error)) throw errorFromGraphQL(error as GraphQLErrorShape[], { operationName, variables });
          if (error instanceof EscalateError) throw error;
          const context = { operationName, variables, cause: error };
          if (isCloseEvent(error) && REFUSED_CLOSE_CODES.has(error.code)) {
            throw new AuthenticationError(`${operationName ?? 'subscription'}: the server refused the token (${error.code} ${error.reason})`, context);
          }
          if (isCloseEvent(error)) {
            throw new NetworkError(`${operationName ?? 'subscription'}: the connection closed (${error.code}${error.reason ? ` ${error.reason}` : ''})`, context);
          }
          throw new NetworkError(`${operationName ?? 'subscription'}: the connection failed`, { operationName, variables, cause: error });
        };
        return {
          async next() {
            try {
              const result = await iterator.next();
              if (result.done) return { done: true, value: undefined };
              if (result.value.errors?.length) fail(result.value.errors);
              return { done: false, value: result.value.data as R };
            } catch (error) {
              return fail(error);
            }
          },
          async return() {
            await iterator.return?.();
            return { done: true, value: undefined };
          },
        };
      },
    };
  }

  const requester = <R, V>(document: DocumentNode, variables?: V, requestOptions?: RequestOptions): Promise<R> | AsyncIterable<R> =>
    getOperationAST(document)?.operation === 'subscription' ? subscribe<R, V>(document, variables) : request<R, V>(document, variables, requestOptions);

  const sdk = getSdk<RequestOptions>(requester);

  /** Every page of a connection, following `endCursor` until `hasNextPage` is false. */
  async function* pages<V extends { after?: string | null }, C extends { pageInfo: { hasNextPage: boolean; endCursor: string | null } }>(
    fetchPage: (variables: V) => Promise<C | null | undefined>,
    variables: V,
  ): AsyncGenerator<C, void, undefined> {
    let after = variables.after ?? null;
    for (;;) {
      const page = await fetchPage({ ...variables, after });
      if (!page) return;
      yield page;
      if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return;
      after = page.pageInfo.endCursor;
    }
  }

  const paginate = {
    tickets: (variables: Operations.TicketsQueryVariables = {}) => pages(async (v) => (await sdk.tickets(v)).tickets, variables),
    organizations: (variables: Operations.OrganizationsQueryVariables = {}) =>
      pages(async (v) => (await sdk.organizations(v)).organizations, variables),
    escalations: (variables: Operations.EscalationsQueryVariables = {}) => pages(async (v) => (await sdk.escalations(v)).escalations, variables),
    ticketNotes: (variables: Operations.TicketNotesQueryVariables) => pages(async (v) => (await sdk.ticketNotes(v)).ticket?.notes, variables),
    ticketTimeline: (variables: Operations.TicketTimelineQueryVariables) =>
      pages(async (v) => (await sdk.ticketTimeline(v)).ticket?.timeline, variables),
  };

  return {
    ...sdk,
    /** Async iterators over every page of each connection: `for await (const page of client.paginate.tickets({ first: 50 }))`. */
    paginate,
    /** Live updates as async iterables: `for await (const change of client.subscribe.slaStatusChanged({ organizationId }))`. */
    subscribe: {
      ticketStatusChanged: sdk.ticketStatusChanged,
      slaStatusChanged: sdk.slaStatusChanged,
      ticketEvents: sdk.ticketEvents,
      escalationChanged: sdk.escalationChanged,
      /** Any subscription document. */
      document: subscribe,
    },
    /** Any operation, e.g. your own `TypedDocumentNode`. */
    request,
    /** Closes the subscription socket. */
    async close(): Promise<void> {
      await ws?.dispose();
      ws = null;
    },
  };
}

export type EscalateClient = ReturnType<typeof createClient>;
