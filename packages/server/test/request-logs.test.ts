// The log lines an operator reads, from a real server whose pino writes into an array: one line per HTTP request
// (method, path, operation, status, duration, who asked, request id), `error` only for our own faults, one line per
// WebSocket connect, subscription and close; and never a token or a header.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, subscribe, ticketProbe } from './helpers/subscriptions';
import { createOrganization, customerOf, ENGINEER, GraphQLResponse, Person, startTestServer, TestServer } from './helpers/test-server';

interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

const INFO = 30;
const ERROR = 50;

describe('request logs', () => {
  let server: TestServer;
  const lines: LogLine[] = [];
  const tokens: string[] = [];
  const customer = customerOf('acme');

  /** Sends `query` as `as` with the request id `requestId`; returns the answer and the lines logged under that id. */
  const send = async (requestId: string, query: string, as: Person | string | null): Promise<{ answer: GraphQLResponse; logged: LogLine[] }> => {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-request-id': requestId };
    if (as) {
      const token = typeof as === 'string' ? as : await server.token(as);
      tokens.push(token);
      headers.authorization = `Bearer ${token}`;
    }
    const response = await fetch(server.url, { method: 'POST', headers, body: JSON.stringify({ query }) });
    const body = (await response.json()) as Omit<GraphQLResponse, 'status' | 'headers'>;
    // The line is written once the response has gone: a moment after the client has it.
    await until(() => lines.some((line) => line.reqId === requestId && line.msg === 'request completed'));
    return { answer: { ...body, status: response.status, headers: response.headers }, logged: lines.filter((line) => line.reqId === requestId) };
  };
  const requestLine = (logged: LogLine[]) => logged.find((line) => line.msg === 'request completed')!;
  const renamed = async (table: string, work: () => Promise<void>) => {
    const connection = server.orm.em.getConnection();
    await connection.execute(`alter table ${table} rename to ${table}_away`);
    try {
      await work();
    } finally {
      await connection.execute(`alter table ${table}_away rename to ${table}`);
    }
  };

  beforeAll(async () => {
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
    server = await startTestServer({ log });
    await createOrganization(server, 'acme');
    await createOrganization(server, 'probe');
  });
  afterAll(() => server.close());

  it('one line per request: method, path, operation, status, duration, role, organization and request id', async () => {
    const { answer, logged } = await send('log-test-1', 'query Me { me { id organization { slug } } }', customer);
    expect(answer.errors).toBeUndefined();
    expect(logged).toHaveLength(1);
    const organizationId = (await server.orm.em.getConnection().execute<{ id: string }[]>(`select id from organization where slug = 'acme'`))[0]!.id;
    expect(requestLine(logged)).toEqual({
      level: INFO,
      time: expect.any(Number),
      pid: process.pid,
      hostname: expect.any(String),
      reqId: 'log-test-1',
      method: 'POST',
      path: '/graphql',
      operationName: 'Me',
      operationType: 'query',
      outcome: 'ok',
      status: 200,
      durationMs: expect.any(Number),
      role: 'CUSTOMER',
      organizationId,
      msg: 'request completed',
    });
    expect(JSON.stringify(requestLine(logged)).length).toBeLessThan(400);
  });

  it('a client’s mistake is logged at info, with its code', async () => {
    const refused = await send('log-test-2', 'query Me { me { id } }', 'not-a-token');
    expect(refused.answer.status).toBe(401);
    expect(requestLine(refused.logged)).toMatchObject({ level: INFO, status: 401, outcome: 'UNAUTHENTICATED', operationName: null, role: null });

    const invalid = await send('log-test-3', 'query Broken { nope }', ENGINEER);
    expect(requestLine(invalid.logged)).toMatchObject({ level: INFO, status: 400, outcome: 'GRAPHQL_VALIDATION_FAILED', role: 'ENGINEER', organizationId: null });

    const forbidden = await send('log-test-4', 'mutation { organizationCreate(input: { slug: "x", name: "X", region: US, accountManagerEmail: "a@b.example" }) { userErrors { code } } }', customer);
    expect(forbidden.answer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(requestLine(forbidden.logged)).toMatchObject({ level: INFO, status: 200, operationType: 'mutation', outcome: 'FORBIDDEN', role: 'CUSTOMER' });
  });

  it('our own fault is logged at error: an unexpected error in a resolver, and a 500', async () => {
    await renamed('organization', async () => {
      const { answer, logged } = await send('log-test-5', 'query Organizations { organizations { totalCount } }', ENGINEER);
      expect(answer.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      expect(requestLine(logged)).toMatchObject({ level: ERROR, status: 200, operationName: 'Organizations', outcome: 'INTERNAL_SERVER_ERROR' });
      // The details are in a line of their own, under the same request id.
      expect(logged.find((line) => line.msg === 'unexpected error')).toMatchObject({ level: ERROR, err: expect.anything() });
    });
    await renamed('app_user', async () => {
      // A new user: the server must write it, and cannot.
      const { answer, logged } = await send('log-test-6', 'query Me { me { id } }', { ...ENGINEER, sub: 'engineer-new' });
      expect(answer.status).toBe(500);
      expect(requestLine(logged)).toMatchObject({ level: ERROR, status: 500, outcome: 'INTERNAL_SERVER_ERROR' });
    });
  });

  it('a WebSocket logs its connect, each subscription it starts and its close, under one socket id', async () => {
    const token = await server.token(ENGINEER);
    tokens.push(token);
    const client = connect(server.url, token);
    const changes = await subscribe(
      client,
      `subscription SlaWatch { slaStatusChanged { ticket { number } } }`,
      {},
      ticketProbe(server, customerOf('probe'), (message: any) => message.slaStatusChanged.ticket.number),
    );
    await changes.close();
    await client.dispose();
    await until(() => lines.some((line) => line.msg === 'WebSocket closed'));
    const connected = lines.find((line) => line.msg === 'WebSocket connected')!;
    expect(connected).toMatchObject({ level: INFO, role: 'ENGINEER', organizationId: null, address: '127.0.0.1', socketId: expect.any(String) });
    const ofSocket = lines.filter((line) => line.socketId === connected.socketId);
    expect(ofSocket.map((line) => line.msg)).toEqual(['WebSocket connected', 'subscription started', 'WebSocket closed']);
    expect(ofSocket[1]).toMatchObject({ level: INFO, operationName: 'SlaWatch', operationType: 'subscription', outcome: 'ok' });
    expect(ofSocket[2]).toMatchObject({ level: INFO, code: 1000, durationMs: expect.any(Number), subscriptions: 1 });
  });

  it('never logs a token, nor any header', () => {
    expect(tokens.length).toBeGreaterThan(3);
    const written = lines.map((line) => JSON.stringify(line)).join('\n');
    for (const token of tokens) expect(written).not.toContain(token);
    expect(written).not.toMatch(/authorization|bearer|headers|user-agent/i);
  });
});

/** Polls until `condition` holds; the limit only stops a hang. */
async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > giveUpAt) throw new Error('timed out waiting for a log line');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
