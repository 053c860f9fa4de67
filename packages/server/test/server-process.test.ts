// The built server as an operator runs it (`npm start`, the Docker image): it starts on an embedded PostgreSQL or
// on DATABASE_URL, stops within 10 s on SIGTERM with subscribers and load, and refuses to start in one clear line.
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer as createTcpServer, connect as tcpConnect, type AddressInfo, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient as createWsClient } from 'graphql-ws';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { secretKey, signToken } from '../src/auth/token';
import { Role } from '../src/users/user.entity';
import { createTestDatabase } from './helpers/database';
import { bannerUrl, ServerProcess, startServerProcess } from './helpers/server-process';
import { TEST_SECRET } from './helpers/test-server';

const scratch: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'escalate-process-'));
  chmodSync(dir, 0o755); // as root, PostgreSQL runs as `postgres` and must reach its folder
  scratch.push(dir);
  return dir;
}
afterAll(() => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const token = (role: Role, sub: string, org?: string) =>
  signToken({ sub, role, org, name: sub, email: `${sub}@example.test` }, secretKey(TEST_SECRET), { expiresAt: new Date(Date.now() + 3600_000) });
const engineerToken = () => token(Role.ENGINEER, 'engineer-process');

async function gql(url: string, query: string, token?: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: await response.json() };
}

/** A graphql-ws subscriber; resolves once the server acknowledged it, and records the code the socket closed with. */
async function subscriber(url: string, token: string): Promise<{ closeCode: Promise<number> }> {
  let closed!: (code: number) => void;
  const closeCode = new Promise<number>((resolve) => (closed = resolve));
  let connected!: () => void;
  const acknowledged = new Promise<void>((resolve) => (connected = resolve));
  const client = createWsClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    on: { connected: () => connected(), closed: (event) => closed((event as { code: number }).code) },
  });
  client.subscribe({ query: 'subscription { slaStatusChanged { state } }' }, { next: () => {}, error: () => {}, complete: () => {} });
  await acknowledged;
  return { closeCode };
}

