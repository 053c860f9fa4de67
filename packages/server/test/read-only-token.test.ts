// A read-only token (`scope: "read"`, a wall screen's): it queries and subscribes like its role, and every mutation
// is refused with FORBIDDEN before it runs, over HTTP and over WebSocket; a scope other than `read` is refused.
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, subscribe, ticketProbe } from './helpers/subscriptions';
import { createOrganization, customerOf, ENGINEER, fileTicket, startTestServer, TEST_SECRET, TestServer } from './helpers/test-server';

const WALL = { ...ENGINEER, sub: 'wall-screen', name: 'Wall screen', readOnly: true };
const SET_STATUS = `mutation($input: TicketUpdateStatusInput!) { ticketUpdateStatus(input: $input) { ticket { status } userErrors { code } } }`;

describe('read-only tokens', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    await createOrganization(server, 'read-only');
  });
  afterAll(() => server?.close());

  it('query as their role, and are refused every mutation, which changes nothing', async () => {
    const ticket = await fileTicket(server, customerOf('read-only'), { title: 'Watched, not touched' });
    const read = await server.gql(`query($id: ID) { ticket(id: $id) { status } }`, { id: ticket.id }, WALL);
    expect(read.data!.ticket.status).toBe('NEW');
    const refused = await server.gql(SET_STATUS, { input: { ticketId: ticket.id, status: 'IN_PROGRESS' } }, WALL);
    expect(refused.errors).toMatchObject([{ extensions: { code: 'FORBIDDEN' }, message: expect.stringMatching(/read-only/) }]);
    const after = await server.gql(`query($id: ID) { ticket(id: $id) { status } }`, { id: ticket.id }, ENGINEER);
    expect(after.data!.ticket.status).toBe('NEW');
  });

  it('subscribe over WebSocket, where a mutation is refused too', async () => {
    const client = connect(server.url, await server.token(WALL));
    try {
      const probe = ticketProbe(server, customerOf('read-only'), (message: any) => message.ticketStatusChanged?.ticket.number);
      const live = await subscribe(client, `subscription { ticketStatusChanged { ticket { number } } }`, {}, probe);
      expect(live.errors).toEqual([]);
      const ticket = await fileTicket(server, customerOf('read-only'), { title: 'Changed over the socket?' });
      const viaSocket = await subscribe(client, SET_STATUS.replace('mutation', 'mutation viaSocket'), { input: { ticketId: ticket.id, status: 'IN_PROGRESS' } });
      await viaSocket.next(2_000).catch(() => {});
      expect(viaSocket.errors).toMatchObject([[{ extensions: { code: 'FORBIDDEN' } }]]);
    } finally {
      await client.dispose();
    }
  });

  it('a scope other than `read` is refused (401)', async () => {
    const token = await new SignJWT({ role: 'engineer', scope: 'write' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('scoped')
      .setIssuedAt(Math.floor(server.clock.now().getTime() / 1000))
      .setExpirationTime(Math.floor(server.clock.now().getTime() / 1000) + 3600)
      .sign(new TextEncoder().encode(TEST_SECRET));
    const refused = await server.gql(`{ me { id } }`, {}, token);
    expect(refused.status).toBe(401);
    expect(refused.errors![0].message).toMatch(/scope/);
  });
});
