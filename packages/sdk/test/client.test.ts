import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganization, customerOf, startTestServer, TestServer } from '../../server/test/helpers/test-server.js';
import { createClient } from '../src/index.js';

describe('client (smoke)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    await createOrganization(server, 'acme');
  });
  afterAll(() => server.close());

  it('files and lists a ticket with typed methods', async () => {
    const client = createClient({ url: server.url, token: await server.token(customerOf('acme')), webSocketImpl: WebSocket });
    const created = await client.ticketCreate({
      input: { title: 'Export fails', description: 'It times out.', severity: 'SEV3', environment: 'PRODUCTION', category: 'INCIDENT' },
    });
    expect(created.ticketCreate.userErrors).toEqual([]);
    const list = await client.tickets({ first: 5 });
    expect(list.tickets.edges.map((edge) => edge.node.number)).toEqual([created.ticketCreate.ticket!.number]);
    await client.close();
  });
});
