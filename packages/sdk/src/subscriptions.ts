// Subscriptions: async iterables over the shared graphql-ws socket that throw typed errors, and `client.subscribe`,
// one method per subscription operation as codegen lists them in `subscriptionOperations`.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type DocumentNode, getOperationAST, print } from 'graphql';
import type { OperationMethods } from './operations.js';
import { subscriptionOperations } from './_generated/operation-tables.js';
import { AuthenticationError, errorFromGraphQL, EscalateError, type GraphQLErrorShape, NetworkError } from './errors.js';
import { isCloseEvent, REFUSED_CLOSE_CODES, type SocketTransport, TokenNotRenewed } from './transport.js';

/** The name of a subscription operation in operations/. */
type SubscriptionName = (typeof subscriptionOperations)[number];

/** Runs any subscription document; iterate with `for await`, `break` to unsubscribe. */
export type SubscribeToDocument = <R, V>(document: TypedDocumentNode<R, V> | DocumentNode, variables?: V) => AsyncIterable<R>;

/**
 * `client.subscribe`: one method per subscription in operations/, taking its variables and returning an async
 * iterable of its typed events, and `document` for any other subscription.
 */
export type Subscriptions = Pick<OperationMethods, SubscriptionName> & {
  /** Any subscription document, e.g. your own `TypedDocumentNode`. */
  document: SubscribeToDocument;
};

export function subscribeOver(socket: SocketTransport): SubscribeToDocument {
  return <R, V>(document: TypedDocumentNode<R, V> | DocumentNode, variables?: V): AsyncIterable<R> => {
    const operationName = getOperationAST(document)?.name?.value;
    const query = print(document);
    return {
      [Symbol.asyncIterator]() {
        const client = socket.get();
        // Held while it runs: a socket that drops under a running subscription is an outage, an idle one is not.
        const release = socket.hold();
        const iterator = client.iterate<R>({ query, variables: (variables ?? {}) as Record<string, unknown>, operationName })[Symbol.asyncIterator]();
        const fail = (error: unknown): never => {
          release();
          throw subscriptionError(error, operationName, variables);
        };
        return {
          async next() {
            let result: Awaited<ReturnType<typeof iterator.next>>;
            try {
              result = await iterator.next();
            } catch (error) {
              return fail(error);
            }
            if (result.done) {
              release();
              return { done: true, value: undefined };
            }
            if (result.value.errors?.length) return fail(result.value.errors);
            return { done: false, value: result.value.data as R };
          },
          async return() {
            release();
            await iterator.return?.();
            return { done: true, value: undefined };
          },
        };
      },
    };
  };
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
