import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerOf, createOrganization, fileTicket, startTestServer, TestServer } from './helpers/test-server';

describe('smoke', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('files a ticket and lists it', async () => {
    await createOrganization(server, 'acme');
    const ticket = await fileTicket(server, customerOf('acme'));
    expect(ticket.number).toBe('RS-1001');
    const result = await server.gql('{ tickets(first: 5) { totalCount edges { node { number } } } }', {}, customerOf('acme'));
    expect(result.data?.tickets.totalCount).toBe(1);
  });
});
