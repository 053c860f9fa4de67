// Transport: one GraphQL request over HTTP (a POST with the bearer token; statuses and bodies become typed errors,
// those a retry may fix wrapped in `Retryable`), and the one graphql-ws socket all subscriptions share, with its
// reconnects and the connection events `client.on` reports.
// The client's own entry point: graphql-ws's main one also carries its server, and graphql with it, into a browser bundle.
import { createClient as createWsClient } from 'graphql-ws/client';
import type { Client as WsClient } from 'graphql-ws';
import { errorFromGraphQL, type GraphQLErrorShape, NetworkError, RateLimitedError } from './errors.js';
import { type ReconnectOptions, reconnectDelay, Retryable, type Sleep } from './retries.js';

/** The bearer token for the next request or connection, if any. */
export type TokenSource = () => Promise<string | null>;

/** Sends one operation and returns its data, or throws a typed error (`Retryable` around those worth another try). */
export type HttpTransport = <R>(query: string, operationName: string | undefined, variables: unknown, signal?: AbortSignal) => Promise<R>;

export function httpTransport(options: { url: string; fetch: typeof fetch; headers?: Record<string, string>; token: TokenSource }): HttpTransport {
  return async function send<R>(query: string, operationName: string | undefined, variables: unknown, signal?: AbortSignal): Promise<R> {
    const bearer = await options.token();
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...options.headers,
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
    };
    const context = { operationName, variables };
    const what = operationName ?? 'request';
    let response: Response;
    try {
      // Called as a function, not as a method of `options`: a browser's fetch refuses any `this` but the window.
      const fetchImpl = options.fetch;
      response = await fetchImpl(options.url, { method: 'POST', headers, body: JSON.stringify({ query, variables, operationName }), signal });
    } catch (cause) {
      // The caller gave up (AbortSignal): not a network failure, and not retried.
      if (signal?.aborted) throw cause;
      throw new Retryable(new NetworkError(`${what}: the server could not be reached`, { ...context, cause }), null);
    }
    if (response.status === 429) {
      const wait = retryAfterSeconds(response.headers.get('retry-after'));
      throw new Retryable(new RateLimitedError(`${what}: rate limited`, { ...context, status: 429 }, wait), wait);
    }
    if (response.status === 502 || response.status === 503 || response.status === 504) {
      const wait = retryAfterSeconds(response.headers.get('retry-after'));
      throw new Retryable(new NetworkError(`${what}: the server is unavailable (${response.status})`, { ...context, status: response.status }), wait);
    }
    let body: { data?: R | null; errors?: GraphQLErrorShape[] };
    try {
      body = (await response.json()) as typeof body;
    } catch (cause) {
      if (signal?.aborted) throw cause;
      throw new NetworkError(`${what}: the server answered ${response.status} without a GraphQL body`, { ...context, status: response.status, cause });
    }
    if (body.errors?.length) throw errorFromGraphQL(body.errors, { ...context, data: body.data, status: response.status });
    if (!response.ok || body.data == null) throw new NetworkError(`${what}: unexpected answer (${response.status})`, { ...context, status: response.status });
    return body.data;
  };
}

/** Seconds to wait from a `Retry-After` header (seconds or an HTTP date), or null. */
function retryAfterSeconds(header: string | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, (date - Date.now()) / 1000);
}

/** A WebSocket close event (graphql-ws hands them to the subscriber when the socket closes for good). */
export function isCloseEvent(value: unknown): value is { code: number; reason: string } {
  return typeof value === 'object' && value !== null && typeof (value as { code?: unknown }).code === 'number' && 'reason' in value;
}

/**
 * Close codes that refuse the token: 4401 (Unauthorized) and 4403 (Forbidden; the server's "token expired" too).
 * Reconnecting with the same token cannot help; with `getToken`, the client asks for a fresh one and tries again.
 */
export const REFUSED_CLOSE_CODES = new Set([4401, 4403]);

/** The subscription socket's URL by default: the HTTP endpoint's, over ws:// for http:// and wss:// for https://. */
export function webSocketUrl(httpUrl: string): string {
  return httpUrl.replace(/^http(s?):/i, (_, secure: string) => (secure ? 'wss:' : 'ws:'));
}

/** The connection events `client.on` reports, with what each carries. */
export interface ConnectionEvents {
  /** The socket is open and the server accepted the token; `reconnected` when it follows a `disconnected`. */
  connected: { at: Date; reconnected: boolean };
  /**
   * The socket went down while subscriptions need it (or could not be opened): once per outage, with when it went
   * down, the close code and reason (`code` null when it failed without a close, e.g. no route to the server).
   */
  disconnected: { since: Date; code: number | null; reason: string };
  /** The client waits `delayMs` before reconnect attempt `attempt` (1, 2, … since the outage began at `since`). */
  reconnecting: { attempt: number; delayMs: number; since: Date };
}

/** A connection event's name: `'connected' | 'disconnected' | 'reconnecting'`. */
export type ConnectionEvent = keyof ConnectionEvents;

/** Listens to a connection event; returns the function that stops listening. */
export type OnConnectionEvent = <E extends ConnectionEvent>(event: E, listener: (detail: ConnectionEvents[E]) => void) => () => void;

