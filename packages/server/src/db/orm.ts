// MikroORM on PostgreSQL: configuration, and opening a database with its committed migrations applied.
import { DefaultLogger, LogContext, LoggerNamespace, LoggerOptions } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { Logger } from 'pino';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export type QueryListener = (sql: string, params: readonly unknown[]) => void;

/** Forwards MikroORM's query log to a listener (the SQL-count tests) and its warnings to pino. */
class OrmLogger extends DefaultLogger {
  constructor(
    options: LoggerOptions,
    private readonly pino: Logger | undefined,
    private readonly onQuery: QueryListener | undefined,
  ) {
    super(options);
  }

  override logQuery(context: { query: string } & LogContext): void {
    this.onQuery?.(context.query, context.params ?? []);
  }

  override log(namespace: LoggerNamespace, message: string, context?: LogContext): void {
    if (context?.level === 'error' || context?.level === 'warning') this.pino?.warn({ namespace }, message);
  }
}

export interface DatabaseOptions {
  url: string;
  log?: Logger;
  onQuery?: QueryListener;
  poolSize?: number;
}

export function ormConfig({ url, log, onQuery, poolSize = 10 }: DatabaseOptions) {
  return defineConfig({
    clientUrl: url,
    entities: ENTITIES,
    discovery: { disableDynamicFileAccess: true },
    extensions: [Migrator],
    migrations: { migrationsList: MIGRATIONS, transactional: true, allOrNothing: true, snapshot: false },
    pool: { min: 0, max: poolSize },
    forceUtcTimezone: true,
    debug: onQuery ? ['query'] : false,
    loggerFactory: (options) => new OrmLogger(options, log, onQuery),
    allowGlobalContext: false,
  });
}

/** Any number; the same in every instance, so that two servers starting together migrate one after the other. */
const MIGRATION_LOCK = 7_301_001;

/** Connects and brings the schema up to date with the committed migrations. */
export async function openDatabase(options: DatabaseOptions): Promise<MikroORM> {
  const orm = await MikroORM.init(ormConfig(options));
  const lock = new pg.Client({ connectionString: options.url });
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await orm.getMigrator().up();
  } catch (error) {
    await orm.close();
    throw error;
  } finally {
    await lock.end(); // ends the session, which releases the lock
  }
  return orm;
}
