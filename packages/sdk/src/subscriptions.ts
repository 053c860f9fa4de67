// Subscriptions: async iterables over the shared graphql-ws socket that throw typed errors, and `client.subscribe`,
// one method per subscription operation as codegen lists them in `subscriptionOperations`.
import { type AnyDocument, operationOf } from './document.js';
import type { OperationMethods } from './operations.js';
import { subscriptionOperations } from './_generated/operation-tables.js';
import { AuthenticationError, errorFromGraphQL, EscalateError, type GraphQLErrorShape, NetworkError } from './errors.js';
import { isCloseEvent, REFUSED_CLOSE_CODES, type SocketTransport, TokenNotRenewed } from './transport.js';

/** The name of a subscription operation in operations/. */
type SubscriptionName = (typeof subscriptionOperations)[number];

/** Runs any subscription document; iterate with `for await`, `break` to unsubscribe. */
export type SubscribeToDocument = <R, V>(document: AnyDocument<R, V>, variables?: V) => AsyncIterable<R>;

/**
 * `client.subscribe`: one method per subscription in operations/, taking its variables and returning an async
 * iterable of its typed events, and `document` for any other subscription.
 */
export type Subscriptions = Pick<OperationMethods, SubscriptionName> & {
  /** Any subscription document, e.g. your own `TypedDocumentNode`. */
  document: SubscribeToDocument;
};

/** What the server says of an event: its data, and in `extensions.cursor` where it sits in the server's log. */
interface EventResult {
  data?: unknown;
  errors?: readonly GraphQLErrorShape[];
  extensions?: { cursor?: unknown };
}

/**
 * A subscription resumes where it was. graphql-ws sends the same request again at every reconnection; its `after`
 * variable follows the cursor of the last event received, so the server first replays what was missed while the
 * socket was down (a restart, a network drop), then goes on live: the loop sees each event once. The same when the
 * server ends a subscription that fell too far behind (SUBSCRIBER_TOO_SLOW): it is resubscribed from its cursor.
 * (A document of your own resumes only if it passes `$after` to the field's `after` argument.)
 */
export function subscribeOver(socket: SocketTransport): SubscribeToDocument {
  return <R, V>(document: AnyDocument<R, V>, variables?: V): AsyncIterable<R> => ({
    [Symbol.asyncIterator]() {
      const client = socket.get();
      // Held while it runs: a socket that drops under a running subscription is an outage, an idle one is not.
      const release = socket.hold();
      let operationName: string | undefined;
      /** What graphql-ws sends at each (re)connection: the same object, its `after` kept up to date. */
      let request: { query: string; operationName: string | undefined; variables: Record<string, unknown> } | null = null;
      const received: EventResult[] = [];
      let failure: { error: unknown } | null = null;
      let complete = false;
      let ended = false;
      let wake: (() => void) | null = null;
      const woken = () => {
        wake?.();
        wake = null;
      };
      let dispose = () => {};
      const sink = {
        next: (result: EventResult) => {
          if (typeof result.extensions?.cursor === 'string') request!.variables.after = result.extensions.cursor;
          received.push(result);
          woken();
        },
        error: (error: unknown) => {
          if (isTooSlow(error) && request?.variables.after) {
            dispose = client.subscribe(request, sink);
            return;
          }
          failure = { error };
          woken();
        },
        complete: () => {
          complete = true;
          woken();
        },
      };
      operationOf(document).then(
        (operation) => {
          operationName = operation.operationName;
          request = { query: operation.query, operationName, variables: { ...(variables ?? {}) } };
          if (!ended) dispose = client.subscribe(request, sink);
        },
        (error: unknown) => sink.error(error),
      );
      const fail = (error: unknown): never => {
        release();
        dispose();
        throw subscriptionError(error, operationName, variables);
      };
      return {
        async next(): Promise<IteratorResult<R>> {
          for (;;) {
            const result = received.shift();
            if (result) {
              if (result.errors?.length) return fail(result.errors);
              return { done: false, value: result.data as R };
            }
            if (failure) return fail(failure.error);
            if (complete || ended) {
              release();
              return { done: true, value: undefined };
            }
            await new Promise<void>((resolve) => (wake = resolve));
          }
        },
        async return(): Promise<IteratorResult<R>> {
          ended = true;
          release();
          dispose();
          received.length = 0;
          woken();
          return { done: true, value: undefined };
        },
      };
    },
  });
}

/** The server ended the subscription for falling too far behind: it resumes from its cursor. */
function isTooSlow(error: unknown): boolean {
  return Array.isArray(error) && error.some((item: GraphQLErrorShape) => item?.extensions?.code === 'SUBSCRIBER_TOO_SLOW');
}

/** The typed error for what graphql-ws threw: the server's GraphQL errors, a refused token, or a closed or failed socket. */
function subscriptionError(error: unknown, operationName: string | undefined, variables: unknown): EscalateError {
  if (Array.isArray(error)) return errorFromGraphQL(error as GraphQLErrorShape[], { operationName, variables });
  if (error instanceof EscalateError) return error;
  const context = { operationName, variables, cause: error };
  const what = operationName ?? 'subscription';
  if (error instanceof TokenNotRenewed) return new AuthenticationError(`${what}: ${error.message}`, context);
  if (isCloseEvent(error) && REFUSED_CLOSE_CODES.has(error.code)) {
    return new AuthenticationError(`${what}: the server refused the token (${error.code} ${error.reason})`, context);
  }
  if (isCloseEvent(error)) return new NetworkError(`${what}: the connection closed (${error.code}${error.reason ? ` ${error.reason}` : ''})`, context);
  return new NetworkError(`${what}: the connection failed`, context);
}

/** `client.subscribe`, from the operation methods: those codegen lists as subscriptions. */
export function subscriptions(methods: OperationMethods, subscribe: SubscribeToDocument): Subscriptions {
  const byName = Object.fromEntries(subscriptionOperations.map((name) => [name, methods[name]]));
  return { ...(byName as Pick<OperationMethods, SubscriptionName>), document: subscribe };
}
