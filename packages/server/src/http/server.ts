// Apollo Server on Express at /graphql, with the playground, health endpoints and authentication in front.
import { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import { MikroORM } from '@mikro-orm/postgresql';
import express, { NextFunction, Request, Response } from 'express';
import { GraphQLFormattedError } from 'graphql';
import { createServer as createHttpServer, Server } from 'node:http';
import { Logger } from 'pino';
import { bearerToken, InvalidTokenError, verifyToken } from '../auth/token';
import { Viewer, ViewerDirectory } from '../auth/viewer';
import { listenOn } from '../common/listen';
import { Loaders } from '../common/loaders';
import { Config } from '../config';
import { Clock, Context, systemClock } from '../context';
import { readOnlyRefusal } from '../auth/read-only';
import { LiveLog } from '../events/live-log';
import type { Metrics } from '../metrics';
import { Realtime } from '../realtime/pubsub';
import { DEFAULT_LIMITS, GraphQLParams, QueryLimits, requestLimitViolation } from './limits';
import { clientAddressOf } from './client-address';
import { clientMistakesPlugin } from './client-mistakes';
import { corsMiddleware, upgradeOriginAllowed } from './cors';
import { dashboardRouter } from './dashboard';
import { playgroundRouter } from './playground';
import { createRateLimits } from './rate-limits';
import { errorCodeOf, recordGraphQLRequest, requestLog, requestRecordPlugin, withRecord } from './request-log';
import { buildEscalateSchema } from './schema';
import { serveSubscriptions } from './websocket';

export interface ServerOptions {
  orm: MikroORM;
  config: Config;
  log: Logger;
  /** Verifies tokens; the demo and `npm run token` sign with it (AUTH_JWT_SECRET). */
  jwtKey: Uint8Array;
  /** During a rotation (AUTH_JWT_SECRET_PREVIOUS): tokens signed with it are still accepted. */
  previousJwtKey?: Uint8Array | undefined;
  realtime: Realtime;
  /** What Prometheus scrapes (metrics.ts); unset, nothing is counted. */
  metrics?: Metrics | undefined;
  clock?: Clock;
  limits?: QueryLimits;
  /** The wall screen's built files; default packages/dashboard/dist. */
  dashboardDir?: string;
}

export interface EscalateServer {
  httpServer: Server;
  /** Listens on the port (0: any free one) and returns the GraphQL endpoint's URL. */
  listen(port: number, host?: string): Promise<string>;
  /**
   * Shuts down gracefully: `/readyz` answers 503 from now on, no new connection is accepted, WebSocket clients are
   * closed with 1001 (going away, so they reconnect elsewhere), and running HTTP requests finish. Safe to call twice.
   */
  stop(): Promise<void>;
}

declare module 'express-serve-static-core' {
  interface Request {
    viewer?: Viewer | null;
  }
}

function graphqlErrorResponse(response: Response, status: number, message: string, code: string): void {
  response.req.graphql?.errorCodes.push(code);
  response.status(status).json({ errors: [{ message, extensions: { code } }] });
}

export async function createServer(options: ServerOptions): Promise<EscalateServer> {
  const { orm, config, log, jwtKey, previousJwtKey, metrics, clock = systemClock, limits = DEFAULT_LIMITS } = options;
  const schema = buildEscalateSchema(options.realtime);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  const clientAddress = clientAddressOf(app);
  const rateLimits = createRateLimits(config.rateLimits, { redisUrl: config.redisUrl, log });
  const httpServer = createHttpServer(app);
  const viewers = new ViewerDirectory();
  /** Set when stop() begins: `/readyz` answers 503 so load balancers send no more traffic here. */
  let draining = false;

  const live = new LiveLog({ orm, realtime: options.realtime, clock, log, metrics });
  await live.start();
  const contextFor = (viewer: Viewer | null, log: Logger): Context => {
    const em = orm.em.fork();
    return { viewer, em, loaders: new Loaders(em), clock, config, log, realtime: options.realtime, live };
  };

  // Subscriptions: graphql-ws on the same path, with its limits (websocket.ts).
  const subscriptions = serveSubscriptions({
    httpServer,
    schema,
    orm,
    jwtKey,
    previousJwtKey,
    clock,
    log,
    metrics,
    viewers,
    queryLimits: limits,
    socketLimits: config.websocket,
    contextFor,
    isDraining: () => draining,
    clientAddress,
    admit: (request) => rateLimits.take('ip', clientAddress(request)),
    originAllowed: (request) => upgradeOriginAllowed(config.cors, request),
  });

  const errorLogging: ApolloServerPlugin<Context> = {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            if (errorCodeOf(error) === 'INTERNAL_SERVER_ERROR') {
              contextValue.log.error({ err: error.originalError ?? error, path: error.path }, 'unexpected error');
            }
          }
        },
      };
    },
  };

  const refuseReadOnlyMutations: ApolloServerPlugin<Context> = {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operationName, contextValue }) {
          const refusal = readOnlyRefusal(contextValue.viewer, document, operationName);
          if (refusal) throw refusal;
        },
      };
    },
  };

  const apollo = new ApolloServer<Context>({
    schema,
    // The process owns SIGTERM/SIGINT (main.ts), and stops the server once, in order.
    stopOnTerminationSignals: false,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    // Authentication is by bearer header only, which a cross-site form cannot send; GET stays usable for queries.
    csrfPrevention: false,
    // Unexpected errors are logged (errorLogging) and reach clients without internals.
    formatError: (formatted: GraphQLFormattedError) => {
      const code = formatted.extensions?.code;
      if (code && code !== 'INTERNAL_SERVER_ERROR') return formatted;
      const { locations, path } = formatted;
      return { message: 'Internal server error', locations, path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    },
    // Not offered: a persisted-query hash that does not match its query would otherwise be an untyped error.
    persistedQueries: false,
    plugins: [
      requestRecordPlugin<Context>(),
      clientMistakesPlugin<Context>(schema),
      refuseReadOnlyMutations,
      // Requests under way get this long to finish once stop() has closed the listener.
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: DRAIN_GRACE_MS }),
      ApolloServerPluginLandingPageDisabled(),
      // We send no cache hints; Apollo's default plugin would still wrap every field's resolver to compute them.
      ApolloServerPluginCacheControlDisabled(),
      errorLogging,
    ],
  });
  await apollo.start();

  // Nothing served here is meant to be framed or sniffed; the playground sets its own, wider policy.
  app.use((_request, response, next) => {
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    response.setHeader('Referrer-Policy', 'no-referrer');
    next();
  });

  app.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });
  app.get('/readyz', async (_request, response) => {
    if (draining) {
      response.status(503).json({ status: 'shutting down' });
      return;
    }
    try {
      await orm.em.fork().execute('select 1');
      response.json({ status: 'ready' });
    } catch (error) {
      log.warn({ err: error }, 'database not reachable');
      response.status(503).json({ status: 'database unreachable' });
    }
  });

  app.use(requestLog({ log, metrics, quiet: (path) => path.startsWith('/playground/') }));
  // Before the playground's GET /graphql, which would answer a preflight itself (200, Allow: GET, HEAD), and before
  // everything else on /graphql, so that each answer (a 429, a 401) carries the headers a browser needs to read it.
  app.use('/graphql', corsMiddleware(config.cors));
  app.use(playgroundRouter());
  app.use(dashboardRouter(options.dashboardDir));

  const authenticate = async (request: Request, response: Response, next: NextFunction) => {
    try {
      const token = bearerToken(request.headers.authorization);
      if (!token) {
        request.viewer = null;
        return next();
      }
      const now = clock();
      const claims = await verifyToken(token, jwtKey, now, previousJwtKey);
      request.viewer = await viewers.viewerFor(orm.em, claims, now); // it forks only when it must read or write
      next();
    } catch (error) {
      if (!(error instanceof InvalidTokenError)) return next(error);
      // A refused token costs its address more than a request: forged tokens run out of allowance fast.
      const wait = await rateLimits.take('ip', clientAddress(request), config.rateLimits.failedAuthCost - 1);
      if (wait !== null) return tooManyRequests(response, wait);
      graphqlErrorResponse(response, 401, error.message, 'UNAUTHENTICATED');
    }
  };

  const limitRate = async (request: Request, response: Response, next: NextFunction) => {
    const wait = await rateLimits.take('ip', clientAddress(request));
    if (wait !== null) return tooManyRequests(response, wait);
    next();
  };
  // Size limits before anything else reads the operation: Apollo's validation costs time on oversized documents.
  const refuseOversizedOperations = (request: Request, response: Response, next: NextFunction) => {
    const params = (request.method === 'GET' ? request.query : request.body) as GraphQLParams | undefined;
    const violation = params && typeof params === 'object' ? requestLimitViolation(schema, params, limits) : null;
    if (violation) return graphqlErrorResponse(response, 400, violation.message, 'QUERY_TOO_COMPLEX');
    next();
  };

  const limitUserRate = async (request: Request, response: Response, next: NextFunction) => {
    const wait = request.viewer ? await rateLimits.take('user', request.viewer.userId) : null;
    if (wait !== null) return tooManyRequests(response, wait);
    next();
  };

  app.use(
    '/graphql',
    recordGraphQLRequest,
    limitRate,
    refuseLargeBodies,
    express.json({ limit: BODY_LIMIT_BYTES }),
    refuseOversizedOperations,
    authenticate,
    limitUserRate,
    expressMiddleware(apollo, {
      context: async ({ req }) => withRecord(req, contextFor(req.viewer ?? null, req.log)),
    }),
  );

  // Malformed JSON bodies and anything else that escapes: a GraphQL-shaped error, never an HTML page.
  app.use((error: Error & { status?: number; type?: string }, request: Request, response: Response, _next: NextFunction) => {
    if (error.status && error.status < 500) {
      return graphqlErrorResponse(response, error.status, `The request could not be read: ${error.message}`, 'BAD_REQUEST');
    }
    request.log?.error({ err: error }, 'request failed');
    graphqlErrorResponse(response, 500, 'Internal server error', 'INTERNAL_SERVER_ERROR');
  });

  let stopping: Promise<void> | null = null;
  const stop = async () => {
    draining = true;
    if (httpServer.listening) httpServer.close(); // no new connections from now on; the drain below waits for the rest
    await subscriptions.close();
    await live.stop();
    await apollo.stop();
    await rateLimits.close();
  };

  return {
    httpServer,
    listen: async (port, host = '0.0.0.0') =>
      `${await listenOn(httpServer, port, host, {
        inUse: `Port ${port} is already in use by another program: stop it, or choose another port, e.g. PORT=${port + 1} npm start`,
        privileged: `Port ${port} needs privileges this process does not have: choose a port above 1023 with PORT.`,
      })}/graphql`,
    stop: () => (stopping ??= stop()),
  };
}

function tooManyRequests(response: Response, waitSeconds: number): void {
  response.setHeader('Retry-After', String(waitSeconds));
  graphqlErrorResponse(response, 429, `Too many requests: try again in ${waitSeconds} s.`, 'RATE_LIMITED');
}

/** The largest request body read; a larger one is refused from its Content-Length, before it is read. */
const BODY_LIMIT_BYTES = 1024 * 1024;

function refuseLargeBodies(request: Request, response: Response, next: NextFunction): void {
  const length = Number(request.headers['content-length']);
  if (!(length > BODY_LIMIT_BYTES)) return next();
  response.setHeader('Connection', 'close'); // the body stays unread: the connection cannot carry another request
  graphqlErrorResponse(response, 413, `The request body is ${length} bytes; at most ${BODY_LIMIT_BYTES} are accepted.`, 'PAYLOAD_TOO_LARGE');
}

/** How long running HTTP requests may take to finish once the server stops; then their connections are cut. */
const DRAIN_GRACE_MS = 5_000;
