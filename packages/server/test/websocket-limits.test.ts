// The limits of graphql-ws sockets (http/websocket.ts) over real sockets, with the default settings: each refusal
// arrives quickly with its close code and reason, or error code, and the use next to it goes on unaffected.
// Raw sockets where the protocol's close codes and reasons are what is checked; the graphql-ws client elsewhere.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { idOf } from '../src/common/global-id';
import { MAX_PENDING } from '../src/realtime/pubsub';
import { Role } from '../src/users/user.entity';
import { Closed, RawSocket, within } from './helpers/raw-socket';
import { connect, subscribe, ticketProbe } from './helpers/subscriptions';
import { createOrganization, customerOf, ENGINEER, fileTicket, Person, startTestServer, TestServer } from './helpers/test-server';

/** How long a refusal may take before the test fails: they are meant to be immediate. */
const REFUSAL_MS = 3_000;

/** Opens signed-in or anonymous sockets until the server accepts one: a closed socket's place is freed on close. */
async function openOnceFree(server: TestServer, token?: string): Promise<RawSocket> {
  const giveUpAt = Date.now() + REFUSAL_MS;
  for (;;) {
    const raw = await RawSocket.open(server.url, { token });
    const answer = await raw.receive('connection_ack');
    if ('type' in answer) return raw;
    if (Date.now() > giveUpAt) throw new Error(`no place was freed: ${JSON.stringify(answer)}`);
  }
}

