// Pagination: `client.paginate`, every page of each connection a query reaches, built from the table codegen makes
// of those queries (`paginatedQueries`: the operation's name and the path from its result to the connection).
import { paginatedQueries } from './_generated/operation-tables.js';
import type { OperationMethods } from './operations.js';

/** What paging reads of a connection. */
interface Page {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

type PaginatedQuery = keyof typeof paginatedQueries;

/** The type at `path` in `T`, through nullable objects. */
type At<T, Path> = Path extends readonly [infer Key, ...infer Rest] ? At<NonNullable<T>[Key & keyof NonNullable<T>], Rest> : NonNullable<T>;

/** A page of the connection a paginated query reaches, e.g. `ConnectionOf<'ticketNotes'>` is its `ticket.notes`. */
export type ConnectionOf<Q extends PaginatedQuery> = At<Awaited<ReturnType<OperationMethods[Q]>>, (typeof paginatedQueries)[Q]>;

/** The variables of a paginated query, `undefined` included where all are optional. */
type VariablesOf<Q extends PaginatedQuery> = Parameters<OperationMethods[Q]>[0];

/**
 * `client.paginate`: for each query in operations/ that reaches a connection, an async iterator over every page of
 * it, e.g. `for await (const page of client.paginate.tickets({ first: 50 }))`. It follows `endCursor` until
 * `hasNextPage` is false; `break` stops fetching.
 */
export type Paginators = {
  [Q in keyof typeof paginatedQueries]: undefined extends VariablesOf<Q>
    ? (variables?: VariablesOf<Q>) => AsyncGenerator<ConnectionOf<Q>, void, undefined>
    : (variables: VariablesOf<Q>) => AsyncGenerator<ConnectionOf<Q>, void, undefined>;
};

/** `client.paginate`, from the operation methods: those codegen lists as paginated, each with its path. */
export function paginators(methods: OperationMethods): Paginators {
  const entries = Object.entries(paginatedQueries).map(([name, path]) => {
    const query = methods[name as PaginatedQuery] as (variables: { after?: string | null }) => Promise<unknown>;
    const paginate = (variables: { after?: string | null } = {}) => pages(async (v) => connectionAt(await query(v), path), variables);
    return [name, paginate];
  });
  return Object.fromEntries(entries) as Paginators;
}

/** Every page of a connection, following `endCursor` until `hasNextPage` is false. */
async function* pages<V extends { after?: string | null }>(fetchPage: (variables: V) => Promise<Page | null | undefined>, variables: V): AsyncGenerator<Page, void, undefined> {
  let after = variables.after ?? null;
  for (;;) {
    const page = await fetchPage({ ...variables, after });
    if (!page) return;
    yield page;
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return;
    after = page.pageInfo.endCursor;
  }
}

/** The connection at `path` in a query's result; null or undefined where an object on the way is (e.g. no such ticket). */
function connectionAt(result: unknown, path: readonly string[]): Page | null | undefined {
  return path.reduce<unknown>((value, key) => (value as Record<string, unknown> | null | undefined)?.[key], result) as Page | null | undefined;
}
