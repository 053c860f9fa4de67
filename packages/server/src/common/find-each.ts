// Rows of several tables, each by its primary key, in one round trip where em.findOne() would take one per table:
// `select (select row_to_json(…) from a where pk = ?), (select row_to_json(…) from b where pk = ?)`. Each row is
// merged into the entity manager as a query's result would be, so later lookups of it by key find it there. Rows
// travel as JSON, which keeps this schema's types (text, numbers, timestamps, json, arrays); a bigint above 2^53
// would not survive it.
import { EntityClass } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';

/** One entity to read: its class and primary key; a null key reads nothing and finds null. */
export type Lookup<T> = readonly [entity: EntityClass<T>, key: string | null];

export async function findEach<T extends readonly object[]>(
  em: EntityManager,
  ...lookups: { [K in keyof T]: Lookup<T[K]> }
): Promise<{ [K in keyof T]: T[K] | null }> {
  const platform = em.getPlatform();
  const quote = (name: string) => platform.quoteIdentifier(name);
  const selects: string[] = [];
  const params: string[] = [];
  lookups.forEach(([entity, key], index) => {
    if (key === null) return;
    const meta = em.getMetadata().get(entity.name);
    const primaryKeys = meta.getPrimaryProps();
    const column = primaryKeys.length === 1 && primaryKeys[0]!.fieldNames.length === 1 ? primaryKeys[0]!.fieldNames[0]! : null;
    if (!column) throw new Error(`findEach reads by a one-column key; ${entity.name} has none`);
    selects.push(`(select row_to_json(t) from ${quote(meta.tableName)} as t where t.${quote(column)} = ?) as ${quote(`row_${index}`)}`);
    params.push(key);
  });
  type Rows = Record<string, Record<string, unknown> | null>[];
  const [row] = selects.length ? await em.execute<Rows>(`select ${selects.join(', ')}`, params, 'all') : [];
  return lookups.map(([entity], index) => {
    const found = row?.[`row_${index}`];
    return found ? em.map(entity, found) : null;
  }) as { [K in keyof T]: T[K] | null };
}
