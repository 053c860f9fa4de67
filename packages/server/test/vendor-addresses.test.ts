// The vendor's internal addresses (the engineers' queue, support management) are for staff: a customer reading its
// ticket's timeline sees that someone was told, not who.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganization, customerOf, ENGINEER, fileTicket, startTestServer, TestServer } from './helpers/test-server';

describe('vendor addresses in the timeline', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    await createOrganization(server, 'addr');
  });
  afterAll(() => server?.close());

  it('an update request tells the queue; staff see the address, the customer does not', async () => {
    const customer = customerOf('addr');
    const ticket = await fileTicket(server, customer);
    const asked = await server.gql(
      `mutation($input: TicketRequestUpdateInput!) { ticketRequestUpdate(input: $input) { userErrors { code } } }`,
      { input: { ticketId: ticket.id, body: 'Any news?' } },
      customer,
    );
    expect(asked.data?.ticketRequestUpdate.userErrors).toEqual([]);
    const timeline = `query($id: ID!) { ticket(id: $id) { timeline(first: 50) { edges { node { type data } } } } }`;
    const eventOf = async (as: typeof customer) => {
      const result = await server.gql(timeline, { id: ticket.id }, as);
      return result.data!.ticket.timeline.edges.map((edge: any) => edge.node).find((node: any) => node.type === 'UPDATE_REQUESTED');
    };
    expect((await eventOf(ENGINEER)).data.notified).toEqual(['support-queue@escalate.example']);
    const seenByCustomer = await eventOf(customer);
    expect(seenByCustomer.data).not.toHaveProperty('notified');
    expect(seenByCustomer.data).toHaveProperty('noteId');
  });

  it('a NUL in the ticket search is BAD_USER_INPUT, not a database error', async () => {
    const result = await server.gql(`{ tickets(filter: { search: "a\\u0000b" }) { totalCount } }`, {}, ENGINEER);
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
