// Browser apps on other origins: CORS_ORIGINS answers their preflights and lets them read the answers, and the same
// list is checked against a WebSocket's Origin. Without it nothing cross-origin is allowed, except the demo's
// localhost frontends; servers (no Origin) and the server's own pages (the playground) need no permission.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { configFromEnv, StartupError } from '../src/config';
import { startTestServer, TestServer } from './helpers/test-server';

const APP = 'https://desk.example.com';

function preflight(server: TestServer, origin: string) {
  return fetch(server.url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
  });
}

function post(server: TestServer, origin: string) {
  return fetch(server.url, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
}

/** Whether a WebSocket upgrade with this Origin (none: undefined) is accepted: 'open', or the HTTP status refusing it. */
function upgrade(server: TestServer, origin: string | undefined): Promise<string> {
  return new Promise((resolve) => {
    const socket = new WebSocket(server.url.replace(/^http/, 'ws'), 'graphql-transport-ws', origin ? { headers: { origin } } : {});
    socket.on('open', () => {
      socket.close();
      resolve('open');
    });
    socket.on('unexpected-response', (_request, response) => resolve(String(response.statusCode)));
    socket.on('error', () => resolve('error'));
  });
}

describe('CORS_ORIGINS', () => {
  let server: TestServer;
  let closed: TestServer;
  let demo: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ cors: { origins: [APP] } });
    closed = await startTestServer({ databaseUrl: server.databaseUrl });
    demo = await startTestServer({ databaseUrl: server.databaseUrl, cors: { localDevelopment: true } });
  });
  afterAll(async () => {
    await demo?.close();
    await closed?.close();
    await server?.close();
  });

  it('answers an allowed origin’s preflight with the methods and headers the SDK sends, and lets it read answers', async () => {
    const answer = await preflight(server, APP);
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe(APP);
    expect(answer.headers.get('access-control-allow-methods')).toBe('GET,POST');
    expect(answer.headers.get('access-control-allow-headers')).toBe('content-type,authorization');
    expect(answer.headers.get('access-control-max-age')).toBe('600');
    const query = await post(server, APP);
    expect(query.headers.get('access-control-allow-origin')).toBe(APP);
    expect(query.headers.get('vary')).toMatch(/Origin/);
    expect(await query.json()).toEqual({ data: { __typename: 'Query' } });
    // A refusal too, so that the app can read why (here a token that is no token).
    const refused = await fetch(server.url, { method: 'POST', headers: { origin: APP, 'content-type': 'application/json', authorization: 'Bearer nope' }, body: '{}' });
    expect([refused.status, refused.headers.get('access-control-allow-origin')]).toEqual([401, APP]);
  });

  it('gives another origin no permission (the browser then refuses to send or to show)', async () => {
    for (const origin of ['https://evil.example.com', `${APP}.evil.example.com`, 'http://localhost:5173']) {
      expect((await preflight(server, origin)).headers.get('access-control-allow-origin')).toBeNull();
      expect((await post(server, origin)).headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('without CORS_ORIGINS, allows no other origin; the demo allows localhost frontends only', async () => {
    expect((await preflight(closed, APP)).headers.get('access-control-allow-origin')).toBeNull();
    expect((await preflight(closed, 'http://localhost:5173')).headers.get('access-control-allow-origin')).toBeNull();
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:8080', 'http://localhost']) {
      expect((await preflight(demo, origin)).headers.get('access-control-allow-origin')).toBe(origin);
    }
    for (const origin of ['http://localhost.evil.example', 'https://localhost:5173', APP]) {
      expect((await preflight(demo, origin)).headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('checks a WebSocket’s Origin against the same list; no Origin and the server’s own are fine', async () => {
    expect(await upgrade(server, APP)).toBe('open');
    expect(await upgrade(server, 'https://evil.example.com')).toBe('403');
    expect(await upgrade(server, undefined)).toBe('open');
    expect(await upgrade(server, new URL(server.url).origin)).toBe('open');
    expect(await upgrade(closed, APP)).toBe('403');
    expect(await upgrade(demo, 'http://localhost:5173')).toBe('open');
  });

  it('is read from the environment: a list, `*`, the demo’s default, and a clear refusal of what is no origin', () => {
    expect(configFromEnv({ CORS_ORIGINS: `${APP}, https://wall.example.com:8443`, DATABASE_URL: 'postgres://db' }).cors).toEqual({
      origins: [APP, 'https://wall.example.com:8443'],
      localDevelopment: false,
    });
    expect(configFromEnv({ CORS_ORIGINS: '*', DATABASE_URL: 'postgres://db' }).cors.origins).toEqual(['*']);
    expect(configFromEnv({}).cors).toEqual({ origins: [], localDevelopment: true }); // npm start: the embedded database
    expect(configFromEnv({ DATABASE_URL: 'postgres://db' }).cors.localDevelopment).toBe(false);
    expect(configFromEnv({ DATABASE_URL: 'postgres://db', ESCALATE_DEMO: 'true' }).cors.localDevelopment).toBe(true);
    for (const bad of [`${APP}/`, 'desk.example.com', 'ftp://desk.example.com', `${APP}/app`]) {
      expect(() => configFromEnv({ CORS_ORIGINS: bad })).toThrow(StartupError);
    }
  });
});
