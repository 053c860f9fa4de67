// One log line per HTTP request, the line an operator reads: method, path, the GraphQL operation, status, duration,
// who asked (role and organization: never the token, never a header) and the request id, which every other line of
// the request carries too. At `error` only for our own faults (a 5xx, an INTERNAL_SERVER_ERROR); a client's mistake
// is `info`. The same moment counts the GraphQL request in the metrics.
import { ApolloServerPlugin } from '@apollo/server';
import { NextFunction, Request, Response } from 'express';
import { GraphQLError } from 'graphql';
import { randomUUID } from 'node:crypto';
import { Logger } from 'pino';
import type { Metrics, OperationType } from '../metrics';

/** What a request to /graphql turned out to be: filled in by `requestRecordPlugin` and by the refusals before Apollo. */
export interface GraphQLRequestRecord {
  /** The operation's name: as resolved, else as the client named it; null for an anonymous one. */
  operationName: string | null;
  operationType: OperationType | null;
  /** The codes of the errors answered, in order; usually none. */
  errorCodes: string[];
}

declare module 'express-serve-static-core' {
  interface Request {
    /** The request's id: the caller's `x-request-id` when it is a plain one, else a new UUID; sent back. */
    id: string;
    /** The server's logger with the request id bound. */
    log: Logger;
    /** Set on the way into /graphql. */
    graphql?: GraphQLRequestRecord;
  }
}

export interface RequestLogOptions {
  log: Logger;
  metrics?: Metrics | undefined;
  /** Paths not worth a line each (the playground's assets). */
  quiet?: (path: string) => boolean;
}

/** Gives each request its id and logger, and writes its line (and counts it) once the response has gone. */
export function requestLog({ log, metrics, quiet }: RequestLogOptions) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const started = performance.now();
    const given = request.headers['x-request-id'];
    const id = typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    response.setHeader('x-request-id', id);
    request.id = id;
    request.log = log.child({ reqId: id });
    const { method, path } = request;
    if (quiet?.(path)) return next();
    response.once('close', () => {
      const seconds = (performance.now() - started) / 1000;
      const status = response.statusCode;
      const completed = response.writableFinished;
      const graphql = request.graphql;
      const outcome = graphql ? (outcomeOf(graphql.errorCodes) ?? (status >= 400 ? `HTTP_${status}` : completed ? 'ok' : 'aborted')) : null;
      const line = {
        method,
        path,
        ...(graphql && { operationName: graphql.operationName?.slice(0, 100) ?? null, operationType: graphql.operationType, outcome }),
        status,
        durationMs: Math.round(seconds * 10_000) / 10,
        role: request.viewer?.role ?? null,
        organizationId: request.viewer?.organizationId ?? null,
      };
      const ours = status >= 500 || outcome === INTERNAL;
      request.log[ours ? 'error' : 'info'](line, completed ? 'request completed' : 'request aborted');
      if (graphql && metrics) {
        metrics.graphqlRequest({ name: graphql.operationName, type: graphql.operationType, outcome: outcome! }, seconds);
        for (const code of graphql.errorCodes) metrics.graphqlError(code);
      }
    });
    next();
  };
}

/** Starts the record of a request to /graphql, for its log line and the metrics. */
export function recordGraphQLRequest(request: Request, _response: Response, next: NextFunction): void {
  request.graphql = { operationName: null, operationType: null, errorCodes: [] };
  next();
}

const INTERNAL = 'INTERNAL_SERVER_ERROR';

/** A GraphQL error's code; one without a code is an unexpected one, ours (as formatError answers it). */
export function errorCodeOf(error: GraphQLError): string {
  const code = error.extensions?.code;
  return typeof code === 'string' ? code : INTERNAL;
}

/**
 * The code that decided an operation: ours (INTERNAL_SERVER_ERROR) when it is among them, else the first; null when
 * there was no error. (Over HTTP, a 4xx that Apollo answers before any plugin hears of it has no code: `HTTP_<status>`.)
 */
export function outcomeOf(errorCodes: readonly string[]): string | null {
  if (errorCodes.includes(INTERNAL)) return INTERNAL;
  return errorCodes[0] ?? null;
}

/**
 * Where a context carries its request's record. A property, not a WeakMap keyed by the context: Apollo hands plugins
 * and resolvers a shallow copy of the context, which keeps the properties (symbols too) but not the identity.
 */
const RECORD = Symbol('GraphQL request record');
type Recorded = { [RECORD]?: GraphQLRequestRecord };

/** The context Apollo runs `request` with, carrying the request's record for `requestRecordPlugin`. */
export function withRecord<C extends object>(request: Request, context: C): C {
  (context as Recorded)[RECORD] = request.graphql;
  return context;
}

/** Fills in the request's record: its operation once Apollo has read it, and the code of each error it answers. */
export function requestRecordPlugin<C extends object>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart({ contextValue, request }) {
      const record = (contextValue as Recorded)[RECORD];
      if (!record) return;
      if (typeof request.operationName === 'string') record.operationName = request.operationName;
      return {
        async didResolveOperation({ operationName, operation }) {
          record.operationName = operationName;
          record.operationType = (operation?.operation ?? null) as OperationType | null;
        },
        async didEncounterErrors({ errors }) {
          for (const error of errors) record.errorCodes.push(errorCodeOf(error));
        },
      };
    },
  };
}
