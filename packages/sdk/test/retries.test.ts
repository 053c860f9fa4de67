// Retries against a real server behind a small local proxy that answers some requests itself (429, 503) before
// forwarding the rest: queries are retried honouring Retry-After, mutations only with an idempotencyKey. The clients
// wait through a fake `sleep` that records the delays they ask for, so no test sleeps or measures time.
import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, connect as tcpConnect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOrganization, customerOf, ENGINEER, fileTicket, startTestServer, TestServer } from '../../server/test/helpers/test-server.js';
import { createClient, type ClientOptions, type EscalateClient, NetworkError, RateLimitedError, type TicketStatus } from '../src/index.js';
import { closedPort } from '../../server/test/helpers/ports.js';
import { fakeTime, pokeUntil, rejection, within } from './helpers.js';

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

const NEW_TICKET = { title: 'Retried', description: 'Filed through a flaky network.', severity: 'SEV3', environment: 'PRODUCTION', category: 'INCIDENT' } as const;

describe('retries', () => {
  let server: TestServer;
  let proxy: Proxy;
  let engineerToken: string;
  let customerToken: string;
  const clients: EscalateClient[] = [];
  /** A client through the proxy, with the default retries (3 attempts, 250 ms doubling, at most 30 s). */
  const client = (options: Partial<ClientOptions> = {}) => {
    const created = createClient({ url: proxy.url, token: engineerToken, ...options });
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
      const time = fakeTime();
      const result = await client({ sleep: time.sleep }).severityLevels();
      expect(time.delays).toEqual([1000]);
      expect(result.severityLevels).toHaveLength(4);
      expect(proxy.hits).toBe(2);
    });

    it('are retried after 503s, with backoff, and honour a 503’s Retry-After', async () => {
      proxy.plan = [{ status: 503 }, { status: 503 }];
      const backoff = fakeTime();
      expect((await client({ sleep: backoff.sleep }).me()).me.role).toBe('ENGINEER');
      expect(backoff.delays).toEqual([250, 500]);
      expect(proxy.hits).toBe(3);

      proxy.hits = 0;
      proxy.plan = [{ status: 503, retryAfter: '1' }];
      const told = fakeTime();
      expect((await client({ sleep: told.sleep }).me()).me.role).toBe('ENGINEER');
      expect(told.delays).toEqual([1000]);
      expect(proxy.hits).toBe(2);
    });

    it('wait no longer than maxDelayMs, whatever Retry-After or the backoff says', async () => {
      proxy.plan = [{ status: 429, retryAfter: '3600' }];
      const told = fakeTime();
      await client({ sleep: told.sleep, retry: { attempts: 2, maxDelayMs: 50 } }).me();
      expect(told.delays).toEqual([50]);
      expect(proxy.hits).toBe(2);

      proxy.hits = 0;
      proxy.plan = [{ status: 503 }, { status: 503 }, { status: 503 }];
      const backoff = fakeTime();
      await client({ sleep: backoff.sleep, retry: { attempts: 4, baseDelayMs: 40, maxDelayMs: 100 } }).me();
      expect(backoff.delays).toEqual([40, 80, 100]);
      expect(proxy.hits).toBe(4);
    });

    it('give up after `attempts` tries with the last failure: RateLimitedError with retryAfter', async () => {
      proxy.plan = [{ status: 429, retryAfter: '0' }, { status: 429, retryAfter: '0' }, { status: 429, retryAfter: '0' }];
      const time = fakeTime();
      const error = await rejection(client({ sleep: time.sleep, retry: { attempts: 2 } }).tickets({ first: 2 }));
      expect(error).toBeInstanceOf(RateLimitedError);
      expect(error).toMatchObject({ retryAfter: 0, status: 429, operationName: 'tickets', variables: { first: 2 } });
      expect(time.delays).toEqual([0]);
      expect(proxy.hits).toBe(2);
    });

    it('fail with a NetworkError after `attempts` tries when the server cannot be reached', async () => {
      let calls = 0;
      const countingFetch: typeof fetch = (input, init) => {
        calls += 1;
        return fetch(input, init);
      };
      const url = `http://127.0.0.1:${await closedPort()}/graphql`;
      const time = fakeTime();
      const unreachable = client({ url, fetch: countingFetch, sleep: time.sleep, retry: { attempts: 4 } });
      const error = await rejection(unreachable.tickets({ first: 1 }));
      expect(error).toBeInstanceOf(NetworkError);
      expect(error).toMatchObject({ operationName: 'tickets', variables: { first: 1 }, status: undefined });
      expect((error as NetworkError).cause).toBeDefined();
      expect(calls).toBe(4);
      expect(time.delays).toEqual([250, 500, 1000]);

      // A mutation without an idempotency key is tried once; with one, as often as a query.
      calls = 0;
      time.delays.length = 0;
      await expect(unreachable.noteAdd({ input: { ticketId: 'x', body: 'Hello' } })).rejects.toBeInstanceOf(NetworkError);
      expect(calls).toBe(1);
      expect(time.delays).toEqual([]);
      calls = 0;
      await expect(unreachable.ticketCreate({ input: { ...NEW_TICKET, idempotencyKey: 'unreachable-1' } })).rejects.toBeInstanceOf(NetworkError);
      expect(calls).toBe(4);
      expect(time.delays).toEqual([250, 500, 1000]);
    });

    it('are not retried with retry: false', async () => {
      proxy.plan = [{ status: 503 }, { status: 503 }];
      const time = fakeTime();
      const error = await rejection(client({ sleep: time.sleep, retry: false }).me());
      expect(error).toBeInstanceOf(NetworkError);
      expect(error).toMatchObject({ status: 503, operationName: 'me' });
      expect(proxy.hits).toBe(1);

      proxy.hits = 0;
      proxy.plan = [{ status: 429, retryAfter: '1' }];
      const limited = await rejection(client({ sleep: time.sleep, retry: false }).me());
      expect(limited).toBeInstanceOf(RateLimitedError);
      expect((limited as RateLimitedError).retryAfter).toBe(1);
      expect(proxy.hits).toBe(1);
      expect(time.delays).toEqual([]); // not even a wait
    });

    it('stop at once when the caller aborts, even while waiting to retry', async () => {
      proxy.plan = [{ status: 503, retryAfter: '5' }];
      const time = fakeTime('held');
      const controller = new AbortController();
      const failure = rejection(client({ sleep: time.sleep }).me({}, { signal: controller.signal }));
      const wait = await time.nextWait();
      expect(wait.ms).toBe(5000);
      expect(proxy.hits).toBe(1);
      // The wait is never ended: only the abort can end the request.
      controller.abort();
      const error = await within(failure, 'the aborted request');
      expect(error).toMatchObject({ name: 'AbortError' });
      expect(error).not.toBeInstanceOf(NetworkError);
      expect(time.delays).toEqual([5000]);
      expect(proxy.hits).toBe(1);

      // Aborted before it starts: nothing is sent.
      const aborted = await rejection(client({ sleep: time.sleep }).me({}, { signal: AbortSignal.abort() }));
      expect(aborted).toMatchObject({ name: 'AbortError' });
      expect(aborted).not.toBeInstanceOf(NetworkError);
      expect(proxy.hits).toBe(1);
    });
  });

  describe('mutations', () => {
    it('are not retried without an idempotencyKey: RateLimitedError after one attempt', async () => {
      proxy.plan = [{ status: 429, retryAfter: '1' }];
      const before = await ticketCount();
      const input = { ...NEW_TICKET, title: 'Not retried' };
      const time = fakeTime();
      const error = await rejection(client({ token: customerToken, sleep: time.sleep }).ticketCreate({ input }));
      expect(error).toBeInstanceOf(RateLimitedError);
      expect(error).toMatchObject({ retryAfter: 1, status: 429, operationName: 'ticketCreate', variables: { input } });
      expect(time.delays).toEqual([]); // it did not wait for the Retry-After
      expect(proxy.hits).toBe(1);
      expect(await ticketCount()).toBe(before);
    });

    it('are not retried without an idempotencyKey even when the answer was lost', async () => {
      proxy.plan = [{ status: 503, forward: true }];
      const before = await ticketCount();
      const time = fakeTime();
      const error = await rejection(client({ token: customerToken, sleep: time.sleep }).ticketCreate({ input: { ...NEW_TICKET, title: 'Lost answer' } }));
      expect(error).toBeInstanceOf(NetworkError);
      expect(error).toMatchObject({ status: 503, operationName: 'ticketCreate' });
      expect(time.delays).toEqual([]);
      expect(proxy.hits).toBe(1);
      expect(await ticketCount()).toBe(before + 1); // it was filed once; a retry would have filed it twice
    });

    it('are retried with an idempotencyKey, and file exactly one ticket', async () => {
      // The first answer is lost after the server filed the ticket, the second is rate limited, the third arrives.
      // This client waits with its own timer (10 ms, then 0 ms), the default `sleep`.
      proxy.plan = [{ status: 503, forward: true }, { status: 429, retryAfter: '0' }];
      const before = await ticketCount();
      const created = await client({ token: customerToken, retry: { baseDelayMs: 10 } }).ticketCreate({
        input: { ...NEW_TICKET, title: 'Exactly once', idempotencyKey: 'retry-exactly-once' },
      });
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
      const time = fakeTime('held');
      const watcher = createClient({ url, token: engineerToken, webSocketImpl: WebSocket, sleep: time.sleep });
      const actor = createClient({ url: server.url, token: engineerToken });
      try {
        const { id } = await fileTicket(server, customerOf('retries'), { title: 'Watched' });
        const iterator = watcher.subscribe.ticketStatusChanged({ ticketId: id })[Symbol.asyncIterator]();
        const statuses: TicketStatus[] = ['IN_PROGRESS', 'WAITING_ON_CUSTOMER'];
        let step = 0;
        const poke = () => actor.ticketUpdateStatus({ input: { ticketId: id, status: statuses[step++ % 2]! } });

        const first = await pokeUntil(iterator.next(), poke, 'first event');
        expect(first.value?.ticketStatusChanged.ticket.id).toBe(id);
        expect(time.delays).toEqual([]);

        expect(sockets.size).toBeGreaterThan(0);
        for (const socket of sockets) socket.destroy();
        sockets.clear();

        // The client waits before reconnecting: on the first retry, 500 ms jittered to between 250 and 500 ms.
        const wait = await time.nextWait();
        expect(wait.ms).toBeGreaterThanOrEqual(250);
        expect(wait.ms).toBeLessThan(500);
        expect(sockets.size).toBe(0); // not connected again while it waits
        // Changes from now on are stamped later than any that may still be queued from the old connection.
        server.clock.advance(60_000);
        const reconnectedAt = server.clock.now().getTime();
        wait.end();

        let second = await pokeUntil(iterator.next(), poke, 'event after reconnecting');
        while (!second.done && Date.parse(second.value.ticketStatusChanged.at) < reconnectedAt) {
          second = await pokeUntil(iterator.next(), poke, 'event after reconnecting');
        }
        expect(second.done).toBe(false);
        expect(second.value?.ticketStatusChanged.ticket.id).toBe(id);
        expect(sockets.size).toBeGreaterThan(0); // it came over a new connection
        expect(time.delays).toHaveLength(1);
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