describe('websocket limits', () => {
  let server: TestServer;
  let acmeId: string;
  const acme = customerOf('acme');
  const engineer = (sub: string): Person => ({ sub, role: Role.ENGINEER });

  beforeAll(async () => {
    server = await startTestServer();
    acmeId = await createOrganization(server, 'acme');
  });
  afterAll(() => server.close());

  // First, while no other socket is open: anonymous and not yet signed-in sockets share their address's places.
  it('refuses a 21st anonymous socket from one address with 4429, naming the limit', async () => {
    const sockets: RawSocket[] = [];
    for (let i = 0; i < 20; i++) {
      const raw = await RawSocket.open(server.url);
      expect(await raw.receive('connection_ack')).toEqual({ type: 'connection_ack' });
      sockets.push(raw);
    }
    const extra = await RawSocket.open(server.url);
    expect(await within(extra.closed, REFUSAL_MS, 'the 21st anonymous socket')).toEqual({
      code: 4429,
      reason: 'Too many sockets: at most 20 per IP address until signed in',
    });
    await sockets.pop()!.close();
    const again = await openOnceFree(server);
    await Promise.all([...sockets, again].map((raw) => raw.close()));
  });

  it('refuses a 21st socket of one user with 4429, naming the limit; other users still connect', async () => {
    const token = await server.token(engineer('engineer-many'));
    const sockets: RawSocket[] = [];
    for (let i = 0; i < 20; i++) {
      const raw = await RawSocket.open(server.url, { token });
      expect(await raw.receive('connection_ack')).toEqual({ type: 'connection_ack' });
      sockets.push(raw);
    }
    const extra = await RawSocket.open(server.url, { token });
    expect(await within(extra.closed, REFUSAL_MS, 'the 21st socket')).toEqual({ code: 4429, reason: 'Too many sockets: at most 20 per user' });

    const other = await RawSocket.open(server.url, { token: await server.token(engineer('engineer-other')) });
    expect(await other.receive('connection_ack')).toEqual({ type: 'connection_ack' });
    await sockets.pop()!.close();
    const again = await openOnceFree(server, token);
    await Promise.all([...sockets, other, again].map((raw) => raw.close()));
  });

  it('answers a 101st subscription on one socket with TOO_MANY_SUBSCRIPTIONS, naming the limit; the 100 raise no leak warning', async () => {
    // 100 listeners on one topic: nothing may warn of a leak (MaxListenersExceededWarning) for what the limits allow.
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    onTestFinished(() => void process.off('warning', onWarning));
    const client = connect(server.url, await server.token(engineer('engineer-busy')));
    const held = [];
    for (let i = 0; i < 100; i++) held.push(await subscribe(client, `subscription { slaStatusChanged { state } }`));
    const refused = await subscribe(client, `subscription { slaStatusChanged { state } }`);
    await expect(refused.next(REFUSAL_MS)).rejects.toThrow(/subscription failed/);
    expect(refused.errors).toEqual([
      [
        {
          message: 'At most 100 subscriptions may run on one connection; complete one before starting another.',
          extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: 100 },
        },
      ],
    ]);
    expect(held.flatMap((subscription) => subscription.errors)).toEqual([]);

    // Completing one frees its place: the next subscription is served.
    await held[0]!.close();
    const next = await subscribe(
      client,
      `subscription { ticketStatusChanged { to ticket { number } } }`,
      {},
      ticketProbe(server, acme, (message: any) => message.ticketStatusChanged.ticket.number),
    );
    expect(next.errors).toEqual([]);
    await client.dispose();
    expect(warnings.map((warning) => warning.name)).not.toContain('MaxListenersExceededWarning');
  });

  it(`ends a subscription more than ${MAX_PENDING} events behind with SUBSCRIBER_TOO_SLOW; the server and the socket go on`, async () => {
    const client = connect(server.url, await server.token(engineer('engineer-slow')));
    try {
      const probe = ticketProbe(server, acme, (message: any) => message.ticketStatusChanged.ticket.number);
      const flooded = await subscribe(client, `subscription { ticketStatusChanged { to ticket { number } } }`, {}, probe);
      // More changes at once than a subscriber may leave unread (one taken at once, then MAX_PENDING and one more
      // waiting): published in one go, none can be read in between.
      const ticket = await fileTicket(server, acme, { title: 'Flooded' });
      const ticketId = idOf(ticket.id, 'Ticket')!;
      const organizationId = idOf(acmeId, 'Organization')!;
      for (let i = 0; i < MAX_PENDING + 2; i += 1) {
        server.realtime.deliver({
          topic: 'TICKET_STATUS',
          payload: {
            position: { xid: 1n << 40n, seq: BigInt(i) },
            cursor: `flood-${i}`,
            ...{ ticketId, organizationId, from: 'NEW', to: 'IN_PROGRESS', at: '2026-12-01T15:00:00.000Z', actorId: null },
          },
        });
      }
      // The one already awaited arrives; then the error, instead of the 10,000 it could not keep.
      const delivered: unknown[] = [];
      await expect(
        (async () => {
          for (;;) delivered.push(await flooded.next(REFUSAL_MS));
        })(),
      ).rejects.toThrow(/SUBSCRIBER_TOO_SLOW/);
      expect(delivered.length).toBeLessThan(10);
      expect(flooded.errors).toEqual([
        [
          {
            message: `This subscription fell more than ${MAX_PENDING} messages behind and was ended; subscribe again.`,
            extensions: { code: 'SUBSCRIBER_TOO_SLOW', limit: MAX_PENDING },
          },
        ],
      ]);
      // The socket still serves: a new subscription hears the next change.
      const again = await subscribe(client, `subscription { ticketStatusChanged { to ticket { number } } }`, {}, probe);
      expect(again.errors).toEqual([]);
    } finally {
      await client.dispose();
    }
  });

  it('closes a socket over a message larger than 1 MB with 1009, and answers one just under it', async () => {
    const raw = await RawSocket.open(server.url);
    expect(await raw.receive('connection_ack')).toEqual({ type: 'connection_ack' });
    const padded = (id: string, bytes: number) => {
      const message = { id, type: 'subscribe', payload: { query: '{ __typename }', variables: { padding: '' } } };
      message.payload.variables.padding = 'x'.repeat(bytes - JSON.stringify(message).length);
      return message;
    };
    raw.send(padded('under', 1024 * 1024));
    expect(await raw.receive('next')).toEqual({ id: 'under', type: 'next', payload: { data: { __typename: 'Query' } } });

    raw.send(padded('over', 1024 * 1024 + 1));
    expect(await within(raw.closed, REFUSAL_MS, 'the oversized message')).toEqual({ code: 1009, reason: '' });
    expect(raw.messages.filter((message) => message.id === 'over')).toEqual([]);
  });

  describe('a token that expires while its socket is open', () => {
    const expiringIn = async (person: Person, ms: number) => server.token(person, { expiresAt: new Date(server.clock.now().getTime() + ms) });
    const setStatus = (ticketId: string, status: string) =>
      server.gql(`mutation($input: TicketUpdateStatusInput!) { ticketUpdateStatus(input: $input) { userErrors { code } } }`, { input: { ticketId, status } }, ENGINEER);
    const numberOf = (message: any) => message.ticketStatusChanged.ticket.number;
    const statusChanges = `subscription { ticketStatusChanged { to ticket { number } } }`;

    it('gets no event after the expiry: its socket closes with 4403 "token expired"; other sockets hear it', async () => {
      const closes: Closed[] = [];
      const expiring = connect(server.url, await expiringIn(engineer('engineer-expiring'), 60_000), (event) => closes.push(event as Closed));
      const lasting = connect(server.url, await server.token(engineer('engineer-lasting')));
      // One probe: each subscription knows the other's probe tickets for echoes.
      const probe = ticketProbe(server, acme, numberOf);
      const doomed = await subscribe(expiring, statusChanges, {}, probe);
      const alive = await subscribe(lasting, statusChanges, {}, probe);

      server.clock.advance(60_000);
      const ticket = await fileTicket(server, acme);
      await setStatus(ticket.id, 'IN_PROGRESS');
      expect(await alive.next()).toEqual({ ticketStatusChanged: { to: 'IN_PROGRESS', ticket: { number: ticket.number } } });
      await within(
        (async () => {
          while (!closes.length) await new Promise((resolve) => setTimeout(resolve, 20));
        })(),
        REFUSAL_MS,
        'the expired socket’s close',
      );
      expect(closes.map(({ code, reason }) => ({ code, reason }))).toEqual([{ code: 4403, reason: 'token expired' }]);
      expect(doomed.received).toEqual([]);
      await Promise.all([expiring.dispose(), lasting.dispose()]);
    });

    it('closes its socket with 4403 at the moment of expiry, with no event to send', async () => {
      const raw = await RawSocket.open(server.url, { token: await expiringIn(engineer('engineer-idle'), 1_000) });
      expect(await raw.receive('connection_ack')).toEqual({ type: 'connection_ack' });
      server.clock.advance(1_000);
      // The server's timer, due one second after the socket opened, finds the clock past the expiry.
      expect(await within(raw.closed, REFUSAL_MS, 'the close at expiry')).toEqual({ code: 4403, reason: 'token expired' });
    });

    it('closes its socket with 4403 when it subscribes after the expiry', async () => {
      const raw = await RawSocket.open(server.url, { token: await expiringIn(engineer('engineer-late'), 60_000) });
      expect(await raw.receive('connection_ack')).toEqual({ type: 'connection_ack' });
      server.clock.advance(60_000);
      raw.send({ id: 'late', type: 'subscribe', payload: { query: statusChanges } });
      expect(await within(raw.closed, REFUSAL_MS, 'the close on subscribe')).toEqual({ code: 4403, reason: 'token expired' });
      expect(raw.messages.filter((message) => message.id === 'late')).toEqual([]);
    });
  });

  // Last: the socket holds a place of its address for those ten seconds.
  it('closes a socket that sends no connection_init within 10 s with 4408', async () => {
    const raw = await RawSocket.open(server.url, { init: false });
    const openedAt = Date.now();
    const closed = await within(raw.closed, 15_000, 'the init timeout');
    expect(closed).toEqual({ code: 4408, reason: 'Connection initialisation timeout' });
    // graphql-ws's own default is 3 s; ours gives slow networks time.
    expect(Date.now() - openedAt).toBeGreaterThanOrEqual(9_500);
  });
});

