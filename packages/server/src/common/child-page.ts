// Pages of a parent's children (a ticket's notes or events) for many parents at once: one windowed statement
// per GraphQL level however many parents are on the page, which keeps list queries free of N+1.
import { EntityName } from '@mikro-orm/core';
import { Context } from '../context';
import { decodeCursor, encodeCursor, Page, pageOf, pageSize } from './connection';
import { isUuid } from './global-id';
import { leanMapper, leanRows } from './lean-rows';

export interface ChildTable<T> {
  /** A name for the per-request loaders. */
  name: string;
  entity: EntityName<T>;
  table: string;
  parentColumn: string;
  /** The timestamp column pages are ordered by (ties broken by id). */
  orderColumn: string;
  orderProperty: keyof T & string;
  /** SQL condition for the rows a customer may see. */
  publicCondition: string;
}

interface Row {
  id: string;
}

export async function childPage<T extends Row>(
  ctx: Context,
  child: ChildTable<T>,
  parentId: string,
  publicOnly: boolean,
  args: { first?: number | null; after?: string | null },
): Promise<Page<T>> {
  const limit = pageSize(args.first);
  const visibility = publicOnly ? `and ${child.publicCondition}` : '';
  const totalCount = () =>
    ctx.loaders
      .keyed<string, number>(`${child.name}:count:${publicOnly}`, async (parentIds) => {
        const rows: { parent_id: string; count: string }[] = await ctx.em.execute(
          `select ${child.parentColumn} as parent_id, count(*) as count from ${child.table}
           where ${child.parentColumn} in (?) ${visibility} group by ${child.parentColumn}`,
          [parentIds],
        );
        const counts = new Map(rows.map((row) => [row.parent_id, Number(row.count)]));
        return parentIds.map((id) => counts.get(id) ?? 0);
      })
      .load(parentId);
  const cursorOf = (row: T) => encodeCursor([(row[child.orderProperty] as Date).toISOString(), row.id]);

  if (args.after) {
    // Continuing within one parent's list is rare enough to be a query of its own.
    const [at, id] = decodeCursor(
      args.after,
      2,
      ([at, id]) => typeof at === 'string' && new Date(at).toISOString() === at && isUuid(id),
    ) as [string, string];
    const rows: Record<string, unknown>[] = await ctx.em.execute(
      `select * from ${child.table} where ${child.parentColumn} = ? ${visibility}
       and (${child.orderColumn}, id) > (?::timestamptz, ?::uuid) order by ${child.orderColumn}, id limit ?`,
      [parentId, at, id, limit + 1],
    );
    return pageOf(leanRows(ctx.em, child.entity, rows), limit, args.after, cursorOf, totalCount);
  }

  const firstPages = ctx.loaders.keyed<string, T[]>(`${child.name}:first:${publicOnly}:${limit}`, async (parentIds) => {
    const rows: (Record<string, unknown> & { parent_id: string })[] = await ctx.em.execute(
      `select * from (
         select c.*, c.${child.parentColumn} as parent_id,
                row_number() over (partition by c.${child.parentColumn} order by c.${child.orderColumn}, c.id) as position
         from ${child.table} c where c.${child.parentColumn} in (?) ${visibility}
       ) ranked where position <= ? order by ${child.orderColumn}, id`,
      [parentIds, limit + 1],
    );
    const byParent = new Map<string, T[]>(parentIds.map((id) => [id, []]));
    const map = leanMapper(ctx.em, child.entity);
    for (const row of rows) byParent.get(row.parent_id)!.push(map(row));
    return parentIds.map((id) => byParent.get(id)!);
  });
  return pageOf(await firstPages.load(parentId), limit, null, cursorOf, totalCount);
}
