// em.flush() for a unit of work that only inserts, in one round trip: flush sends one insert per table (a ticket,
// its events and its SLA cycle are three), this sends one statement with a data-modifying CTE per table. The rows are
// MikroORM's own change sets (columns, conversions and database defaults from the entities' metadata), their values
// passed apart from the SQL to em.execute(), which escapes them as it does for flush's own inserts. Foreign keys
// between the new rows hold: PostgreSQL checks them at the end of the statement.
import { ChangeSet, ChangeSetType, EntityMetadata, EntityProperty, Utils } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';

type Row = Record<string, unknown>;

export async function flushInOneStatement(em: EntityManager): Promise<void> {
  const unitOfWork = em.getUnitOfWork();
  unitOfWork.computeChangeSets();
  const changeSets = unitOfWork.getChangeSets();
  if (changeSets.length === 0) return;
  const tables = new Map<EntityMetadata, ChangeSet<object>[]>();
  for (const changeSet of changeSets) {
    if (changeSet.type !== ChangeSetType.CREATE) {
      throw new Error(`flushInOneStatement only inserts; ${changeSet.meta.className} has a pending ${changeSet.type}: use em.flush()`);
    }
    if (Object.values(changeSet.meta.hooks).some((hooks) => hooks?.length)) {
      throw new Error(`flushInOneStatement runs no lifecycle hooks, and ${changeSet.meta.className} has some: use em.flush()`);
    }
    if (!tables.has(changeSet.meta)) tables.set(changeSet.meta, []);
    tables.get(changeSet.meta)!.push(changeSet);
  }

  const inserts = [...tables].map(([meta, rows]) => insertOf(em, meta, rows));
  // The table whose database defaults must be read back (the ticket's number and version) is the statement's own
  // insert, whose `returning` is what the statement answers; the others are CTEs, run whether or not referenced.
  const reading = inserts.filter((insert) => insert.returning.length > 0);
  if (reading.length > 1) throw new Error(`flushInOneStatement reads back the defaults of one table only, not of ${reading.length}`);
  const main = reading[0] ?? inserts[inserts.length - 1]!;
  const others = inserts.filter((insert) => insert !== main);
  const ctes = others.map((insert, index) => `"insert_${index}" as (${insert.sql})`);
  const sql = `${ctes.length ? `with ${ctes.join(', ')} ` : ''}${main.sql}`;
  const params = [...others, main].flatMap((insert) => insert.params);
  const returned: Row[] = await em.execute(sql, params, 'all');

  for (const insert of inserts) {
    const primaryKey = insert.meta.getPrimaryProps()[0]!;
    const rowsByKey = new Map(insert === main ? returned.map((row) => [String(row[primaryKey.fieldNames[0]!]), row]) : []);
    for (const changeSet of insert.changeSets) {
      const row = rowsByKey.get(String(changeSet.payload[primaryKey.name as never]));
      if (row) {
        const values = em.getComparator().mapResult(insert.meta.className, row);
        Object.assign(changeSet.entity, values);
        Object.assign(changeSet.payload, values);
      }
      // Stored: what the unit of work does after its own inserts (UnitOfWork.commitCreateChangeSets), so that the
      // commit's flush finds nothing to write and later changes are diffed against this state.
      unitOfWork.register(changeSet.entity, changeSet.payload, { refresh: true });
      unitOfWork.getPersistStack().delete(changeSet.entity);
    }
  }
  // As flush's cleanup: nothing stays queued, or the next query would flush these rows again.
  unitOfWork.clearActionsQueue();
}

interface Insert {
  meta: EntityMetadata;
  changeSets: ChangeSet<object>[];
  sql: string;
  params: unknown[];
  returning: EntityProperty[];
}

/** `insert into … values (?, …), (?, …) returning …` for one table's new rows, and the values for its placeholders. */
function insertOf(em: EntityManager, meta: EntityMetadata, changeSets: ChangeSet<object>[]): Insert {
  const platform = em.getPlatform();
  const quote = (name: string) => platform.quoteIdentifier(name);
  const names = new Set(changeSets.flatMap((changeSet) => Object.keys(changeSet.payload)));
  const columns = [...names].map((name) => {
    const prop = meta.properties[name as never] as EntityProperty | undefined;
    if (!prop || prop.fieldNames.length !== 1) throw new Error(`flushInOneStatement cannot insert ${meta.className}.${name}`);
    return prop;
  });
  if (!columns.length) throw new Error(`flushInOneStatement has no values to insert into ${meta.className}`);
  const params: unknown[] = [];
  const values = changeSets.map((changeSet) => {
    const row = changeSet.payload as Row;
    const placeholders = columns.map((prop) => {
      const value = row[prop.name];
      if (value === undefined) return 'default';
      if (Utils.isRawSql(value)) throw new Error(`flushInOneStatement takes no raw SQL (${meta.className}.${prop.name})`);
      params.push(value);
      return '?';
    });
    return `(${placeholders.join(', ')})`;
  });
  // As flush reads them back: database defaults the new rows do not set (e.g. a sequence, a version); not lazy
  // ones, which nothing reads unless it asks (a ticket event's place in the live log).
  const returning = meta.props.filter(
    (prop) =>
      prop.persist !== false &&
      !prop.lazy &&
      (prop.defaultRaw || prop.autoincrement || prop.generated) &&
      changeSets.some((changeSet) => !(prop.name in changeSet.payload)),
  );
  const fieldsOf = (props: EntityProperty[]) => props.map((prop) => quote(prop.fieldNames[0]!)).join(', ');
  const sql =
    `insert into ${quote(meta.tableName)} (${fieldsOf(columns)}) values ${values.join(', ')}` +
    (returning.length ? ` returning ${fieldsOf([...meta.getPrimaryProps(), ...returning])}` : '');
  return { meta, changeSets, sql, params, returning };
}
