// Subscriptions: graphql-ws on the HTTP server's /graphql path, with the limits that keep one client within its share:
// message size, connection-init timeout, operations per socket, sockets per user (per IP address until a token
// names the user), and the end of a socket whose token expires.
import type { IncomingMessage } from 'node:http';
import { MikroORM } from '@mikro-orm/postgresql';
import { DocumentNode, ExecutionArgs, getOperationAST, GraphQLError, GraphQLSchema, parse, validate } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { decodeJwt } from 'jose';
import { randomUUID } from 'node:crypto';
import { Server } from 'node:http';
import { Logger } from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import { bearerToken, InvalidTokenError, verifyToken } from '../auth/token';
import { Viewer, ViewerDirectory } from '../auth/viewer';
import { WebSocketLimits } from '../config';
import { Clock, Context } from '../context';
import type { Metrics, OperationType } from '../metrics';
import { ClientAddress } from './client-address';
import { readOnlyRefusal } from '../auth/read-only';
import { MAX_PENDING, SubscriberTooSlowError } from '../realtime/pubsub';
import { limitViolation, QueryLimits } from './limits';
import { errorCodeOf, outcomeOf } from './request-log';
import { subscribeShared } from './shared-execution';

/** Close codes of ours; graphql-ws's own are 4403 (refused token) and 4408 (no `connection_init` in time). */
export const CLOSE_TOKEN_EXPIRED = 4403;
export const CLOSE_TOO_MANY_SOCKETS = 4429;

export interface SubscriptionServerOptions {
  httpServer: Server;
  schema: GraphQLSchema;
  orm: MikroORM;
  jwtKey: Uint8Array;
  /** During a rotation (AUTH_JWT_SECRET_PREVIOUS): tokens signed with it are still accepted. */
  previousJwtKey?: Uint8Array | undefined;
  clock: Clock;
  log: Logger;
  metrics?: Metrics | undefined;
  viewers: ViewerDirectory;
  queryLimits: QueryLimits;
  socketLimits: WebSocketLimits;
  contextFor: (viewer: Viewer | null, log: Logger) => Context;
  /** True once the server is stopping: no new socket is accepted. */
  isDraining: () => boolean;
  /** Whose address an upgrade request counts against: the same rule as HTTP's (TRUST_PROXY). */
  clientAddress: ClientAddress;
  /** Whether a new connection from this request may open now: null, or the seconds to wait (refused with 429). */
  admit?: (request: IncomingMessage) => Promise<number | null>;
  /** Whether the request's Origin (a browser app's) may connect (CORS_ORIGINS); refused with 403. */
  originAllowed?: (request: IncomingMessage) => boolean;
}

export interface SubscriptionServer {
  /** Closes every socket with 1001 Going Away (so clients reconnect elsewhere) and cuts those that do not answer. */
  close(): Promise<void>;
}

interface SocketState {
  /** Whose quota the socket counts against: `ip:<address>` until a token names the user, then `user:<id>`. */
  holder: string;
  /** When the token expires (ms since the epoch); null for an anonymous socket. */
  expiresAt: number | null;
  expiryTimer: NodeJS.Timeout | null;
  closed: boolean;
  /** The server's logger with the socket's id bound: its connect, subscription and close lines, and its operations'. */
  log: Logger;
  openedAt: number;
  /** The ids of the subscriptions running on it now. */
  running: Set<string>;
  /** Subscriptions started on it so far. */
  started: number;
}

/** How long a WebSocket client has to answer our close frame before its connection is cut. */
const CLOSE_GRACE_MS = 2_000;
/** setTimeout's longest delay; a token that lives longer is watched in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Routes upgrades of /graphql to graphql-ws. The upgrade is routed by hand (noServer) so that the HTTP server's own
 * errors, such as a port in use, stay the HTTP server's and are not re-emitted to the WebSocket server.
 *
 * An expired token closes its socket with 4403 "token expired". Each socket has a timer set for its token's `exp`
 * that closes it then; the timer asks the server's clock whether the time has come and re-arms itself if not, so a
 * clock that is not the system's (a test's) decides. The same check runs before every event is sent and every
 * operation is started, which makes the close deterministic under a moved clock, and means that an event due after
 * `exp` is never sent even if the timer is late.
 */
