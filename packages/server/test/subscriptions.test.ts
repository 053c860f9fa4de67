// Subscriptions over a real graphql-ws client: authentication, isolation between organizations, and the events.
// Probes (throwaway tickets) tell when the server has a subscription, and bound the checks that nothing arrived.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, Probe, subscribe, ticketProbe } from './helpers/subscriptions';
import { createOrganization, customerOf, ENGINEER, fileTicket, startTestServer, TEST_SECRET, TestServer } from './helpers/test-server';
import { createClient } from 'graphql-ws';
import { SignJWT } from 'jose';
import WebSocket from 'ws';

describe('subscriptions', () => {
  let server: TestServer;
  let acmeId: string;
  const acme = customerOf('acme');
  const globex = customerOf('globex');

  beforeAll(async () => {
    server = await startTestServer();
    acmeId = await createOrganization(server, 'acme');
    await createOrganization(server, 'globex');
  });
  afterAll(() => server.close());

  const setStatus = (ticketId: string, status: string) =>
    server.gql(`mutation($input: TicketUpdateStatusInput!) { ticketUpdateStatus(input: $input) { userErrors { code } } }`, { input: { ticketId, status } }, ENGINEER);

  it('closes the connection with 4403 when the token is bad', async () => {
    const forged = await new SignJWT({ role: 'engineer' }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').sign(new TextEncoder().encode(`${TEST_SECRET}-not`));
    let closedWith: number | null = null;
    const client = connect(server.url, forged, (event) => (closedWith = event.code));
    const subscription = await subscribe(client, `subscription { slaStatusChanged { state } }`);
    await expect(subscription.next()).rejects.toThrow();
    expect(closedWith).toBe(4403);
    await client.dispose();
  });

  it('accepts the token as the playground sends it (`Authorization`, capitalized)', async () => {
    const client = createClient({
      url: server.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { Authorization: `Bearer ${await server.token(ENGINEER)}` },
      retryAttempts: 0,
    });
    const subscription = await subscribe(
      client,
      `subscription { ticketStatusChanged { to ticket { number } } }`,
      {},
      ticketProbe(server, acme, (message: any) => message.ticketStatusChanged.ticket.number),
    );
    const ticket = await fileTicket(server, acme);
    await setStatus(ticket.id, 'IN_PROGRESS');
    expect(await subscription.next()).toEqual({ ticketStatusChanged: { to: 'IN_PROGRESS', ticket: { number: ticket.number } } });
    await client.dispose();
  });

  it('applies the depth limit to subscriptions too', async () => {
    const client = connect(server.url, await server.token(ENGINEER));
    const nested = 'relatedTicket { '.repeat(12) + 'number' + ' }'.repeat(12);
    const subscription = await subscribe(client, `subscription { ticketStatusChanged { ticket { ${nested} } } }`);
    await expect(subscription.next()).rejects.toThrow(/QUERY_TOO_COMPLEX|levels deep/);
    await client.dispose();
  });

  it('answers a subscription without a token with UNAUTHENTICATED', async () => {
    const client = connect(server.url, null);
    const subscription = await subscribe(client, `subscription { slaStatusChanged { state } }`);
    await expect(subscription.next()).rejects.toThrow(/UNAUTHENTICATED|Sign in/);
    await client.dispose();
  });

  it('a customer never hears of another organization’s tickets, whatever filter it passes', async () => {
    const globexClient = connect(server.url, await server.token(globex));
    // `sneaky` must never hear anything, so nothing can tell that the server has it: it is subscribed first, on the
    // socket of `all`, which a probe of globex's own tickets proves registered.
    const sneaky = await subscribe(globexClient, `subscription($org: ID) { ticketStatusChanged(organizationId: $org) { ticket { number } to } }`, { org: acmeId });
    const all = await subscribe(
      globexClient,
      `subscription { slaStatusChanged { ticket { number } state } }`,
      {},
      ticketProbe(server, globex, (message: any) => message.slaStatusChanged.ticket.number),
    );
    const acmeClient = connect(server.url, await server.token(acme));
    const own = await subscribe(
      acmeClient,
      `subscription { ticketStatusChanged { ticket { number } from to actor { name } } }`,
      {},
      ticketProbe(server, acme, (message: any) => message.ticketStatusChanged.ticket.number),
    );
    try {
      const ticket = await fileTicket(server, acme);
      await setStatus(ticket.id, 'IN_PROGRESS');
      expect(await own.next()).toEqual({
        ticketStatusChanged: { ticket: { number: ticket.number }, from: 'NEW', to: 'IN_PROGRESS', actor: { name: ENGINEER.name } },
      });
      // Everything published before a new globex probe has reached `all` (and `sneaky`'s socket) once its echo has.
      await all.catchUp();
      expect(sneaky.received).toEqual([]);
      expect(all.received).toEqual([]);
    } finally {
      await globexClient.dispose();
      await acmeClient.dispose();
    }
  });

  it('ticketEvents streams a ticket’s timeline; customers get no internal ones and cannot subscribe to other organizations’ tickets', async () => {
    const ticket = await fileTicket(server, acme);
    const engineerClient = connect(server.url, await server.token(ENGINEER));
    const customerClient = connect(server.url, await server.token(acme));
    // Probe with the customer's comments on the ticket (nothing else follows from them), told apart by their ids.
    const comments = new Probe<any>(
      async () => {
        const added = await server.gql(`mutation($input: NoteAddInput!) { noteAdd(input: $input) { note { id } } }`, { input: { ticketId: ticket.id, body: 'Probe.' } }, acme);
        return added.data!.noteAdd.note.id;
      },
      (message) => message.ticketEvents.data.noteId,
    );
    const staffView = await subscribe(engineerClient, `subscription($id: ID!) { ticketEvents(ticketId: $id) { type data } }`, { id: ticket.id }, comments);
    const customerView = await subscribe(customerClient, `subscription($id: ID!) { ticketEvents(ticketId: $id) { type data } }`, { id: ticket.id }, comments);
    try {
      await server.gql(
        `mutation($input: NoteAddInput!) { noteAdd(input: $input) { note { id } } }`,
        { input: { ticketId: ticket.id, body: 'Looks like the cache.', visibility: 'INTERNAL' } },
        ENGINEER,
      );
      await server.gql(`mutation($input: NoteAddInput!) { noteAdd(input: $input) { note { id } } }`, { input: { ticketId: ticket.id, body: 'Fixed.' } }, ENGINEER);
      const staffTypes = [(await staffView.next()).ticketEvents, (await staffView.next()).ticketEvents];
      expect(staffTypes.map((event: any) => [event.type, event.data.visibility])).toEqual([
        ['NOTE_ADDED', 'INTERNAL'],
        ['NOTE_ADDED', 'PUBLIC'],
      ]);
      const first = (await customerView.next()).ticketEvents;
      expect([first.type, first.data.visibility]).toEqual(['NOTE_ADDED', 'PUBLIC']);
    } finally {
      await engineerClient.dispose();
      await customerClient.dispose();
    }

    const globexClient = connect(server.url, await server.token(globex));
    const refused = await subscribe(globexClient, `subscription($id: ID!) { ticketEvents(ticketId: $id) { type } }`, { id: ticket.id });
    await expect(refused.next()).rejects.toThrow(/NOT_FOUND|No ticket/);
    await globexClient.dispose();
  });
});
