// The subscription socket's connection as an app sees it: `client.on('connected' | 'disconnected' | 'reconnecting')`
// through a real server's stop and start, the reconnect backoff (capped, jittered, for ever unless limited), `wsUrl`,
// and the token asked afresh at every connection, a 4403 (token expired) included. Waits go through a fake `sleep`.
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganization, customerOf, ENGINEER, fileTicket, startTestServer, TestServer } from '../../server/test/helpers/test-server.js';
import { AuthenticationError, type ConnectionEvents, createClient, type EscalateClient, NetworkError, reconnectDelay, type TicketStatus } from '../src/index.js';
import { reconnectPolicy } from '../src/retries.js';
import { webSocketUrl } from '../src/transport.js';
import { closedPort } from '../../server/test/helpers/ports.js';
import { startTcpProxy, type TcpProxy } from '../../server/test/helpers/tcp-proxy.js';
import { fakeTime, pokeUntil, portOf, rejection, within } from './helpers.js';

/** A TCP proxy in front of a server that may change (`target`), whose connections a test can cut; `url` its GraphQL URL. */
type Proxy = TcpProxy & { url: string };

async function startProxy(target: number): Promise<Proxy> {
  const proxy = await startTcpProxy(target);
  return Object.assign(proxy, { url: `http://127.0.0.1:${proxy.port}/graphql` });
}


/** Every connection event of a client, in order, as `[name, detail]`. */
function recordEvents(client: EscalateClient) {
  const events: [keyof ConnectionEvents, ConnectionEvents[keyof ConnectionEvents]][] = [];
  const waiting: { name: keyof ConnectionEvents; count: number; resolve: () => void }[] = [];
  const names = ['connected', 'disconnected', 'reconnecting'] as const;
  const check = () => {
    for (const wait of [...waiting]) {
      if (events.filter(([name]) => name === wait.name).length >= wait.count) {
        waiting.splice(waiting.indexOf(wait), 1);
        wait.resolve();
      }
    }
  };
  const stops = names.map((name) =>
    client.on(name, (detail) => {
      events.push([name, detail]);
      check();
    }),
  );
  return {
    events,
    names: () => events.map(([name]) => name),
    /** Resolves once `count` events `name` have been seen in all. */
    until: (name: keyof ConnectionEvents, count = 1) =>
      within(
        new Promise<void>((resolve) => {
          waiting.push({ name, count, resolve });
          check();
        }),
        `${count} × ${name}`,
      ),
    stop: () => stops.forEach((stop) => stop()),
  };
}

describe('reconnectDelay', () => {

  it('doubles from 500 ms and is capped at 10 s, however many attempts', () => {
    const highest = [1, 2, 3, 4, 5, 6, 7, 50, 10_000].map((attempt) => reconnectDelay(attempt, {}, () => 0.999_999));
    expect(highest).toEqual([499, 999, 1999, 3999, 7999, 9999, 9999, 9999, 9999]);
  });

  it('is jittered down to half of its ceiling at least', () => {
    const lowest = [1, 2, 3, 4, 5, 6, 100].map((attempt) => reconnectDelay(attempt, {}, () => 0));
    expect(lowest).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);
    const spread = new Set(Array.from({ length: 50 }, () => reconnectDelay(8)));
    expect(spread.size).toBeGreaterThan(10); // clients disconnected together do not all come back together
    expect(Math.min(...spread)).toBeGreaterThanOrEqual(5000);
    expect(Math.max(...spread)).toBeLessThan(10_000);
  });

  it('takes its base and cap from the options; attempts are unlimited by default', () => {
    const options = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5, 6].map((attempt) => reconnectDelay(attempt, options, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
    expect(reconnectPolicy(undefined).attempts).toBe(Number.POSITIVE_INFINITY); // for ever, unless limited
  });
});

describe('webSocketUrl', () => {
  it('is the HTTP url over ws:// or wss://', () => {
    expect(webSocketUrl('http://localhost:4000/graphql')).toBe('ws://localhost:4000/graphql');
    expect(webSocketUrl('https://escalate.example.com/graphql')).toBe('wss://escalate.example.com/graphql');
    expect(webSocketUrl('HTTPS://escalate.example.com/api/graphql?x=1')).toBe('wss://escalate.example.com/api/graphql?x=1');
  });
});

