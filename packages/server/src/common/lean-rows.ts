// Rows the read path only shows: put on the entity's prototype straight from the columns, without MikroORM's unit
// of work (no identity map, no snapshot for change sets, no per-instance relation setters), which was a third of a
// list request's CPU. The entity's getters work (`nodeId`, `displayNumber`); a relation is a stub holding its id,
// which is all resolvers read of one (they load the rest through the request's loaders). Nothing written goes
// through here: services load what they change with the entity manager.
import { EntityMetadata, EntityName, ReferenceKind } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';

type Row = Record<string, unknown>;
type Mapper<T> = (row: Row) => T;

const mappers = new WeakMap<EntityMetadata, Mapper<unknown>>();

/** The mapper of `entity`'s rows (`select *` of its table), made once from its metadata. */
export function leanMapper<T>(em: EntityManager, entity: EntityName<T>): Mapper<T> {
  const meta = em.getMetadata().get(entity as string);
  let mapper = mappers.get(meta) as Mapper<T> | undefined;
  if (!mapper) {
    mapper = compile<T>(em, meta as EntityMetadata<T>);
    mappers.set(meta, mapper as Mapper<unknown>);
  }
  return mapper;
}

/** `entity`'s rows mapped by leanMapper. */
export function leanRows<T>(em: EntityManager, entity: EntityName<T>, rows: Row[]): T[] {
  const map = leanMapper(em, entity);
  return rows.map(map);
}

function compile<T>(em: EntityManager, meta: EntityMetadata<T>): Mapper<T> {
  const platform = em.getPlatform();
  const columns: ((entity: Record<string, unknown>, row: Row) => void)[] = [];
  for (const prop of meta.props) {
    if (prop.persist === false || !prop.fieldNames?.length) continue;
    const column = prop.fieldNames[0]!;
    const name = prop.name as string;
    if (prop.kind === ReferenceKind.SCALAR || prop.kind === ReferenceKind.EMBEDDED) {
      // As MikroORM's hydrator: PostgreSQL's timestamps come as text (MikroORM's pg type parsers), then custom types.
      const convert =
        prop.runtimeType === 'Date'
          ? (value: unknown) => (value instanceof Date ? value : platform.parseDate(value as string))
          : prop.customType
            ? (value: unknown) => prop.customType!.convertToJSValue(value, platform)
            : null;
      columns.push((entity, row) => {
        const value = row[column];
        entity[name] = value != null && convert ? convert(value) : value;
      });
    } else if (prop.kind === ReferenceKind.MANY_TO_ONE || (prop.kind === ReferenceKind.ONE_TO_ONE && prop.owner)) {
      columns.push((entity, row) => {
        const id = row[column];
        entity[name] = id == null ? null : { id };
      });
    }
  }
  // MikroORM puts setters on the entity's prototype for the properties it tracks (each first assignment defines
  // accessors on the instance and a helper behind them). A lean row's prototype shadows them with plain data
  // properties, and inherits the rest (getters, methods) from the entity's.
  const prototype = Object.create(meta.prototype as object) as object;
  for (const prop of meta.props) {
    Object.defineProperty(prototype, prop.name, { value: undefined, writable: true, enumerable: false, configurable: true });
  }
  return (row) => {
    const entity = Object.create(prototype) as Record<string, unknown>;
    for (const column of columns) column(entity, row);
    return entity as T;
  };
}

/** The table and column names of `entity` for hand-written SQL: its table, and a property's column. */
export function tableOf<T>(em: EntityManager, entity: EntityName<T>): { table: string; column: (property: string) => string } {
  const meta = em.getMetadata().get(entity as string);
  return {
    table: meta.tableName,
    column: (property) => {
      const prop = meta.properties[property as keyof typeof meta.properties];
      if (!prop?.fieldNames?.length) throw new Error(`${meta.className}.${property} has no column`);
      return prop.fieldNames[0]!;
    },
  };
}
