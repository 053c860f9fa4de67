// Relay cursor connections: `edges { cursor node }`, `pageInfo`, and a `totalCount` counted only when asked for;
// `keysetPage` pages any entity list by a keyset order, the one way every top-level connection is read.
import { EntityName, FilterQuery, QueryOrder, QueryOrderMap } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { ArgsType, ClassType, Field, Int, ObjectType } from 'type-graphql';
import { badUserInput } from './errors';
import { isUuid } from './global-id';
import { leanRows } from './lean-rows';

export const MAX_PAGE_SIZE = 100;
/** The most ids `nodes(ids)` takes at once (node.resolver.ts); each is looked up on its own (operation-size.ts). */
export const MAX_NODES = 100;
export const DEFAULT_PAGE_SIZE = 20;

@ObjectType({ description: 'Where a page sits in the whole list.' })
export class PageInfo {
  @Field({ description: 'Whether more items follow this page.' })
  hasNextPage!: boolean;

  @Field({ description: 'Whether items come before this page (true when `after` was given).' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the first edge of this page.' })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the last edge; pass it as `after` for the next page.' })
  endCursor!: string | null;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: `How many items to return, 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Return the items after this cursor (a previous page’s `endCursor`).' })
  after?: string | null;
}

export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  cursorOf: (node: T) => string;
  totalCount: () => Promise<number>;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

/** The page size asked for, checked against the contract's bounds. */
export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badUserInput(`\`first\` must be between 1 and ${MAX_PAGE_SIZE}; got ${first}.`, 'first');
  }
  return first;
}

export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

/**
 * The `arity` values of a cursor, each checked by `valid` when given: a forged cursor (wrong types, say) is
 * BAD_USER_INPUT here rather than a database error later.
 */
export function decodeCursor(cursor: string, arity: number, valid?: (values: unknown[]) => boolean): unknown[] {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(values) && values.length === arity && (!valid || valid(values))) return values;
  } catch {
    // fall through to the error below
  }
  throw badUserInput('`after` is not a cursor from this list; pass a previous page’s `endCursor`.', 'after');
}

/** Builds a page from `limit + 1` fetched rows: the extra row only tells whether there is a next page. */
export function pageOf<T>(
  rows: T[],
  limit: number,
  after: string | null | undefined,
  cursorOf: (node: T) => string,
  totalCount: () => Promise<number>,
): Page<T> {
  return {
    nodes: rows.slice(0, limit),
    hasNextPage: rows.length > limit,
    hasPreviousPage: Boolean(after),
    cursorOf,
    totalCount,
  };
}

/** What a key of a keyset order holds; cursor values are checked against it, so a forged cursor is BAD_USER_INPUT. */
export type KeyKind = 'text' | 'date' | 'integer' | 'uuid';

/** One key of a keyset order. The last key must be unique, so that the order is total. */
export interface SortKey<T> {
  property: keyof T & string;
  kind: KeyKind;
  direction: 'asc' | 'desc';
  /** Rows without a value come last, in either direction. */
  nullable?: boolean;
}

const KEY_CHECKS: Record<KeyKind, (value: unknown) => boolean> = {
  // No NUL: PostgreSQL refuses it in text, and no stored value has one.
  text: (value) => typeof value === 'string' && !value.includes('\u0000'),
  date: (value) => typeof value === 'string' && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString() === value,
  integer: (value) => Number.isSafeInteger(value),
  uuid: isUuid,
};

function cursorValue(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : (value ?? null);
}

/**
 * A page of `entity` rows matching `where`, in the keyset `order`, after the cursor `after`: one query for the page
 * (plus one row that tells whether another page follows), and a count only when `totalCount` is asked for.
 */
export async function keysetPage<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  where: FilterQuery<T>,
  order: SortKey<T>[],
  { first, after }: PageArgs,
): Promise<Page<T>> {
  const limit = pageSize(first);
  const conditions: FilterQuery<T>[] = [where];
  if (after) {
    const values = decodeCursor(after, order.length, (candidate) =>
      order.every((key, index) => (key.nullable && candidate[index] === null) || KEY_CHECKS[key.kind](candidate[index])),
    ).map((value, index) => (order[index]!.kind === 'date' && value !== null ? new Date(value as string) : value));
    conditions.push(afterKeys(order, values));
  }
  const orderBy = order.map(({ property, direction, nullable }) => ({
    [property]: nullable ? (direction === 'asc' ? QueryOrder.ASC_NULLS_LAST : QueryOrder.DESC_NULLS_LAST) : direction,
  })) as QueryOrderMap<T>[];
  // Read lean (lean-rows.ts): a page is only shown.
  const query = em.createQueryBuilder(entity).select('*').where({ $and: conditions } as FilterQuery<T>).orderBy(orderBy).limit(limit + 1);
  const rows = leanRows(em, entity, await query.execute<Record<string, unknown>[]>('all', false));
  const cursorOf = (row: T) => encodeCursor(order.map(({ property }) => cursorValue(row[property])));
  return pageOf(rows, limit, after, cursorOf, () => em.count(entity, where));
}

/** Rows that come after `values` in the order: greater (or less) on the first key that differs, nulls last. */
function afterKeys<T>(order: SortKey<T>[], values: unknown[]): FilterQuery<T> {
  const alternatives: Record<string, unknown>[] = [];
  order.forEach(({ property, direction, nullable }, index) => {
    const ties = Object.fromEntries(order.slice(0, index).map((key, tie) => [key.property, values[tie]]));
    const value = values[index];
    if (value === null) return; // nothing non-null comes after a null: only the ties on it, by the next keys
    alternatives.push({ ...ties, [property]: { [direction === 'asc' ? '$gt' : '$lt']: value } });
    if (nullable) alternatives.push({ ...ties, [property]: null });
  });
  return { $or: alternatives } as FilterQuery<T>;
}

/** A connection type for `NodeType`: `XConnection` with `XEdge`s. */
export function Connection<T extends object>(NodeType: ClassType<T>) {
  @ObjectType(`${NodeType.name}Edge`, { description: `One ${NodeType.name} in a list, with its cursor.` })
  class EdgeType {
    @Field({ description: 'Opaque position of this edge; pass it as `after` to continue from here.' })
    cursor!: string;

    @Field(() => NodeType, { description: `The ${NodeType.name}.` })
    node!: T;
  }

  @ObjectType(`${NodeType.name}ConnectionBase`)
  abstract class ConnectionType {
    constructor(private readonly page: Page<T>) {}

    @Field(() => [EdgeType], { description: 'The items of this page with their cursors.' })
    get edges(): Edge<T>[] {
      return this.page.nodes.map((node) => ({ cursor: this.page.cursorOf(node), node }));
    }

    @Field(() => [NodeType], { description: 'The items of this page, without cursors.' })
    get nodes(): T[] {
      return this.page.nodes;
    }

    @Field(() => PageInfo, { description: 'Whether there is more, and the cursors to get it.' })
    get pageInfo(): PageInfo {
      const { nodes, cursorOf } = this.page;
      return {
        hasNextPage: this.page.hasNextPage,
        hasPreviousPage: this.page.hasPreviousPage,
        startCursor: nodes.length ? cursorOf(nodes[0]!) : null,
        endCursor: nodes.length ? cursorOf(nodes[nodes.length - 1]!) : null,
      };
    }

    @Field(() => Int, { description: 'How many items the whole list (all pages) holds.' })
    totalCount(): Promise<number> {
      return this.page.totalCount();
    }
  }
  return ConnectionType;
}