/** Requests in a loop from `workers` clients until the server goes away; what they got back. */
function load(url: string, token: string, workers = 6) {
  const statuses: number[] = [];
  let running = true;
  const loops = Array.from({ length: workers }, async () => {
    while (running) {
      try {
        const { status } = await gql(url, '{ tickets(first: 20) { totalCount edges { node { number sla { state } } } } }', token);
        statuses.push(status);
      } catch {
        return; // refused or closed: the server stopped accepting, as it should once signalled
      }
    }
  });
  return {
    statuses,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** SIGTERM under load with a subscriber: the socket closes with 1001 and the process exits 0 within 10 s. */
async function stopUnderLoad(server: ServerProcess, url: string): Promise<void> {
  const token = await engineerToken();
  const { closeCode } = await subscriber(url, token);
  const traffic = load(url, token);
  while (traffic.statuses.length < 20) await new Promise((resolve) => setTimeout(resolve, 20));
  server.signal('SIGTERM');
  const exit = await server.exited;
  await traffic.stop();
  expect(exit.code, server.output()).toBe(0);
  expect(exit.msAfterSignal).toBeLessThan(10_000);
  expect(await closeCode).toBe(1001);
  // Every request the server answered, it answered in full: nothing was cut off with a 5xx by the shutdown.
  expect(new Set(traffic.statuses)).toEqual(new Set([200]));
}

describe('the built server', () => {
  it('starts on an embedded PostgreSQL, prints working demo tokens, and stops within 10 s on SIGTERM with a subscriber and load', async () => {
    const dir = dataDir();
    const server = startServerProcess({ ESCALATE_DATA_DIR: dir, AUTH_JWT_SECRET: TEST_SECRET });
    const url = await bannerUrl(server);
    await server.waitFor(/ADMIN .*\n\s+\S+/);
    const customerToken = /CUSTOMER .*\n\s+(\S+)/.exec(server.output())![1]!;
    expect((await gql(url, '{ me { role organization { slug } } }', customerToken)).body).toEqual({
      data: { me: { role: 'CUSTOMER', organization: { slug: 'acme' } } },
    });
    expect(existsSync(path.join(dir, 'postgres', 'PG_VERSION'))).toBe(true);

    await stopUnderLoad(server, url);
    // PostgreSQL was stopped with it: its pid file is gone.
    expect(existsSync(path.join(dir, 'postgres', 'postmaster.pid'))).toBe(false);
  }, 90_000);

  it('on DATABASE_URL, stops within 10 s with the outbox and the SLA timer busy, and leaves no claim held', async () => {
    const databaseUrl = await createTestDatabase(inject('databaseAdminUrl'), inject('templateDatabase'));
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      // The production setup.
      const server = startServerProcess({ DATABASE_URL: databaseUrl, AUTH_JWT_SECRET: TEST_SECRET, NODE_ENV: 'production' });
      const url = await bannerUrl(server);
      // Work for the outbox: a few thousand notifications, each claimed and marked in its own transaction.
      await db.query(
        `insert into notification (id, kind, recipients, subject, body, next_attempt_at, created_at)
         select gen_random_uuid(), 'UPDATE_REQUESTED', array['queue@example.test'], 'Update requested', 'Please update.', now(), now()
         from generate_series(1, 3000)`,
      );
      // Work for the SLA timer: SEV1 tickets whose response cycles are all due (filed two hours ago, as far as it knows).
      const admin = await token(Role.ADMIN, 'admin-process');
      const org = await gql(url, `mutation { organizationCreate(input: { slug: "busy", name: "Busy Inc.", region: US, accountManagerEmail: "am@busy.test" }) { organization { id } } }`, admin);
      expect(org.body.data.organizationCreate.organization).toBeTruthy();
      const customer = await token(Role.CUSTOMER, 'customer-process', 'busy');
      for (let filed = 0; filed < 30; filed += 1) {
        const ticket = await gql(url, `mutation { ticketCreate(input: { title: "Down ${filed}", description: "Down.", severity: SEV1, environment: PRODUCTION, category: INCIDENT }) { ticket { id } } }`, customer);
        expect(ticket.body.data.ticketCreate.ticket).toBeTruthy();
      }
      await db.query(`update sla_cycle set started_at = now() - interval '2 hours', due_at = now() - interval '1 hour', next_transition_at = now()`);
      await stopUnderLoad(server, url);

      // Each cycle was either advanced in full (breached, nothing more to do) or left as it was, due, for the next instance.
      const { rows: cycles } = await db.query(`select state, next_transition_at is null as settled from sla_cycle`);
      expect(cycles).toHaveLength(30);
      for (const cycle of cycles) expect(cycle.settled ? 'BREACHED' : 'ON_TRACK').toBe(cycle.state);

      // The server's sessions are gone, and every notification still pending can be claimed by the next instance.
      const { rows: sessions } = await db.query(`select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`);
      expect(sessions[0].n).toBe(0);
      await db.query('begin');
      const { rows: pending } = await db.query(`select count(*)::int as n from notification where status = 'PENDING'`);
      const { rowCount: claimable } = await db.query(`select id from notification where status = 'PENDING' for update skip locked`);
      await db.query('rollback');
      expect(claimable).toBe(pending[0].n);
      const { rows: done } = await db.query(`select count(*)::int as n from notification where status = 'LOGGED'`);
      expect(done[0].n + pending[0].n).toBe(3000);
    } finally {
      await db.end();
    }
  }, 90_000);

  it('waits for a request under way, and a second signal ends it at once', async () => {
    const databaseUrl = await createTestDatabase(inject('databaseAdminUrl'), inject('templateDatabase'));
    const server = startServerProcess({ DATABASE_URL: databaseUrl, AUTH_JWT_SECRET: TEST_SECRET, LOG_LEVEL: 'info' });
    const url = new URL(await bannerUrl(server));
    // A request whose body never finishes arriving: the drain waits for it.
    const socket = tcpConnect(Number(url.port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(`POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query":`);
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the server read the headers
    server.signal('SIGTERM');
    await server.waitFor('shutting down');
    expect(server.child.exitCode).toBeNull();
    server.signal('SIGTERM');
    const exit = await server.exited;
    socket.destroy();
    expect(exit.code).toBe(1);
    expect(exit.msAfterSignal).toBeLessThan(1_000);
  }, 60_000);
});

describe('start-up failures: one line saying what to do, exit 1, nothing left running', () => {
  /** Starts the server expecting it to fail; returns its stderr's lines. */
  async function failure(env: NodeJS.ProcessEnv): Promise<string[]> {
    const server = startServerProcess(env);
    const exit = await server.exited;
    expect(exit.code, server.output()).toBe(1);
    const lines = server.stderr().trim().split('\n');
    expect(lines, server.output()).toHaveLength(1);
    return lines;
  }

  it('a port in use names the port and PORT, and stops the embedded PostgreSQL it started', async () => {
    const taken: TcpServer = createTcpServer().listen(0, '0.0.0.0');
    await new Promise((resolve) => taken.once('listening', resolve));
    const port = (taken.address() as AddressInfo).port;
    const dir = dataDir();
    try {
      const [line] = await failure({ PORT: String(port), ESCALATE_DATA_DIR: dir, AUTH_JWT_SECRET: TEST_SECRET });
      expect(line).toBe(`escalate: Port ${port} is already in use by another program: stop it, or choose another port, e.g. PORT=${port + 1} npm start`);
      expect(existsSync(path.join(dir, 'postgres', 'postmaster.pid'))).toBe(false);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  }, 60_000);

  it('an unreachable DATABASE_URL says so, without its password', async () => {
    const [line] = await failure({ DATABASE_URL: 'postgres://escalate:s3cret@127.0.0.1:1/escalate', AUTH_JWT_SECRET: TEST_SECRET });
    expect(line).toMatch(/^escalate: Cannot connect to the database in DATABASE_URL \(postgres:\/\/escalate:\*\*\*@127\.0\.0\.1:1\/escalate\): .*ECONNREFUSED.*unset DATABASE_URL/);
    expect(line).not.toContain('s3cret');
  });

  it('a data folder in use by another Escalate names it', async () => {
    const dir = dataDir();
    const first = startServerProcess({ ESCALATE_DATA_DIR: dir, AUTH_JWT_SECRET: TEST_SECRET });
    await bannerUrl(first);
    try {
      const [line] = await failure({ ESCALATE_DATA_DIR: dir, AUTH_JWT_SECRET: TEST_SECRET });
      expect(line).toBe(
        `escalate: ${path.join(dir, 'postgres')} is in use by another Escalate (pid ${first.child.pid}): stop it first, or set ESCALATE_DATA_DIR to another folder, or DATABASE_URL.`,
      );
    } finally {
      first.signal('SIGTERM');
      expect((await first.exited).code).toBe(0);
    }
  }, 90_000);

  it('production refuses a missing or short AUTH_JWT_SECRET', async () => {
    const [missing] = await failure({ NODE_ENV: 'production', AUTH_JWT_SECRET: undefined, DATABASE_URL: 'postgres://127.0.0.1:1/x' });
    expect(missing).toMatch(/^escalate: AUTH_JWT_SECRET must be set to a secret of at least 32 characters in production \(it is not set\)/);
    const [short] = await failure({ NODE_ENV: 'production', AUTH_JWT_SECRET: 'too-short', DATABASE_URL: 'postgres://127.0.0.1:1/x' });
    expect(short).toMatch(/\(it has 9\)/);
  });
});
