// Transport: one GraphQL request over HTTP (a POST with the bearer token; statuses and bodies become typed errors,
// those a retry may fix wrapped in `Retryable`), and the one graphql-ws socket all subscriptions share.
import { type Client as WsClient, createClient as createWsClient } from 'graphql-ws';
import { errorFromGraphQL, type GraphQLErrorShape, NetworkError, RateLimitedError } from './errors.js';
import { Retryable, type Sleep } from './retries.js';

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
      response = await options.fetch(options.url, { method: 'POST', headers, body: JSON.stringify({ query, variables, operationName }), signal });
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

/** Close codes after which reconnecting cannot help: the server refused the token (4401 Unauthorized, 4403 Forbidden). */
export const REFUSED_CLOSE_CODES = new Set([4401, 4403]);

/** The subscription socket, opened by the first `get()` and shared until `close()`; `get()` after `close()` opens a new one. */
export interface SocketTransport {
  get(): WsClient;
  close(): Promise<void>;
}

export function socketTransport(options: { url: string; webSocketImpl?: unknown; token: TokenSource; sleep: Sleep }): SocketTransport {
  let socket: WsClient | null = null;
  return {
    get() {
      if (socket) return socket;
      const WebSocketImpl = options.webSocketImpl ?? (globalThis as { WebSocket?: unknown }).WebSocket;
      if (!WebSocketImpl) throw new Error('No WebSocket available: pass `webSocketImpl` (e.g. the `ws` package) to createClient.');
      socket = createWsClient({
        url: options.url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocketImpl,
        lazy: true,
        connectionParams: async () => {
          const bearer = await options.token();
          return bearer ? { authorization: `Bearer ${bearer}` } : {};
        },
        // Reconnect for as long as the subscriber listens, backing off up to 30 s; a refused token is not retried.
        retryAttempts: Number.POSITIVE_INFINITY,
        shouldRetry: (errorOrClose) => !(isCloseEvent(errorOrClose) && REFUSED_CLOSE_CODES.has(errorOrClose.code)),
        retryWait: async (retries) => options.sleep(Math.min(30_000, 500 * 2 ** retries) * (0.5 + Math.random() / 2)),
      });
      return socket;
    },
    async close() {
      await socket?.dispose();
      socket = null;
    },
  };
}
