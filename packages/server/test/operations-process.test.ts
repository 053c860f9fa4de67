// The built server configured as an operator configures it: METRICS_PORT and METRICS_TOKEN, AUTH_JWT_SECRET_PREVIOUS
// during a rotation, LOG_LEVEL; read from the environment by main.ts, and refused in one line when wrong.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { secretKey, signToken } from '../src/auth/token';
import { Role } from '../src/users/user.entity';
import { createTestDatabase } from './helpers/database';
import { closedPort } from './helpers/ports';
import { Scrape } from './helpers/prometheus';
import { bannerUrl, ServerProcess, startServerProcess } from './helpers/server-process';
import { TEST_SECRET } from './helpers/test-server';

const NEW_SECRET = 'the-new-secret-of-at-least-thirty-two-characters';
const METRICS_TOKEN = 'a-scrape-token-for-the-process';

describe('the built server’s operations settings', () => {
  const running: ServerProcess[] = [];
  afterAll(async () => {
    for (const server of running) {
      if (server.child.exitCode === null && server.child.signalCode === null) server.signal('SIGKILL');
      await server.exited;
    }
  });

  it('serves metrics on METRICS_PORT behind METRICS_TOKEN, accepts the previous secret’s tokens, and logs one line per request', async () => {
    const databaseUrl = await createTestDatabase(inject('databaseAdminUrl'), inject('templateDatabase'));
    const metricsPort = await closedPort();
    const server = startServerProcess({
      DATABASE_URL: databaseUrl,
      AUTH_JWT_SECRET: NEW_SECRET,
      AUTH_JWT_SECRET_PREVIOUS: TEST_SECRET,
      METRICS_PORT: String(metricsPort),
      METRICS_TOKEN,
      LOG_LEVEL: 'info',
    });
    running.push(server);
    const url = await bannerUrl(server);

    const oldToken = await signToken({ sub: 'engineer-process', role: Role.ENGINEER, name: 'E', email: 'e@example.test' }, secretKey(TEST_SECRET), {
      expiresAt: new Date(Date.now() + 3600_000),
    });
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${oldToken}`, 'x-request-id': 'process-1' },
      body: JSON.stringify({ query: 'query Me { me { role } }' }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { me: { role: 'ENGINEER' } } });

    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    expect((await fetch(metricsUrl)).status).toBe(401);
    const scraped = await fetch(metricsUrl, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(scraped.status).toBe(200);
    const figures = new Scrape(await scraped.text());
    expect(figures.value('escalate_graphql_requests_total', { operation: 'Me', type: 'query', outcome: 'ok' })).toBe(1);
    expect(figures.has('nodejs_eventloop_lag_seconds')).toBe(true);

    const line = await server.waitFor(/\{[^\n]*"reqId":"process-1"[^\n]*\}/);
    expect(JSON.parse(line)).toMatchObject({ level: 30, method: 'POST', path: '/graphql', operationName: 'Me', status: 200, role: 'ENGINEER', msg: 'request completed' });
    expect(server.output()).not.toContain(oldToken);

    server.signal('SIGTERM');
    expect((await server.exited).code).toBe(0);
  }, 60_000);

  it.each([
    ['a LOG_LEVEL pino does not know', { LOG_LEVEL: 'loud' }, "escalate: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got 'loud'."],
    [
      'METRICS_PORT on the API’s port',
      { PORT: '4999', METRICS_PORT: '4999' },
      'escalate: METRICS_PORT must differ from PORT (both are 4999): the metrics are served on a port of their own, kept off the public one.',
    ],
    ['AUTH_JWT_SECRET_PREVIOUS alone', { AUTH_JWT_SECRET_PREVIOUS: TEST_SECRET }, /^escalate: AUTH_JWT_SECRET_PREVIOUS is set without AUTH_JWT_SECRET/],
  ])('refuses %s in one line', async (_case, env, message) => {
    const server = startServerProcess(env);
    running.push(server);
    expect((await server.exited).code).toBe(1);
    const lines = server.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(typeof message === 'string' ? new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : message);
  });
});
