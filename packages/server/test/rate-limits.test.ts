// Rate limits: a flood from one address or one user is answered 429 with Retry-After, forged tokens run out fast,
// WebSocket connections count too, and with Redis every instance shares the count.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { RateLimitSettings } from '../src/config';
import { ENGINEER, startTestServer, TestServer } from './helpers/test-server';

const limits = (perIpPerMinute: number, perUserPerMinute: number): RateLimitSettings => ({
  perIpPerMinute,
  perUserPerMinute,
  failedAuthCost: 10,
  keyPrefix: `test:${randomUUID()}:rl`,
});

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function statuses(server: TestServer, count: number, headers: Record<string, string> = {}): Promise<{ status: number; retryAfter: string | null }[]> {
  const answers = [];
  for (let sent = 0; sent < count; sent += 1) {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    await response.text();
    answers.push({ status: response.status, retryAfter: response.headers.get('retry-after') });
  }
  return answers;
}

/** Opens a WebSocket and closes it at once: 101 when the upgrade was accepted, else the HTTP status it was refused with. */
function upgrade(server: TestServer, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(server.url.replace(/^http/, 'ws'), 'graphql-transport-ws', { headers });
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.once('error', () => {});
  });
}

describe('rate limits', () => {
  it('forged tokens from one address are answered 429 with Retry-After after a few 401s', async () => {
    const server = await startTestServer({ rateLimits: limits(50, 1000) });
    servers.push(server);
    const answers = await statuses(server, 20, { authorization: 'Bearer forged.token.here' });
    expect(answers.filter((answer) => answer.status === 401).length).toBeLessThanOrEqual(5); // 50 / 10 per refused token
    const refused = answers.filter((answer) => answer.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(15);
    expect(Number(refused[0]!.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(refused[0]!.retryAfter)).toBeLessThanOrEqual(60);
    // Health checks are never limited.
    expect((await fetch(server.url.replace('/graphql', '/healthz'))).status).toBe(200);
  });

  it('a signed-in user gets its own allowance, and 429 once it is spent', async () => {
    const server = await startTestServer({ rateLimits: limits(1000, 10) });
    servers.push(server);
    const answers = await statuses(server, 12, { authorization: `Bearer ${await server.token(ENGINEER)}` });
    expect(answers.map((answer) => answer.status)).toEqual([...Array(10).fill(200), 429, 429]);
    const body = (await (await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await server.token(ENGINEER)}` }, body: '{"query":"{ __typename }"}' })).json()) as any;
    expect(body.errors[0].extensions.code).toBe('RATE_LIMITED');
  });

  it('WebSocket connections count against the address', async () => {
    const server = await startTestServer({ rateLimits: limits(3, 1000) });
    servers.push(server);
    const answers = [];
    for (let attempt = 0; attempt < 5; attempt += 1) answers.push(await upgrade(server));
    expect(answers).toEqual([101, 101, 101, 429, 429]);
  });

  describe('two clients behind one proxy, each with its X-Forwarded-For', () => {
    const from = (client: string) => ({ 'x-forwarded-for': client });
    /** The first client spends its allowance on WebSocket upgrades; then how the second's upgrade and request are answered. */
    const secondClientAfterFirst = async (trustProxy: string | undefined) => {
      const server = await startTestServer({ rateLimits: limits(3, 1000), trustProxy });
      servers.push(server);
      const first = [];
      for (let attempt = 0; attempt < 4; attempt += 1) first.push(await upgrade(server, from('203.0.113.1')));
      expect(first).toEqual([101, 101, 101, 429]);
      return { upgrade: await upgrade(server, from('203.0.113.2')), request: (await statuses(server, 1, from('203.0.113.2')))[0]!.status };
    };

    it('with TRUST_PROXY=1 are counted apart, over HTTP and WebSocket alike', async () => {
      expect(await secondClientAfterFirst('1')).toEqual({ upgrade: 101, request: 200 });
    });

    it('without TRUST_PROXY are counted together, as the proxy', async () => {
      expect(await secondClientAfterFirst(undefined)).toEqual({ upgrade: 429, request: 429 });
    });
  });

  const redisUrl = process.env.REDIS_URL;
  it.skipIf(!redisUrl)('with Redis, two instances share one count (needs REDIS_URL; .ci/run sets it)', async () => {
    const shared = limits(1000, 10);
    const redis = { url: redisUrl!, channelPrefix: `test:${randomUUID()}:` };
    const first = await startTestServer({ rateLimits: shared, redis });
    servers.push(first);
    const second = await startTestServer({ rateLimits: shared, redis, databaseUrl: first.databaseUrl });
    servers.push(second);
    const token = { authorization: `Bearer ${await first.token(ENGINEER)}` };
    expect((await statuses(first, 6, token)).map((answer) => answer.status)).toEqual(Array(6).fill(200));
    expect((await statuses(second, 6, token)).map((answer) => answer.status)).toEqual([200, 200, 200, 200, 429, 429]);
  });
});
