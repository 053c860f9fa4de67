// What a client sends wrong is answered 4xx with a code that says what, never a 500; and the answers carry the
// headers that keep browsers from misreading them.
import { connect as tcpConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINEER, startTestServer, TestServer } from './helpers/test-server';

describe('client mistakes', () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer();
    token = await server.token(ENGINEER);
  });
  afterAll(() => server?.close());

  const post = async (body: unknown) => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { errors?: { message: string; extensions?: { code?: string } }[] }, headers: response.headers };
  };

  it.each([
    ['a value outside an enum', 'query($s: Severity!) { slaPreview(severity: $s, environment: PRODUCTION) { dueAt } }', { s: 'SEV9' }, /\$s.*SEV9/],
    [
      'an unknown field of an input',
      'mutation($i: TicketCreateInput!) { ticketCreate(input: $i) { ticket { id } } }',
      { i: { title: 'a', description: 'b', severity: 'SEV3', environment: 'PRODUCTION', category: 'INCIDENT', nope: 1 } },
      /nope/,
    ],
    ['a fraction for an Int', 'query($f: Int) { tickets(first: $f) { totalCount } }', { f: 1.5 }, /\$f.*1\.5/],
    ['an invalid DateTime', 'query($a: DateTime) { slaPreview(severity: SEV3, environment: PRODUCTION, at: $a) { dueAt } }', { a: 'nope' }, /\$a/],
    ['a missing required variable', 'query($s: Severity!) { slaPreview(severity: $s, environment: PRODUCTION) { dueAt } }', {}, /\$s.*required/],
  ])('variables: %s is 400 BAD_USER_INPUT naming the variable', async (_name, query, variables, message) => {
    const { status, body } = await post({ query, variables });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.message).toMatch(message);
  });

  it('a subscription sent over HTTP is 400, saying where subscriptions are served', async () => {
    const { status, body } = await post({ query: 'subscription { slaStatusChanged { state } }' });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    expect(body.errors?.[0]?.message).toMatch(/WebSocket/);
  });

  it('a persisted-query request, with a wrong hash or none known, is refused with a code', async () => {
    for (const request of [
      { query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } },
      { extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } },
    ]) {
      const { status, body } = await post(request);
      expect(status).toBeLessThan(500);
      expect(body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_SUPPORTED');
    }
  });

  it('a body over 1 MB is refused from its Content-Length, before it is sent', async () => {
    const { port } = new URL(server.url);
    const socket = tcpConnect(Number(port), '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    // Only the headers: had the server waited for the body, it would never answer.
    socket.write(`POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${50 * 1024 * 1024}\r\n\r\n`);
    await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain('"code":"PAYLOAD_TOO_LARGE"');
  });

  it('answers carry nosniff and a policy against framing; the playground gets a policy that lets it run from this server', async () => {
    const api = await post({ query: '{ __typename }' });
    expect(api.headers.get('x-content-type-options')).toBe('nosniff');
    expect(api.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const health = await fetch(server.url.replace('/graphql', '/healthz'));
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
    const playground = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(await playground.text()).toContain('graphiql');
    const policy = playground.headers.get('content-security-policy')!;
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
  });
});
