// Subscriptions whose events are executed once per kind of subscriber, not once per subscriber: those with the same
// document, operation and variables and the same visibility (role and organization) get the same answer to an
// event, so the first to take it executes it and the others share the result. A dashboard's thousand clients cost
// one execution per event instead of a thousand. (What a field shows depends on the viewer's role and
// organization only: field rules and loader keys say so; nothing in a subscription's payload names the user.)
// Where each subscriber resumed from (`after`) decides which events it hears, not what an event shows, so it does
// not set subscribers apart. Each result carries the event's cursor in `extensions.cursor` (events/live-log.ts),
// for the client to resume from.
import { createSourceEventStream, DocumentNode, execute, ExecutionArgs, ExecutionResult, getOperationAST, Kind } from 'graphql';
import { Viewer } from '../auth/viewer';

const documentIds = new WeakMap<DocumentNode, number>();
let nextDocumentId = 0;
/** The results each event got, by kind of subscriber; gone with the event. */
const resultsByEvent = new WeakMap<object, Map<string, Promise<ExecutionResult>>>();

function kindOf(args: ExecutionArgs, viewer: Viewer | null): string {
  let documentId = documentIds.get(args.document);
  if (documentId === undefined) documentIds.set(args.document, (documentId = nextDocumentId++));
  const visibility = viewer ? `${viewer.role}:${viewer.organizationId ?? ''}` : 'anonymous';
  const variables = { ...(args.variableValues ?? {}) };
  const resumeVariable = afterVariable(args.document, args.operationName);
  if (resumeVariable) delete variables[resumeVariable];
  return `${documentId}|${args.operationName ?? ''}|${JSON.stringify(variables)}|${visibility}`;
}

/** The variable the subscription's `after` argument takes, if it takes one. */
function afterVariable(document: DocumentNode, operationName: string | null | undefined): string | null {
  const field = getOperationAST(document, operationName)?.selectionSet.selections[0];
  const after = field?.kind === Kind.FIELD ? field.arguments?.find((argument) => argument.name.value === 'after') : undefined;
  return after?.value.kind === Kind.VARIABLE ? after.value.name.value : null;
}

/** The result of an event, with its cursor for the client. */
function withCursor(result: ExecutionResult, event: object): ExecutionResult {
  const cursor = (event as { cursor?: unknown }).cursor;
  return typeof cursor === 'string' ? { ...result, extensions: { ...result.extensions, cursor } } : result;
}

/** graphql-js's `subscribe`, with each event's execution shared by the subscribers of one kind. */
export async function subscribeShared(
  args: ExecutionArgs,
  viewer: Viewer | null,
): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const stream = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in stream)) return stream as ExecutionResult;
  const kind = kindOf(args, viewer);
  const events = (stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  const resultOf = (event: unknown): Promise<ExecutionResult> => {
    if (typeof event !== 'object' || event === null) return Promise.resolve(execute({ ...args, rootValue: event }));
    const run = async () => withCursor(await execute({ ...args, rootValue: event }), event);
    let results = resultsByEvent.get(event);
    if (!results) resultsByEvent.set(event, (results = new Map()));
    let result = results.get(kind);
    if (!result) results.set(kind, (result = run()));
    return result;
  };
  // An iterator rather than a generator: a generator cannot be ended while it waits for the next event, and ending
  // it must end the subscription to the events (graphql-ws ends it when the client completes the operation).
  const results: AsyncIterableIterator<ExecutionResult> = {
    async next(): Promise<IteratorResult<ExecutionResult>> {
      const { value, done } = await events.next();
      return done ? { value: undefined, done: true } : { value: await resultOf(value), done: false };
    },
    async return(): Promise<IteratorResult<ExecutionResult>> {
      await events.return?.();
      return { value: undefined, done: true };
    },
    async throw(error: unknown) {
      await events.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return results;
}
