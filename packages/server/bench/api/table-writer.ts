// Writes many rows of one entity's table in one statement, `insert … select * from unnest($1::type[], …)`, with
// the table, column names and column types taken from the entity's MikroORM metadata: rows are written in the
// shape the app writes them, by property name, and a renamed column is followed rather than duplicated here.
import { EntityKey, EntityMetadata, MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';

/** A row by the entity's property names; references by id. */
export type Row<T> = { [K in keyof T]?: unknown };

export class TableWriter<T extends object> {
  private readonly meta: EntityMetadata<T>;

  constructor(orm: MikroORM, entity: new () => T) {
    this.meta = orm.getMetadata().get<T>(entity.name);
  }

  /** Inserts `rows` (all with the same properties) in one statement. */
  async insert(db: pg.Pool | pg.PoolClient | pg.Client, rows: Row<T>[]): Promise<void> {
    if (rows.length === 0) return;
    const properties = Object.keys(rows[0]!) as (keyof T & string)[];
    const columns = properties.map((name) => {
      const property = this.meta.properties[name as EntityKey<T>];
      if (!property?.fieldNames?.length) throw new Error(`${this.meta.className}.${name} is not a stored property`);
      const type = property.columnTypes[0]!;
      return { name, field: property.fieldNames[0]!, type, json: /^jsonb?$/.test(type) };
    });
    const arrays = columns.map(({ name, json }) =>
      rows.map((row) => {
        const value = row[name];
        if (value === null || value === undefined) return null;
        if (json) return JSON.stringify(value);
        return value instanceof Date ? value.toISOString() : value;
      }),
    );
    const sql =
      `insert into "${this.meta.tableName}" (${columns.map(({ field }) => `"${field}"`).join(', ')}) ` +
      `select * from unnest(${columns.map(({ type }, index) => `$${index + 1}::${type}[]`).join(', ')})`;
    await db.query(sql, arrays);
  }
}
