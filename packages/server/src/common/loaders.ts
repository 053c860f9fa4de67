// Per-request DataLoaders: every relation a GraphQL field follows is batched into one query per level. What they
// read is only shown, so it is read lean (lean-rows.ts), not into the unit of work.
import { EntityClass, EntityName, QueryOrderMap } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { leanRows, tableOf } from './lean-rows';

interface Identified {
  id: string;
}

export class Loaders {
  private readonly byIdLoaders = new Map<unknown, DataLoader<string, unknown>>();
  private readonly keyedLoaders = new Map<string, DataLoader<never, unknown>>();

  constructor(private readonly em: EntityManager) {}

  /** One entity by id, batched with every other lookup of the same type in the same tick. */
  load<T extends Identified>(entity: EntityName<T>, id: string): Promise<T | null> {
    return this.byId(entity).load(id);
  }

  /** What the request already holds (e.g. what its mutation just wrote): `load` answers with it, reading nothing. */
  prime<T extends Identified>(entity: EntityName<T>, row: T): void {
    this.byId(entity).prime(row.id, row);
  }

  private byId<T extends Identified>(entity: EntityName<T>): DataLoader<string, T | null> {
    let loader = this.byIdLoaders.get(entity) as DataLoader<string, T | null> | undefined;
    if (!loader) {
      const { table } = tableOf(this.em, entity);
      loader = new DataLoader<string, T | null>(async (ids) => {
        const rows = leanRows(this.em, entity, await this.em.execute(`select * from "${table}" where "id" in (?)`, [[...ids]]));
        const byId = new Map(rows.map((row) => [row.id, row]));
        return ids.map((id) => byId.get(id) ?? null);
      });
      this.byIdLoaders.set(entity, loader as DataLoader<string, unknown>);
    }
    return loader;
  }

  /**
   * Every `entity` row whose `parentProperty` relation points at `parentId` (a ticket's cycles, escalations…),
   * batched with every other parent asked for in the same tick.
   */
  children<T extends object>(
    entity: EntityClass<T>,
    parentProperty: keyof T & string,
    parentId: string,
    orderBy: QueryOrderMap<T>,
  ): Promise<T[]> {
    return this.childrenOf(entity, parentProperty, orderBy).load(parentId);
  }

  /** `children` of a parent whose rows the request already holds, all of them and in `orderBy`'s order. */
  primeChildren<T extends object>(
    entity: EntityClass<T>,
    parentProperty: keyof T & string,
    parentId: string,
    orderBy: QueryOrderMap<T>,
    rows: T[],
  ): void {
    this.childrenOf(entity, parentProperty, orderBy).prime(parentId, rows);
  }

  /** One loader per relation and order: two callers asking for different orders get each their own. */
  private childrenOf<T extends object>(entity: EntityClass<T>, parentProperty: keyof T & string, orderBy: QueryOrderMap<T>) {
    const order = Object.entries(orderBy);
    return this.keyed<string, T[]>(`children:${entity.name}.${parentProperty}:${order.join(';')}`, async (parentIds) => {
      const { table, column } = tableOf(this.em, entity);
      const orderSql = order.map(([property, direction]) => `"${column(property)}" ${String(direction)}`).join(', ');
      const sql = `select * from "${table}" where "${column(parentProperty)}" in (?) order by ${orderSql}`;
      const rows = leanRows(this.em, entity, await this.em.execute(sql, [[...parentIds]]));
      const byParent = new Map<string, T[]>(parentIds.map((id) => [id, []]));
      for (const row of rows) byParent.get((row[parentProperty] as { id: string } | null)?.id ?? '')?.push(row);
      return parentIds.map((id) => byParent.get(id)!);
    });
  }

  /** A loader created once per request under `name`, for batches that are not lookups by id. */
  keyed<K, V>(name: string, batch: (keys: readonly K[]) => Promise<V[]>, cacheKey?: (key: K) => unknown): DataLoader<K, V, unknown> {
    let loader = this.keyedLoaders.get(name) as unknown as DataLoader<K, V, unknown> | undefined;
    if (!loader) {
      loader = new DataLoader<K, V, unknown>(batch, cacheKey ? { cacheKeyFn: cacheKey } : {});
      this.keyedLoaders.set(name, loader as unknown as DataLoader<never, unknown>);
    }
    return loader;
  }
}