export function serveSubscriptions(options: SubscriptionServerOptions): SubscriptionServer {
  const { httpServer, schema, orm, jwtKey, previousJwtKey, clock, log, metrics, viewers, queryLimits, socketLimits } = options;
  const openSockets = new SocketCount(socketLimits.maxSocketsPerUser);
  const states = new WeakMap<WebSocket, SocketState>();
  // ws refuses a larger message from its frame header, before reading it, and closes with 1009 Message Too Big.
  const wsServer = new WebSocketServer({ noServer: true, maxPayload: socketLimits.maxMessageBytes });

  const closeIfExpired = (socket: WebSocket, state: SocketState): boolean => {
    if (state.expiresAt === null || clock().getTime() < state.expiresAt) return false;
    socket.close(CLOSE_TOKEN_EXPIRED, 'token expired');
    return true;
  };
  const watchExpiry = (socket: WebSocket, state: SocketState) => {
    if (state.closed || state.expiresAt === null || closeIfExpired(socket, state)) return;
    const left = state.expiresAt - clock().getTime();
    state.expiryTimer = setTimeout(() => watchExpiry(socket, state), Math.min(left, MAX_TIMER_MS)).unref();
  };

  httpServer.on('upgrade', async (request, socket, head) => {
    if (options.isDraining() || new URL(request.url ?? '/', 'http://localhost').pathname !== '/graphql') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    if (options.originAllowed && !options.originAllowed(request)) {
      log.info({ origin: request.headers.origin }, 'WebSocket refused: origin not in CORS_ORIGINS');
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    const wait = await options.admit?.(request);
    if (wait != null) {
      socket.end(`HTTP/1.1 429 Too Many Requests\r\nRetry-After: ${wait}\r\nConnection: close\r\n\r\n`);
      return;
    }
    wsServer.handleUpgrade(request, socket, head, (client) => {
      // Until `connection_init` names a user, a socket counts against its address: a client cannot hold sockets
      // open by never signing in.
      const address = options.clientAddress(request);
      const holder = `ip:${address}`;
      if (!openSockets.take(holder)) {
        log.info({ holder }, 'WebSocket refused: too many sockets');
        client.close(CLOSE_TOO_MANY_SOCKETS, `Too many sockets: at most ${socketLimits.maxSocketsPerUser} per IP address until signed in`);
        return;
      }
      const state: SocketState = {
        holder,
        expiresAt: null,
        expiryTimer: null,
        closed: false,
        log: log.child({ socketId: randomUUID(), address }),
        openedAt: performance.now(),
        running: new Set(),
        started: 0,
      };
      states.set(client, state);
      metrics?.socketOpened();
      // Before graphql-ws's own listener (added by the `connection` event below), which ends the subscriptions.
      client.once('close', (code) => {
        state.closed = true;
        openSockets.release(state.holder);
        if (state.expiryTimer) clearTimeout(state.expiryTimer);
        metrics?.socketClosed();
        metrics?.subscriptionsEnded(state.running.size);
        state.running.clear();
        const ours = code === 1011 || code === 4500; // an internal error, ws's or graphql-ws's
        const durationMs = Math.round(performance.now() - state.openedAt);
        state.log[ours ? 'error' : 'info']({ code, durationMs, subscriptions: state.started }, 'WebSocket closed');
      });
      wsServer.emit('connection', client, request);
      // ws emits an error only for what the client sent (a message over the size limit, a bad frame), after it has
      // closed the socket with the code that says so. A client's mistake: logged at info, where graphql-ws's own
      // listener would print it to the console as an internal error and try to close the socket a second time.
      client.removeAllListeners('error');
      client.on('error', (error) => log.info({ err: error }, 'WebSocket closed: the client broke the protocol'));
    });
  });

  const documents = new ValidatedDocuments(schema);
  const subscriptions = useServer<Record<string, unknown>, { viewer: Viewer | null }>(
    {
      schema,
      connectionInitWaitTimeout: socketLimits.initTimeoutMs,
      subscribe: (args) => subscribeShared(args, (args.contextValue as Context).viewer),
      onConnect: async (connection) => {
        const { socket } = connection.extra;
        const state = states.get(socket)!;
        let viewer: Viewer | null = null;
        try {
          // `authorization` as the spec says; any capitalization, as the playground sends its headers.
          const params = connection.connectionParams ?? {};
          const authorization = Object.entries(params).find(([key]) => key.toLowerCase() === 'authorization')?.[1];
          const token = bearerToken(typeof authorization === 'string' ? authorization : null);
          if (token) {
            const now = clock();
            viewer = await viewers.viewerFor(orm.em, await verifyToken(token, jwtKey, now, previousJwtKey), now);
            state.expiresAt = decodeJwt(token).exp! * 1000; // verifyToken requires `exp`
          }
        } catch (error) {
          if (error instanceof InvalidTokenError) return false; // graphql-ws closes with 4403
          throw error;
        }
        if (state.closed) return false;
        if (viewer) {
          const holder = `user:${viewer.userId}`;
          if (!openSockets.take(holder)) {
            log.info({ holder }, 'WebSocket refused: too many sockets');
            // Closed before graphql-ws answers: its own close (4403) then finds the socket closing and does nothing.
            socket.close(CLOSE_TOO_MANY_SOCKETS, `Too many sockets: at most ${socketLimits.maxSocketsPerUser} per user`);
            return false;
          }
          openSockets.release(state.holder);
          state.holder = holder;
          watchExpiry(socket, state);
        }
        connection.extra.viewer = viewer;
        state.log.info({ role: viewer?.role ?? null, organizationId: viewer?.organizationId ?? null }, 'WebSocket connected');
        return true;
      },
      context: (connection) => options.contextFor(connection.extra.viewer ?? null, states.get(connection.extra.socket)!.log),
      onSubscribe: (connection, _id, payload) => {
        const admitted = admit(connection, payload);
        if (Array.isArray(admitted)) {
          // Here, graphql-js's validation errors are the ones without a code.
          const codes = admitted.map((error: GraphQLError) => (error.extensions?.code ? errorCodeOf(error) : 'GRAPHQL_VALIDATION_FAILED'));
          answered(states.get(connection.extra.socket)!, { name: payload.operationName ?? null, type: null }, codes);
        }
        return admitted;
      },
      onOperation: (connection, id, _payload, args, result) => {
        const state = states.get(connection.extra.socket)!;
        const operation = getOperationAST(args.document, args.operationName);
        const named = { name: operation?.name?.value ?? null, type: (operation?.operation ?? null) as OperationType | null };
        const answer = result as Awaited<typeof result>; // awaited by graphql-ws, though its type admits the promise
        if (!(Symbol.asyncIterator in answer)) return answered(state, named, (answer.errors ?? []).map(errorCodeOf));
        if (state.closed) return; // graphql-ws ends it at once
        state.running.add(id);
        state.started += 1;
        metrics?.subscriptionsStarted();
        answered(state, named);
      },
      onComplete: (connection, id) => {
        if (states.get(connection.extra.socket)!.running.delete(id)) metrics?.subscriptionsEnded();
      },
      // A subscription ended for falling behind says so with a code (graphql-ws keeps only its message).
      onError: (connection, id, _payload, errors) => {
        const answers = errors.map((error) =>
          error.originalError instanceof SubscriberTooSlowError
            ? new GraphQLError(error.message, { extensions: { code: 'SUBSCRIBER_TOO_SLOW', limit: MAX_PENDING } })
            : error,
        );
        // A running subscription's end; a refusal (onSubscribe's errors come here too) was counted when refused.
        if (metrics && states.get(connection.extra.socket)!.running.has(id)) for (const answer of answers) metrics.graphqlError(errorCodeOf(answer));
        return answers;
      },
      // A closing socket sends nothing: the event is dropped.
      onNext: (connection, id) => {
        const state = states.get(connection.extra.socket)!;
        if (!closeIfExpired(connection.extra.socket, state) && state.running.has(id)) metrics?.subscriptionEventDelivered();
      },
    },
    wsServer,
  );

  /** An operation started, answered or refused on a socket (`errorCodes` say why): counted, and a line in the log. */
  function answered(state: SocketState, operation: { name: string | null; type: OperationType | null }, errorCodes: readonly string[] = []): void {
    const outcome = outcomeOf(errorCodes) ?? 'ok';
    metrics?.graphqlRequest({ ...operation, outcome });
    for (const code of errorCodes) metrics?.graphqlError(code);
    const line = { operationName: operation.name?.slice(0, 100) ?? null, operationType: operation.type, outcome };
    const message = outcome !== 'ok' ? 'operation refused' : operation.type === 'subscription' ? 'subscription started' : 'operation answered';
    state.log[outcome === 'INTERNAL_SERVER_ERROR' ? 'error' : 'info'](line, message);
  }

  /** The limits and checks an operation passes before it runs: its arguments for graphql-ws, or why it may not run. */
  function admit(
    connection: { extra: { socket: WebSocket; viewer?: Viewer | null }; subscriptions: Record<string, unknown> },
    payload: { query: string; variables?: Record<string, unknown> | null; operationName?: string | null },
  ): ExecutionArgs | readonly GraphQLError[] | undefined {
    // An error would not reach the client: the socket is closing.
    if (closeIfExpired(connection.extra.socket, states.get(connection.extra.socket)!)) {
      return [new GraphQLError('token expired', { extensions: { code: 'UNAUTHENTICATED' } })];
    }
    // graphql-ws has entered this operation already.
    const { maxSubscriptionsPerSocket } = socketLimits;
    if (Object.keys(connection.subscriptions).length > maxSubscriptionsPerSocket) {
      return [
        new GraphQLError(`At most ${maxSubscriptionsPerSocket} subscriptions may run on one connection; complete one before starting another.`, {
          extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: maxSubscriptionsPerSocket },
        }),
      ];
    }
    // The same limits as over HTTP, before validation; then validated here, once per distinct document, and
    // handed to graphql-ws ready to run (it would parse and validate again).
    const document = documents.parse(payload.query);
    if (!document) return undefined; // not a document: graphql-ws answers the syntax error itself
    const violation = limitViolation(schema, document, payload.variables ?? {}, payload.operationName ?? undefined, queryLimits);
    if (violation) return [violation];
    const errors = documents.validate(payload.query, document);
    if (errors.length) return errors;
    const refusal = readOnlyRefusal(connection.extra.viewer ?? null, document, payload.operationName);
    if (refusal) return [refusal];
    return { schema, document, variableValues: payload.variables, operationName: payload.operationName };
  }

  return {
    async close() {
      const clients = [...wsServer.clients];
      const cut = setTimeout(() => {
        for (const client of clients) if (client.readyState !== WebSocket.CLOSED) client.terminate();
      }, CLOSE_GRACE_MS);
      try {
        await subscriptions.dispose();
      } finally {
        clearTimeout(cut);
      }
    },
  };
}

