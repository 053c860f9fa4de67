// npm run bench:attacks -w @escalate/server: each attack of issue 10 against the built server (dist/main.js, on an
// embedded PostgreSQL in a throwaway folder), with /healthz polled every 20 ms while it runs. Prints, per attack,
// the answer (status and code), how long it took, and the slowest /healthz meanwhile. Run `npm run build` first.
import 'reflect-metadata';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { secretKey, signToken } from '../src/auth/token';
import { Role } from '../src/users/user.entity';
import { bannerUrl, startServerProcess } from '../test/helpers/server-process';

const SECRET = 'bench-secret-of-at-least-thirty-two-characters';

interface Answer {
  answer: string;
  ms: number;
}

async function timed(run: () => Promise<string>): Promise<Answer> {
  const started = performance.now();
  const answer = await run();
  return { answer, ms: performance.now() - started };
}

/** Polls /healthz every 20 ms until stopped; the slowest answer. */
function watchHealth(base: string) {
  let running = true;
  let slowest = 0;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      await fetch(`${base}/healthz`).then((response) => response.text());
      slowest = Math.max(slowest, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return async () => {
    running = false;
    await loop;
    return slowest;
  };
}

async function post(url: string, body: unknown, token?: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await response.json().catch(() => ({}))) as { errors?: { extensions?: { code?: string } }[]; data?: Record<string, { userErrors?: { code: string }[] }> };
  const userError = Object.values(json.data ?? {})[0]?.userErrors?.[0]?.code;
  return `${response.status} ${json.errors?.[0]?.extensions?.code ?? (userError ? `userErrors ${userError}` : 'ok')}`;
}

function fragments(levels: number): string {
  const parts = ['query Q { ...F0 }'];
  for (let level = 0; level < levels; level += 1) {
    parts.push(`fragment F${level} on Query { severityLevels { severity } ${level + 1 < levels ? `...F${level + 1} ...F${level + 1}` : ''} }`);
  }
  return parts.join('\n');
}

const aliases = (count: number, field: string) => `{ ${Array.from({ length: count }, (_, index) => `a${index}: ${field}`).join(' ')} }`;

function oversizedBody(url: string): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const socket = tcpConnect(Number(port), '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
    socket.on('close', () => resolve(answer.split('\r\n')[0]!.replace('HTTP/1.1 ', '')));
    socket.write(`POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${50 * 1024 * 1024}\r\n\r\n`);
  });
}

function bigWebSocketMessage(url: string, token: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    socket.on('open', () => {
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: `subscription { slaStatusChanged { state } } # ${'x'.repeat(50 * 1024 * 1024)}` } }));
    });
    socket.on('close', (code) => resolve(`closed ${code}`));
    socket.on('error', () => {});
  });
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'escalate-attacks-'));
  chmodSync(dataDir, 0o755);
  const server = startServerProcess({ ESCALATE_DATA_DIR: dataDir, AUTH_JWT_SECRET: SECRET, NODE_ENV: 'production', LOG_LEVEL: 'warn' });
  try {
    const url = await bannerUrl(server);
    const base = url.replace('/graphql', '');
    const engineer = await signToken({ sub: 'bench-engineer', role: Role.ENGINEER, name: 'Bench', email: 'bench@example.test' }, secretKey(SECRET), {
      expiresAt: new Date(Date.now() + 3600_000),
    });
    const customer = await signToken({ sub: 'bench-customer', role: Role.CUSTOMER, org: 'acme', name: 'Bench', email: 'c@example.test' }, secretKey(SECRET), {
      expiresAt: new Date(Date.now() + 3600_000),
    });
    const attacks: [string, () => Promise<string>][] = [
      ['fragments spreading the next twice, 22 levels (anonymous)', () => post(url, { query: fragments(22) })],
      ['4,900 aliases of tickets(first: 1) { totalCount }', () => post(url, { query: aliases(4900, 'tickets(first: 1) { totalCount }') }, engineer)],
      ['4,900 aliases of severityLevels (anonymous)', () => post(url, { query: aliases(4900, 'severityLevels { severity }') })],
      ['a document of over 10,000 nodes', () => post(url, { query: `{ ${Array.from({ length: 3500 }, () => '__typename').join(' ')} severityLevels { severity } }` })],
      ['a wrong enum in variables', () => post(url, { query: 'query($s: Severity!) { slaPreview(severity: $s, environment: PRODUCTION) { dueAt } }', variables: { s: 'SEV9' } }, engineer)],
      ['first: 1.5 in variables', () => post(url, { query: 'query($f: Int) { tickets(first: $f) { totalCount } }', variables: { f: 1.5 } }, engineer)],
      ['an invalid DateTime in variables', () => post(url, { query: 'query($a: DateTime) { slaPreview(severity: SEV3, environment: PRODUCTION, at: $a) { dueAt } }', variables: { a: 'nope' } }, engineer)],
      [
        'a NUL byte in a ticket title',
        () =>
          post(
            url,
            { query: 'mutation($i: TicketCreateInput!) { ticketCreate(input: $i) { userErrors { code } } }', variables: { i: { title: 'a\u0000b', description: 'x', severity: 'SEV3', environment: 'PRODUCTION', category: 'INCIDENT' } } },
            customer,
          ),
      ],
      ['an escalations cursor made of dashes', () => post(url, { query: `{ escalations(after: "${Buffer.from(JSON.stringify(['x', '-'.repeat(36)])).toString('base64url')}") { totalCount } }` }, engineer)],
      ['a subscription over HTTP POST', () => post(url, { query: 'subscription { slaStatusChanged { state } }' }, engineer)],
      ['a persisted query with a wrong hash', () => post(url, { query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } })],
      ['a 50 MB body (Content-Length only)', () => oversizedBody(url)],
      ['a 50 MB WebSocket message', () => bigWebSocketMessage(url, engineer)],
      [
        '2,000 forged tokens from one address (the last answer)',
        async () => {
          let last = '';
          for (let sent = 0; sent < 2000; sent += 1) last = await post(url, { query: '{ __typename }' }, 'forged.token.value');
          return last;
        },
      ],
    ];
    console.log(`${'attack'.padEnd(58)} ${'answer'.padEnd(34)} ${'took'.padStart(9)}  slowest /healthz meanwhile`);
    for (const [name, attack] of attacks) {
      const stopWatching = watchHealth(base);
      const { answer, ms } = await timed(attack);
      const health = await stopWatching();
      console.log(`${name.padEnd(58)} ${answer.padEnd(34)} ${`${ms.toFixed(0)} ms`.padStart(9)}  ${health.toFixed(0)} ms`);
    }
  } finally {
    server.signal('SIGTERM');
    await server.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main();
