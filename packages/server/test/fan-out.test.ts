// Fan-out at the floor: an event is read from the database once and shared by every subscriber that hears it, so
// the statements an event costs do not grow with the number of subscribers; and each still sees only its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, Probe, subscribe, Subscription, ticketProbe } from './helpers/subscriptions';
import { createOrganization, customerOf, ENGINEER, fileTicket, MANAGER, startTestServer, TestServer } from './helpers/test-server';

const SELECTION = `{ ticket { number title organization { name } requester { name } assignee { name }
  notes(first: 3) { nodes { body author { name } } } sla { state dueAt } } metric state }`;

describe('fan-out of one event', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    await createOrganization(server, 'fan');
    await createOrganization(server, 'other-fan');
  });
  afterAll(() => server?.close());

  /** `count` subscriptions to every SLA change (staff), on one socket; the statements one new ticket's events cost. */
  async function statementsWith(count: number): Promise<number> {
    const client = connect(server.url, await server.token(count % 2 ? ENGINEER : MANAGER));
    const subscriptions: Subscription<any>[] = [];
    // One probe for all: each subscription hears every poke, and knows them all for echoes. A poke files a ticket and
    // leaves it open: one event, so that none of a poke's events is still being resolved when the count begins.
    const probe = new Probe<any>(
      async () => (await fileTicket(server, customerOf('fan'), { title: 'Probe' })).number,
      (message) => message.slaStatusChanged.ticket.number,
    );
    try {
      for (let i = 0; i < count; i += 1) subscriptions.push(await subscribe(client, `subscription { slaStatusChanged ${SELECTION} }`, {}, probe));
      for (const subscription of subscriptions) await subscription.catchUp();
      server.queries.length = 0;
      const ticket = await fileTicket(server, customerOf('fan'), { title: `Heard by ${count}` });
      for (const subscription of subscriptions) {
        const heard = (await subscription.next()).slaStatusChanged;
        expect([heard.ticket.number, heard.state]).toEqual([ticket.number, 'ON_TRACK']);
      }
      return server.queries.length;
    } finally {
      await client.dispose();
    }
  }

  it('costs the same statements for 1 subscriber as for 10', async () => {
    const one = await statementsWith(1);
    const ten = await statementsWith(10);
    expect(ten).toBe(one);
  });

  it('subscribers of different visibility share the event, and each sees only what it may (internal notes)', async () => {
    const staff = connect(server.url, await server.token(ENGINEER));
    const customer = connect(server.url, await server.token(customerOf('fan')));
    try {
      const probe = ticketProbe(server, customerOf('fan'), (message: any) => message.slaStatusChanged.ticket.number);
      const selection = `subscription { slaStatusChanged { ticket { number notes(first: 5) { nodes { body } } } state } }`;
      const asStaff = await subscribe(staff, selection, {}, probe);
      const asCustomer = await subscribe(customer, selection, {}, probe);
      const theirs = await fileTicket(server, customerOf('other-fan'), { title: 'Not yours' });
      const mine = await fileTicket(server, customerOf('fan'), { title: 'Yours' });
      const note = await server.gql(
        `mutation($input: NoteAddInput!) { noteAdd(input: $input) { userErrors { code } } }`,
        { input: { ticketId: mine.id, body: 'staff only', visibility: 'INTERNAL' } },
        ENGINEER,
      );
      expect(note.data!.noteAdd.userErrors).toEqual([]);
      // Waiting on the customer pauses the cycle: one event, heard by both, resolved once.
      const waiting = await server.gql(
        `mutation($input: TicketUpdateStatusInput!) { ticketUpdateStatus(input: $input) { userErrors { code } } }`,
        { input: { ticketId: mine.id, status: 'WAITING_ON_CUSTOMER' } },
        ENGINEER,
      );
      expect(waiting.data!.ticketUpdateStatus.userErrors).toEqual([]);
      const staffHeard = [await asStaff.next(), await asStaff.next(), await asStaff.next()].map((m) => m.slaStatusChanged);
      expect(staffHeard.map((change) => [change.ticket.number, change.state])).toEqual([
        [theirs.number, 'ON_TRACK'],
        [mine.number, 'ON_TRACK'],
        [mine.number, 'PAUSED'],
      ]);
      expect(staffHeard[2].ticket.notes.nodes).toEqual([{ body: 'staff only' }]);
      const customerHeard = [await asCustomer.next(), await asCustomer.next()].map((m) => m.slaStatusChanged);
      expect(customerHeard.map((change) => [change.ticket.number, change.state])).toEqual([
        [mine.number, 'ON_TRACK'],
        [mine.number, 'PAUSED'],
      ]);
      expect(customerHeard[1].ticket.notes.nodes).toEqual([]);
    } finally {
      await staff.dispose();
      await customer.dispose();
    }
  });
});