/** Open sockets per holder, each at most `max`. */
class SocketCount {
  private readonly open = new Map<string, number>();

  constructor(private readonly max: number) {}

  take(holder: string): boolean {
    const count = this.open.get(holder) ?? 0;
    if (count >= this.max) return false;
    this.open.set(holder, count + 1);
    return true;
  }

  release(holder: string): void {
    const count = (this.open.get(holder) ?? 0) - 1;
    if (count > 0) this.open.set(holder, count);
    else this.open.delete(holder);
  }
}

/**
 * Documents that passed the limits and were validated against the schema, by their text, the least recently used
 * forgotten: a dashboard's clients subscribe with the same few documents, thousands at once after a restart.
 */
class ValidatedDocuments {
  private static readonly MAX_DOCUMENTS = 500;
  /** Longer texts are parsed and validated each time rather than held. */
  private static readonly MAX_TEXT = 20_000;
  private readonly known = new Map<string, { document: DocumentNode; errors: readonly GraphQLError[] }>();

  constructor(private readonly schema: GraphQLSchema) {}

  /** The document, or null when the text is not one. */
  parse(query: string): DocumentNode | null {
    const known = this.known.get(query);
    if (known) return known.document;
    try {
      return parse(query);
    } catch {
      return null;
    }
  }

  /** graphql-js's validation of a document within the limits (quadratic in repeated fields: never before them). */
  validate(query: string, document: DocumentNode): readonly GraphQLError[] {
    const known = this.known.get(query);
    if (known) {
      this.known.delete(query);
      this.known.set(query, known);
      return known.errors;
    }
    const errors = validate(this.schema, document);
    if (query.length <= ValidatedDocuments.MAX_TEXT) {
      this.known.set(query, { document, errors });
      if (this.known.size > ValidatedDocuments.MAX_DOCUMENTS) this.known.delete(this.known.keys().next().value!);
    }
    return errors;
  }
}