describe('anonymous sockets of two clients behind one proxy, each with its X-Forwarded-For', () => {
  const from = (client: string) => ({ headers: { 'x-forwarded-for': client } });
  /** The first client takes its 20 places; then how the second client's socket is answered. */
  const secondClientAfterFirst = async (trustProxy: string | undefined) => {
    const server = await startTestServer({ trustProxy });
    try {
      const first: RawSocket[] = [];
      for (let i = 0; i < 20; i++) {
        const raw = await RawSocket.open(server.url, from('203.0.113.1'));
        expect(await raw.receive('connection_ack')).toEqual({ type: 'connection_ack' });
        first.push(raw);
      }
      const second = await RawSocket.open(server.url, from('203.0.113.2'));
      const answer = await within(second.receive('connection_ack'), REFUSAL_MS, 'the second client’s socket');
      await Promise.all([...first, second].map((raw) => raw.close()));
      return answer;
    } finally {
      await server.close();
    }
  };

  it('with TRUST_PROXY=1 are counted apart', async () => {
    expect(await secondClientAfterFirst('1')).toEqual({ type: 'connection_ack' });
  });

  it('without TRUST_PROXY are counted together, as the proxy', async () => {
    expect(await secondClientAfterFirst(undefined)).toEqual({ code: 4429, reason: 'Too many sockets: at most 20 per IP address until signed in' });
  });
});
