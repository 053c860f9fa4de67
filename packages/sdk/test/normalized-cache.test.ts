// A frontend on Apollo Client with the SDK's documents: the subscriptions' payloads carry the changed ticket with
// the list's fields, so Apollo's InMemoryCache updates the ticket in a list it holds, with no cache code of the
// app's own and no refetch: its status, and its SLA state when time alone changes it.
import { ApolloClient, HttpLink, InMemoryCache, split } from '@apollo/client/core';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganization, customerOf, ENGINEER, fileTicket, startTestServer, TestServer } from '../../server/test/helpers/test-server.js';
import { SlaStatusChangedDocument, TicketsDocument, TicketStatusChangedDocument } from '../src/index.js';
import { GUARD_MS } from './helpers.js';

describe("Apollo Client's normalized cache with the SDK's documents", () => {
  let server: TestServer;
  let apollo: ApolloClient<unknown>;
  let closeSocket: () => Promise<void>;

  beforeAll(async () => {
    server = await startTestServer();
    server.clock.set('2026-12-07T14:00:00Z'); // a Monday, in business hours
    await createOrganization(server, 'cached', { policy: [{ severity: 'SEV3', targetResponse: 'PT1H', clock: 'CALENDAR' }] });
    const token = await server.token(ENGINEER);
    const sockets = createWsClient({ url: server.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` } });
    closeSocket = () => sockets.dispose() as Promise<void>;
    const http = new HttpLink({ uri: server.url, headers: { authorization: `Bearer ${token}` }, fetch });
    apollo = new ApolloClient({
      cache: new InMemoryCache(),
      link: split(
        ({ query }) => {
          const definition = getMainDefinition(query);
          return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
        },
        new GraphQLWsLink(sockets),
        http,
      ),
    });
  });
  afterAll(async () => {
    apollo?.stop();
    await closeSocket?.();
    await server?.close();
  });

  /** Subscribes through Apollo (the link writes each result to the cache) and keeps what it hears. */
  function hear(query: typeof TicketStatusChangedDocument | typeof SlaStatusChangedDocument) {
    const heard: { title: string; id: string }[] = [];
    const subscription = apollo.subscribe({ query, variables: {} }).subscribe({
      next: ({ data }) => {
        type Change = { ticket: { title: string; id: string } };
        const payload = data as { ticketStatusChanged?: Change; slaStatusChanged?: Change } | null | undefined;
        const change = payload?.ticketStatusChanged ?? payload?.slaStatusChanged;
        if (change) heard.push({ title: change.ticket.title, id: change.ticket.id });
      },
    });
    return { heard, stop: () => subscription.unsubscribe() };
  }

  async function until(condition: () => boolean, poke?: () => Promise<unknown>) {
    const giveUpAt = Date.now() + GUARD_MS;
    while (!condition()) {
      if (Date.now() > giveUpAt) throw new Error(`not heard within ${GUARD_MS} ms`);
      await (poke ? poke() : new Promise((resolve) => setTimeout(resolve, 20)));
    }
  }

  it('a status change and an SLA change heard by subscriptions update the ticket in the cached list', async () => {
    const ticket = await fileTicket(server, customerOf('cached'), { severity: 'SEV3', title: 'Cached' });
    const list = await apollo.query({ query: TicketsDocument, variables: { first: 20 } });
    const cachedTicket = () => apollo.readQuery({ query: TicketsDocument, variables: { first: 20 } })!.tickets.edges.find((edge) => edge.node.id === ticket.id)!.node;
    expect(list.data.tickets.edges.map((edge) => edge.node.id)).toContain(ticket.id);
    expect([cachedTicket().status, cachedTicket().sla.state]).toEqual(['NEW', 'ON_TRACK']);

    const statuses = hear(TicketStatusChangedDocument);
    const slas = hear(SlaStatusChangedDocument);
    try {
      // graphql-ws does not say when a subscription is registered: probe tickets, filed and resolved, until both hear one.
      const resolved = (id: string) =>
        server.gql(`mutation($input: TicketUpdateStatusInput!) { ticketUpdateStatus(input: $input) { userErrors { code } } }`, { input: { ticketId: id, status: 'RESOLVED' } }, ENGINEER);
      const probe = async () => resolved((await fileTicket(server, customerOf('cached'), { severity: 'SEV3', title: 'Probe' })).id);
      await until(() => statuses.heard.some((change) => change.title === 'Probe') && slas.heard.some((change) => change.title === 'Probe'), probe);

      // Waiting on the customer: the status changes (ticketStatusChanged) and the cycle pauses (slaStatusChanged).
      const waiting = await server.gql(
        `mutation($input: TicketUpdateStatusInput!) { ticketUpdateStatus(input: $input) { userErrors { code } } }`,
        { input: { ticketId: ticket.id, status: 'WAITING_ON_CUSTOMER' } },
        ENGINEER,
      );
      expect(waiting.data!.ticketUpdateStatus.userErrors).toEqual([]);
      await until(() => statuses.heard.some((change) => change.id === ticket.id) && slas.heard.some((change) => change.id === ticket.id));
    } finally {
      statuses.stop();
      slas.stop();
    }

    // Read from the cache only: the list was not fetched again.
    expect([cachedTicket().status, cachedTicket().sla.state]).toEqual(['WAITING_ON_CUSTOMER', 'PAUSED']);
  });
});
