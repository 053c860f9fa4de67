// @escalate/sdk: the typed client of the Escalate support desk API.
export { createClient, createRequester, type ClientOptions, type EscalateClient, type EscalateRequester, type RequestDocument } from './client.js';
export type { OperationMethods, RequestOptions } from './operations.js';
export type { ConnectionOf, Paginators } from './pagination.js';
export { reconnectDelay, type ReconnectOptions, type RetryOptions } from './retries.js';
export type { ConnectionEvent, ConnectionEvents, OnConnectionEvent } from './transport.js';
export type { SubscribeToDocument, Subscriptions } from './subscriptions.js';
export {
  AuthenticationError,
  ConflictError,
  EscalateError,
  ForbiddenError,
  type GraphQLErrorShape,
  NetworkError,
  NotFoundError,
  RateLimitedError,
  ValidationError,
} from './errors.js';
// Every type of the schema and of the operations, and the documents for Apollo Client, urql or graphql-request.
export * from './_generated/graphql.js';
