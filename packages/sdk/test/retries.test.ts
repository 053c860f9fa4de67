// Retries against a real server behind a small local proxy that answers some requests itself (429, 503) before
// forwarding the rest: queries are retried honouring Retry-After, mutations only with an idempotencyKey.
import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, connect as tcpConnect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOrganization, customerOf, ENGINEER, fileTicket, startTestServer, TestServer } from '../../server/test/helpers/test-server.js';
import { createClient, type ClientOptions, type EscalateClient, NetworkError, RateLimitedError, type TicketStatus } from '../src/index.js';
import { pokeUntil, rejection } from './helpers.js';

/** What the proxy does with one request: answer it with this status (after forwarding it, when `forward`). */
interface Step {
  status: 429 | 503;
  retryAfter?: string;
  /** Forward the request first, then lose the server's answer: the change happened, the client does not know. */
  forward?: boolean;
}

interface Proxy {
  url: string;
  /** Requests the proxy received, answered or forwarded. */
  hits: number;
  /** What to do with the next requests; once empty, requests go through. */
  plan: Step[];
  close(): Promise<void>;
}

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

async function startProxy(target: string): Promise<Proxy> {
  const forward = async (request: IncomingMessage, body: string) => {
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'accept', 'authorization']) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    return fetch(target, { method: request.method, headers, body });
  };
  const proxy: Proxy = {
    url: '',
    hits: 0,
    plan: [],
    close: async () => {},
  };
  const server: Server = createHttpServer((request, response) => {
    void (async () => {
      proxy.hits += 1;
      const body = await readBody(request);
      const step = proxy.plan.shift();
      if (step) {
        if (step.forward) await (await forward(request, body)).text();
        response.writeHead(step.status, { 'content-type': 'text/plain', ...(step.retryAfter === undefined ? {} : { 'retry-after': step.retryAfter }) });
        response.end(step.status === 429 ? 'Too Many Requests' : 'Service Unavailable');
        return;
      }
      const upstream = await forward(request, body);
      response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
      response.end(await upstream.text());
    })().catch((error: unknown) => {
      response.writeHead(500);
      response.end(String(error));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${new URL(target).pathname}`;
  proxy.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return proxy;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createTcpServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const NEW_TICKET = { title: 'Retried', description: 'Filed through a flaky network.', severity: 'SEV3', environment: 'PRODUCTION', category: 'INCIDENT' } as const;

describe('retries', () => {
  let server: TestServer;
  let proxy: Proxy;
  let engineerToken: string;
  let customerToken: string;
  const clients: EscalateClient[] = [];
  const client = (options: Partial<ClientOptions> = {}) => {
    const created = createClient({ url: proxy.url, token: engineerToken, retry: { attempts: 3, baseDelayMs: 10 }, ...options });
    clients.push(created);
    return created;
  };
  /** Tickets of the organization `retries`, counted on the server directly. */
  const ticketCount = async () => {
    const result = await server.gql<{ tickets: { totalCount: number } }>(`{ tickets(first: 1) { totalCount } }`, {}, customerOf('retries'));
    return result.data!.tickets.totalCount;
  };

  beforeAll(async () => {
    server = await startTestServer();
    await createOrganization(server, 'retries');
    proxy = await startProxy(server.url);
    engineerToken = await server.token(ENGINEER);
    customerToken = await server.token(customerOf('retries'));
  });
  afterEach(() => {
    proxy.plan = [];
    proxy.hits = 0;
  });
  afterAll(async () => {
    await Promise.all(clients.map((each) => each.close()));
    await proxy?.close();
    await server?.close();
  });

  describe('queries', () => {
    it('are retried after a 429, waiting as long as Retry-After says', async () => {
      proxy.plan = [{ status: 429, retryAfter: '1' }];
      const started = Date.now();
      const result = await client().severityLevels();
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(result.severityLevels).toHaveLength(4);
      expect(proxy.hits).toBe(2);
    });

    it('are retried after 503s, with backoff, and honour a 503’s Retry-After', async () => {
      proxy.plan = [{ status: 503 }, { status: 503 }];
      expect((await client().me()).me.role).toBe('ENGINEER');
      expect(proxy.hits).toBe(3);

      proxy.hits = 0;
      proxy.plan = [{ status: 503, retryAfter: '1' }];
      const started = Date.now();
      expect((await client().me()).me.role).toBe('ENGINEER');
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(proxy.hits).toBe(2);
    });

    it('wait no longer than maxDelayMs, whatever Retry-After says', async () => {
      proxy.plan = [{ status: 429, retryAfter: '3600' }];
      const started = Date.now();
      await client({ retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 } }).me();
      expect(Date.now() - started).toBeLessThan(1000);
      expect(proxy.hits).toBe(2);
    });

    it('give up after `attempts` tries with the last failure: RateLimitedError with retryAfter', async () => {
      proxy.plan = [{ status: 429, retryAfter: '0' }, { status: 429, retryAfter: '0' }, { status: 429, retryAfter: '0' }];
      const error = await rejection(client({ retry: { attempts: 2, baseDelayMs: 10 } }).tickets({ first: 2 }));
      expect(error).toBeInstanceOf(RateLimitedError);
      expect(error).toMatchObject({ retryAfter: 0, status: 429, operationName: 'tickets', variables: { first: 2 } });
      expect(proxy.hits).toBe(2);
    });

    it('fail with a NetworkError after `attempts` tries when the server cannot be reached', async () => {
      let calls = 0;
      const countingFetch: typeof fetch = (input, init) => {
        calls += 1;
        return fetch(input, init);
      };
      const url = `http://127.0.0.1:${await closedPort()}/graphql`;
      const unreachable = client({ url, fetch: countingFetch, retry: { attempts: 4, baseDelayMs: 5 } });
      const error = await rejection(unreachable.tickets({ first: 1 }));
      expect(error).toBeInstanceOf(NetworkError);
      expect(error).toMatchObject({ operationName: 'tickets', variables: { first: 1 }, status: undefined });
      expect((error as NetworkError).cause).toBeDefined();
      expect(calls).toBe(4);

      // A mutation without an idempotency key is tried once; with one, as often as a query.
      calls = 0;
      await expect(unreachable.noteAdd({ input: { ticketId: 'x', body: 'Hello' } })).rejects.toBeInstanceOf(NetworkError);
      expect(calls).toBe(1);
      calls = 0;
      await expect(unreachable.ticketCreate({ input: { ...NEW_TICKET, idempotencyKey: 'unreachable-1' } })).rejects.toBeInstanceOf(NetworkError);
      expect(calls).toBe(4);
    });

    it('are not retried with retry: false', async () => {
      proxy.plan = [{ status: 503 }, { status: 503 }];
      const error = await rejection(client({ retry: false }).me());
      expect(error).toBeInstanceOf(NetworkError);
      expect(error).toMatchObject({ status: 503, operationName: 'me' });
      expect(proxy.hits).toBe(1);

      proxy.hits = 0;
      proxy.plan = [{ status: 429, retryAfter: '1' }];
      const started = Date.now();
      const limited = await rejection(client({ retry: false }).me());
      expect(limited).toBeInstanceOf(RateLimitedError);
      expect((limited as RateLimitedError).retryAfter).toBe(1);
      expect(Date.now() - started).toBeLessThan(900);
      expect(proxy.hits).toBe(1);
    });

    it('stop at once when the caller aborts, even while waiting to retry', async () => {
      proxy.plan = [{ status: 503, retryAfter: '5' }];
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const started = Date.now();
      const error = await rejection(client().me({}, { signal: controller.signal }));
      expect(Date.now() - started).toBeLessThan(2000);
      expect(error).toMatchObject({ name: 'AbortError' });
      expect(proxy.hits).toBe(1);

      const aborted = await rejection(client().me({}, { signal: AbortSignal.abort() }));
      expect(aborted).toMatchObject({ name: 'AbortError' });
      expect(aborted).not.toBeInstanceOf(NetworkError);
    });
  });

  describe('mutations', () => {
    it('are not retried without an idempotencyKey: RateLimitedError after one attempt', async () => {
      proxy.plan = [{ status: 429, retryAfter: '1' }];
      const before = await ticketCount();
      const input = { ...NEW_TICKET, title: 'Not retried' };
      const started = Date.now();
      const error = await rejection(client({ token: customerToken }).ticketCreate({ input }));
      expect(error).toBeInstanceOf(RateLimitedError);
      expect(error).toMatchObject({ retryAfter: 1, status: 429, operationName: 'ticketCreate', variables: { input } });
      expect(Date.now() - started).toBeLessThan(900);
      expect(proxy.hits).toBe(1);
      expect(await ticketCount()).toBe(before);
    });

    it('are not retried without an idempotencyKey even when the answer was lost', async () => {
      proxy.plan = [{ status: 503, forward: true }];
      const before = await ticketCount();
      const error = await rejection(client({ token: customerToken }).ticketCreate({ input: { ...NEW_TICKET, title: 'Lost answer' } }));
      expect(error).toBeInstanceOf(NetworkError);
      expect(error).toMatchObject({ status: 503, operationName: 'ticketCreate' });
      expect(proxy.hits).toBe(1);
      expect(await ticketCount()).toBe(before + 1); // it was filed once; a retry would have filed it twice
    });

    it('are retried with an idempotencyKey, and file exactly one ticket', async () => {
      // The first answer is lost after the server filed the ticket, the second is rate limited, the third arrives.
      proxy.plan = [{ status: 503, forward: true }, { status: 429, retryAfter: '0' }];
      const before = await ticketCount();
      const created = await client({ token: customerToken }).ticketCreate({ input: { ...NEW_TICKET, title: 'Exactly once', idempotencyKey: 'retry-exactly-once' } });
      expect(created.ticketCreate.userErrors).toEqual([]);
      expect(proxy.hits).toBe(3);
      expect(await ticketCount()).toBe(before + 1);
      const stored = await server.gql<{ tickets: { edges: { node: { number: string; title: string } }[] } }>(
        `{ tickets(first: 50) { edges { node { number title } } } }`,
        {},
        customerOf('retries'),
      );
      const filed = stored.data!.tickets.edges.filter((edge) => edge.node.title === 'Exactly once');
      expect(filed.map((edge) => edge.node.number)).toEqual([created.ticketCreate.ticket!.number]);
    });
  });

  describe('subscriptions', () => {
    it('reconnect with backoff when the socket drops, and keep delivering to the same iterator', async () => {
      // A TCP proxy in front of the server, whose connections the test can cut.
      const sockets = new Set<Socket>();
      const tcp = createTcpServer((downstream) => {
        const upstream = tcpConnect(Number(new URL(server.url).port), '127.0.0.1');
        sockets.add(downstream).add(upstream);
        downstream.pipe(upstream).pipe(downstream);
        const drop = () => {
          downstream.destroy();
          upstream.destroy();
        };
        downstream.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
      });
      tcp.listen(0, '127.0.0.1');
      await once(tcp, 'listening');
      const url = `http://127.0.0.1:${(tcp.address() as AddressInfo).port}/graphql`;
      const watcher = createClient({ url, token: engineerToken, webSocketImpl: WebSocket });
      const actor = createClient({ url: server.url, token: engineerToken });
      try {
        const { id } = await fileTicket(server, customerOf('retries'), { title: 'Watched' });
        const iterator = watcher.subscribe.ticketStatusChanged({ ticketId: id })[Symbol.asyncIterator]();
        const statuses: TicketStatus[] = ['IN_PROGRESS', 'WAITING_ON_CUSTOMER'];
        let step = 0;
        const poke = () => actor.ticketUpdateStatus({ input: { ticketId: id, status: statuses[step++ % 2]! } });

        const first = await pokeUntil(iterator.next(), poke, 'first event');
        expect(first.value?.ticketStatusChanged.ticket.id).toBe(id);

        expect(sockets.size).toBeGreaterThan(0);
        for (const socket of sockets) socket.destroy();
        sockets.clear();

        const next = iterator.next();
        const second = await pokeUntil(next, poke, 'event after reconnecting');
        expect(second.done).toBe(false);
        expect(second.value?.ticketStatusChanged.ticket.id).toBe(id);
        expect(sockets.size).toBeGreaterThan(0); // it came over a new connection
        await iterator.return!();
      } finally {
        await watcher.close();
        await actor.close();
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => tcp.close(() => resolve()));
      }
    });
  });
});