describe('the connection', () => {
  let server: TestServer;
  let actor: EscalateClient;
  let engineerToken: string;
  const clients: EscalateClient[] = [];
  const proxies: Proxy[] = [];
  const statuses: TicketStatus[] = ['IN_PROGRESS', 'WAITING_ON_CUSTOMER'];

  beforeAll(async () => {
    server = await startTestServer();
    await createOrganization(server, 'connection');
    engineerToken = await server.token(ENGINEER);
    actor = createClient({ url: server.url, token: engineerToken });
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await actor?.close();
    await server?.close();
  });

  const watcher = (options: Partial<Parameters<typeof createClient>[0]>) => {
    const client = createClient({ url: server.url, webSocketImpl: WebSocket, ...options });
    clients.push(client);
    return client;
  };
  const proxy = async () => {
    const started = await startProxy(portOf(server.url));
    proxies.push(started);
    return started;
  };
  /** A status change on the ticket until the iterator yields, over `through` (the server now serving). */
  const heard = <T>(iterator: AsyncIterator<T>, id: string, what: string, through = actor) => {
    let step = 0;
    return pokeUntil(iterator.next(), () => through.ticketUpdateStatus({ input: { ticketId: id, status: statuses[step++ % 2]! } }), what);
  };

  it('reports connected, disconnected with since, reconnecting while the server is down, and connected when it is back', async () => {
    const time = fakeTime('held');
    const front = await proxy();
    const client = watcher({ url: front.url, token: engineerToken, sleep: time.sleep });
    const log = recordEvents(client);
    const { id } = await fileTicket(server, customerOf('connection'), { title: 'Watched through a restart' });
    const iterator = client.subscribe.ticketStatusChanged({ ticketId: id })[Symbol.asyncIterator]();
    await heard(iterator, id, 'an event before the stop');
    expect(log.names()).toEqual(['connected']);
    expect(log.events[0]![1]).toMatchObject({ reconnected: false });

    // The server stops (graphql-ws closes its sockets with 1001 Going Away).
    const before = Date.now();
    await server.close();
    await log.until('disconnected');
    const disconnected = log.events[1]![1] as ConnectionEvents['disconnected'];
    expect(disconnected.code).toBe(1001);
    expect(disconnected.since.getTime()).toBeGreaterThanOrEqual(before);
    expect(disconnected.since.getTime()).toBeLessThanOrEqual(Date.now());

    // Attempts while it is down fail; each is announced, with the outage's start, and none is a new disconnection.
    const first = await time.nextWait();
    expect(log.events[2]).toEqual(['reconnecting', { attempt: 1, delayMs: first.ms, since: disconnected.since }]);
    first.end();
    const second = await time.nextWait();
    expect(log.events[3]).toEqual(['reconnecting', { attempt: 2, delayMs: second.ms, since: disconnected.since }]);
    expect(second.ms).toBeGreaterThanOrEqual(500);
    expect(second.ms).toBeLessThan(1000);

    // The server starts again, on the same database (behind the same address), and the subscription comes back.
    server = await startTestServer({ databaseUrl: server.databaseUrl });
    front.target = portOf(server.url);
    await actor.close();
    actor = createClient({ url: server.url, token: engineerToken });
    second.end();
    await log.until('connected', 2);
    expect(log.names()).toEqual(['connected', 'disconnected', 'reconnecting', 'reconnecting', 'connected']);
    expect(log.events[4]![1]).toMatchObject({ reconnected: true });
    const after = await heard(iterator, id, 'an event after the restart');
    expect(after.value?.ticketStatusChanged.ticket.id).toBe(id);

    // Ending the last subscription, and closing the client, is not an outage: nothing more is reported.
    await iterator.return!();
    await client.close();
    expect(log.events).toHaveLength(5);
    log.stop();
  });

  it('asks getToken at every connection and reconnects after a drop with the token it gives then', async () => {
    const time = fakeTime('instant');
    const front = await proxy();
    const tokens = [await server.token(ENGINEER), await server.token({ ...ENGINEER, name: 'Eve, second token' })];
    let asked = 0;
    const client = watcher({ url: front.url, getToken: () => tokens[Math.min(asked++, 1)], sleep: time.sleep });
    const log = recordEvents(client);
    const { id } = await fileTicket(server, customerOf('connection'), { title: 'Watched through a drop' });
    const iterator = client.subscribe.ticketStatusChanged({ ticketId: id })[Symbol.asyncIterator]();
    await heard(iterator, id, 'an event on the first connection');
    expect(asked).toBe(1);

    front.cut();
    await log.until('connected', 2);
    expect(asked).toBe(2);
    expect(log.names()).toEqual(['connected', 'disconnected', 'reconnecting', 'connected']);
    expect(log.events[1]![1]).toMatchObject({ code: 1006 });
    expect(time.delays).toHaveLength(1);
    const after = await heard(iterator, id, 'an event on the second connection');
    expect(after.done).toBe(false);
    await iterator.return!();
  });

  it('reconnects with a fresh token when the server closes the socket with 4403 for an expired one', async () => {
    const expiresAt = new Date(server.clock.now().getTime() + 60_000);
    const expiring = await server.token(ENGINEER, { expiresAt });
    const fresh = await server.token(ENGINEER, { expiresAt: new Date(expiresAt.getTime() + 3_600_000) });
    const given: string[] = [];
    const time = fakeTime('instant');
    const client = watcher({ getToken: () => (given.push(given.length === 0 ? expiring : fresh), given.at(-1)), sleep: time.sleep });
    const log = recordEvents(client);
    const { id } = await fileTicket(server, customerOf('connection'), { title: 'Watched past its token' });
    const iterator = client.subscribe.ticketStatusChanged({ ticketId: id })[Symbol.asyncIterator]();
    await heard(iterator, id, 'an event before the token expires');

    // Past the token's exp, the server closes the socket (at its next event at the latest) with 4403.
    server.clock.advance(120_000);
    let step = 0;
    const poke = () => actor.ticketUpdateStatus({ input: { ticketId: id, status: statuses[step++ % 2]! } });
    await pokeUntil(log.until('connected', 2), poke, 'a new connection after 4403');
    expect(log.events[1]).toEqual(['disconnected', expect.objectContaining({ code: 4403, reason: 'token expired' })]);
    expect(given).toEqual([expiring, fresh]);
    let after = await heard(iterator, id, 'an event with the fresh token');
    while (!after.done && Date.parse(after.value.ticketStatusChanged.at) < expiresAt.getTime()) after = await heard(iterator, id, 'an event with the fresh token');
    expect(after.done).toBe(false);
    await iterator.return!();
  });

  it('throws an AuthenticationError when getToken gives the refused token again, instead of retrying it', async () => {
    const expiring = await server.token(ENGINEER, { expiresAt: new Date(server.clock.now().getTime() + 60_000) });
    let asked = 0;
    const time = fakeTime('instant');
    const client = watcher({ getToken: () => (asked++, expiring), sleep: time.sleep });
    const { id } = await fileTicket(server, customerOf('connection'), { title: 'Watched with a stale token' });
    const iterator = client.subscribe.ticketStatusChanged({ ticketId: id })[Symbol.asyncIterator]();
    await heard(iterator, id, 'an event before the token expires');
    server.clock.advance(120_000);
    // Events queued before the close may come first; then the loop ends with the error.
    const failure = rejection(
      within(
        (async () => {
          while (!(await iterator.next()).done);
        })(),
        'the subscription after 4403',
      ),
    );
    let step = 0;
    await pokeUntil(failure, () => actor.ticketUpdateStatus({ input: { ticketId: id, status: statuses[step++ % 2]! } }), 'the end of the subscription');
    const error = await failure;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ operationName: 'ticketStatusChanged' });
    expect(asked).toBe(2); // asked once more after the 4403, and not again
    expect(time.delays).toHaveLength(1);
  });

  it('stops after reconnect.attempts in a row when limited, with a NetworkError from the iterator', async () => {
    const front = await proxy();
    front.target = await closedPort();
    const time = fakeTime('instant');
    const client = watcher({ url: front.url, token: engineerToken, sleep: time.sleep, reconnect: { attempts: 3 } });
    const log = recordEvents(client);
    const error = await rejection(within(client.subscribe.ticketStatusChanged()[Symbol.asyncIterator]().next(), 'a subscription that cannot connect'));
    expect(error).toBeInstanceOf(NetworkError);
    expect(log.names()).toEqual(['disconnected', 'reconnecting', 'reconnecting', 'reconnecting']);
    expect(log.events.slice(1).map(([, detail]) => (detail as ConnectionEvents['reconnecting']).attempt)).toEqual([1, 2, 3]);
    expect(time.delays).toHaveLength(3);
  });

  it('connects to wsUrl when it is given, apart from url', async () => {
    const front = await proxy();
    // HTTP requests go to url (the server itself); the socket goes through the proxy, which it would not otherwise.
    const client = watcher({ url: server.url, wsUrl: webSocketUrl(front.url), token: engineerToken, sleep: fakeTime('instant').sleep });
    const log = recordEvents(client);
    const { id } = await fileTicket(server, customerOf('connection'), { title: 'Watched over wsUrl' });
    const iterator = client.subscribe.ticketStatusChanged({ ticketId: id })[Symbol.asyncIterator]();
    await heard(iterator, id, 'an event over wsUrl');
    front.cut(); // only the socket passes the proxy: cutting it is a disconnection
    await log.until('disconnected');
    expect((await client.me()).me.role).toBe('ENGINEER');
    await iterator.return!();
  });
});
