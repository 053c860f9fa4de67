// The bench's PostgreSQL: a fresh database on DATABASE_URL's server (dropped at the end), or an embedded one in a
// throwaway folder with pg_stat_statements preloaded. Also what the jobs read from it: how many SQL statements ran
// in a database, and how much CPU the whole PostgreSQL server used (when it runs on this machine).
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres';
import { cpuTicksOfTree, parentOf } from './process-stats';

export interface BenchDatabase {
  /** The bench database, migrated and loaded by the dataset. */
  url: string;
  name: string;
  /** Where the statement counts live: `pg_stat_statements`, or transactions when it is not loaded. */
  statementSource: 'pg_stat_statements' | 'xact_commit';
  serverVersion: string;
  /** Where it runs: embedded, or DATABASE_URL's server (password hidden). */
  where: string;
  statements(): Promise<number>;
  /** CPU ticks of PostgreSQL's postmaster and every backend; null when the server is not a process on this machine. */
  cpuTicks(): Promise<number | null>;
  close(): Promise<void>;
}

/** `url` with another database name. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

function shown(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/**
 * The embedded PostgreSQL with pg_stat_statements: the runner passes no settings, so the library is added to
 * postgresql.auto.conf and the server restarted once on the same folder.
 */
async function embeddedWithStatements(): Promise<{ adminUrl: string; stop(): Promise<void> }> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'escalate-bench-api-'));
  chmodSync(scratch, 0o755); // as root, PostgreSQL runs as the `postgres` user and must reach its folder
  const dataDir = path.join(scratch, 'postgres');
  const first = await startEmbeddedPostgres({ dataDir, persistent: true, database: 'postgres' });
  try {
    await query(first.adminUrl, `alter system set shared_preload_libraries = 'pg_stat_statements'`);
    await query(first.adminUrl, `alter system set pg_stat_statements.max = 10000`);
  } finally {
    await first.stop();
  }
  const embedded = await startEmbeddedPostgres({ dataDir, persistent: false, database: 'postgres' });
  return {
    adminUrl: embedded.adminUrl,
    async stop() {
      await embedded.stop();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

export async function openBenchDatabase(databaseUrl: string | undefined): Promise<BenchDatabase> {
  const embedded = databaseUrl ? null : await embeddedWithStatements();
  const adminUrl = embedded?.adminUrl ?? withDatabase(databaseUrl!, 'postgres');
  const name = `escalate_bench_${randomBytes(4).toString('hex')}`;
  const url = withDatabase(adminUrl, name);
  // The observer reads counters from the maintenance database, so its own statements are not counted in the bench's.
  const observer = new pg.Client({ connectionString: adminUrl });
  observer.on('error', (error) => console.error(`bench observer connection: ${error.message}`));
  try {
    await observer.connect();
    await observer.query(`create database "${name}"`);
  } catch (error) {
    await observer.end().catch(() => {});
    await embedded?.stop();
    throw error;
  }
  const [{ oid }] = (await observer.query<{ oid: number }>('select oid from pg_database where datname = $1', [name])).rows as [{ oid: number }];
  const [{ server_version: serverVersion }] = (await observer.query<{ server_version: string }>('show server_version')).rows as [{ server_version: string }];
  let statementSource: BenchDatabase['statementSource'] = 'xact_commit';
  try {
    // The view exists only once the extension is created, in some database; it reports every database's.
    await observer.query('create extension if not exists pg_stat_statements');
    await observer.query('select 1 from pg_stat_statements limit 1');
    statementSource = 'pg_stat_statements';
  } catch {
    // not preloaded on DATABASE_URL's server: count transactions instead
  }
  const postmaster = await postmasterPid(observer, new URL(adminUrl).hostname);
  return {
    url,
    name,
    statementSource,
    serverVersion,
    where: embedded ? 'embedded (a throwaway folder)' : shown(url),
    async statements() {
      if (statementSource === 'pg_stat_statements') {
        const { rows } = await observer.query<{ calls: string | null }>('select sum(calls) as calls from pg_stat_statements where dbid = $1', [oid]);
        return Number(rows[0]?.calls ?? 0);
      }
      // Transaction counters are reported by backends when they go idle, at most once a second.
      const { rows } = await observer.query<{ n: string }>('select xact_commit + xact_rollback as n from pg_stat_database where datid = $1', [oid]);
      return Number(rows[0]?.n ?? 0);
    },
    async cpuTicks() {
      return postmaster === null ? null : cpuTicksOfTree(postmaster);
    },
    async close() {
      await observer.query(`drop database if exists "${name}" with (force)`).catch(() => {});
      await observer.end().catch(() => {});
      await embedded?.stop();
    },
  };
}

/** The postmaster's pid when the server runs on this machine (its backend's parent), else null. */
async function postmasterPid(client: pg.Client, host: string): Promise<number | null> {
  if (host !== '' && !['127.0.0.1', 'localhost', '[::1]'].includes(host)) return null;
  const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
  return parentOf(rows[0]!.pid);
}