/**
 * The subscription socket, opened by the first `get()` and shared until `close()`; `get()` after `close()` opens a new
 * one. Each subscription `hold()`s it while it runs, so that a close with none running (graphql-ws closes an idle
 * socket itself) is not reported as an outage.
 */
export interface SocketTransport {
  get(): WsClient;
  /** Counts a running subscription; call the returned function (once or more) when it ends. */
  hold(): () => void;
  on: OnConnectionEvent;
  close(): Promise<void>;
}

export interface SocketOptions {
  /** The graphql-ws endpoint, ws:// or wss://. */
  url: string;
  webSocketImpl?: unknown;
  token: TokenSource;
  /** Whether asking `token` again may give a different token (`getToken`): then a refused token is asked afresh. */
  tokenRenews: boolean;
  sleep: Sleep;
  reconnect: Required<ReconnectOptions>;
}

/** Thrown to graphql-ws when a token the server refused is all getToken has: subscriptions fail with it. */
export class TokenNotRenewed extends Error {
  constructor() {
    super('the server refused the token, and getToken gave the same one again');
  }
}

export function socketTransport(options: SocketOptions): SocketTransport {
  let socket: WsClient | null = null;
  /** The current socket's: set by close(), so that the close it causes is not reported as an outage. */
  let current = { disposing: false };
  let holds = 0;
  // Connection state, across sockets: `down` from a loss until the next `connected`, `downSince` when it began.
  let state: 'idle' | 'connected' | 'down' = 'idle';
  let downSince: Date | null = null;
  const listeners: { [E in ConnectionEvent]: Set<(detail: ConnectionEvents[E]) => void> } = {
    connected: new Set(),
    disconnected: new Set(),
    reconnecting: new Set(),
  };
  const emit = <E extends ConnectionEvent>(event: E, detail: ConnectionEvents[E]) => {
    for (const listener of [...listeners[event]]) {
      try {
        listener(detail);
      } catch (error) {
        // A listener's bug must not break the socket: reported as an uncaught error, as an event listener's is.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  };
  const wentDown = (code: number | null, reason: string) => {
    if (state === 'down') return; // one outage, however many attempts fail
    state = 'down';
    downSince = new Date();
    emit('disconnected', { since: downSince, code, reason });
  };

  return {
    get() {
      if (socket) return socket;
      const WebSocketImpl = options.webSocketImpl ?? (globalThis as { WebSocket?: unknown }).WebSocket;
      if (!WebSocketImpl) throw new Error('No WebSocket available: pass `webSocketImpl` (e.g. the `ws` package) to createClient.');
      const mine = { disposing: false };
      current = mine;
      // The token sent with the last connection_init, and the one the server refused (4401/4403), if any, until a
      // connection succeeds: getToken answering the refused token again means no fresh one is coming.
      let sentToken: string | null = null;
      let refusedToken: string | null | undefined;
      socket = createWsClient({
        url: options.url,
        webSocketImpl: WebSocketImpl,
        lazy: true,
        // Called by graphql-ws at every connection, reconnections included: the token is asked afresh each time.
        connectionParams: async () => {
          const bearer = await options.token();
          if (refusedToken !== undefined && bearer === refusedToken) {
            throw new TokenNotRenewed();
          }
          sentToken = bearer;
          return bearer ? { authorization: `Bearer ${bearer}` } : {};
        },
        // Reconnect for as long as a subscriber listens (or `reconnect.attempts` in a row). A refused token is tried
        // again only when getToken may give another one.
        retryAttempts: options.reconnect.attempts,
        shouldRetry: (errorOrClose) => {
          if (errorOrClose instanceof TokenNotRenewed) return false;
          if (isCloseEvent(errorOrClose) && REFUSED_CLOSE_CODES.has(errorOrClose.code)) {
            if (!options.tokenRenews) return false;
            refusedToken = sentToken;
          }
          return true;
        },
        retryWait: async (retries) => {
          const attempt = retries + 1;
          const delayMs = reconnectDelay(attempt, options.reconnect);
          wentDown(null, 'connection failed');
          emit('reconnecting', { attempt, delayMs, since: downSince! });
          await options.sleep(delayMs);
        },
        on: {
          connected: () => {
            const reconnected = state === 'down';
            state = 'connected';
            downSince = null;
            refusedToken = undefined;
            emit('connected', { at: new Date(), reconnected });
          },
          closed: (event) => {
            // Closed on purpose: by close(), or by graphql-ws because no subscription needs the socket any more.
            if (mine.disposing || holds === 0) {
              state = 'idle';
              downSince = null;
              return;
            }
            const close = isCloseEvent(event) ? event : null;
            wentDown(close?.code ?? null, close?.reason || 'connection closed');
          },
        },
      });
      return socket;
    },
    hold() {
      holds += 1;
      let held = true;
      return () => {
        if (held) holds -= 1;
        held = false;
      };
    },
    on(event, listener) {
      listeners[event].add(listener);
      return () => void listeners[event].delete(listener);
    },
    async close() {
      current.disposing = true;
      // dispose() waits for a connection under way; one that failed, or was dropped because nothing needs it any
      // more (graphql-ws: 1000 "All Subscriptions Gone"), leaves nothing to close.
      try {
        await socket?.dispose();
      } catch {
        // nothing to close
      }
      socket = null;
    },
  };
}
