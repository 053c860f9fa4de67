// The server as HTTP sees it: GraphQL-over-HTTP conformance, health, the offline playground, limits, and SQL counts.
import { auditServer } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganization, customerOf, ENGINEER, fileTicket, startTestServer, TestServer } from './helpers/test-server';

describe('http', () => {
  let server: TestServer;
  let origin: string;
  beforeAll(async () => {
    server = await startTestServer();
    origin = new URL(server.url).origin;
  });
  afterAll(() => server.close());

  it('passes every MUST of the GraphQL-over-HTTP audit (graphql-http)', async () => {
    const results = await auditServer({ url: server.url, fetchFn: fetch });
    const failedMusts = results.filter((result) => result.name.startsWith('MUST') && result.status !== 'ok');
    expect(failedMusts.map((result) => `${result.name}: ${'reason' in result ? result.reason : ''}`)).toEqual([]);
    expect(results.filter((result) => result.name.startsWith('MUST')).length).toBeGreaterThan(10);
  });

  it('answers /healthz and, with the database reachable, /readyz', async () => {
    expect(await (await fetch(`${origin}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${origin}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('serves the playground to browsers with every asset from this server', async () => {
    const page = await fetch(server.url, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('GraphQL playground');
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(assets.length).toBe(5);
    for (const asset of assets) {
      expect(asset.startsWith('/playground/')).toBe(true);
      const response = await fetch(`${origin}${asset}`);
      expect(response.status, asset).toBe(200);
      expect((await response.text()).length, asset).toBeGreaterThan(100);
    }
    const init = await (await fetch(`${origin}/playground/init.js`)).text();
    expect(init).toContain('Authorization');
  });

  it('echoes a request id and makes one up when none is sent', async () => {
    const given = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'abc-123' },
      body: '{"query":"{__typename}"}',
    });
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    const made = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{__typename}"}' });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers a malformed JSON body with a GraphQL-shaped 400', async () => {
    const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(response.status).toBe(400);
    const body = (await response.json()) as any;
    expect(body.errors[0].message).toMatch(/could not be read/);
  });

  it('refuses queries nested deeper than the limit with QUERY_TOO_COMPLEX', async () => {
    const deep = `{ tickets(first: 1) { edges { node { relatedTicket { relatedTicket { relatedTicket { relatedTicket {
      relatedTicket { relatedTicket { relatedTicket { relatedTicket { relatedTicket { number } } } } } } } } } } } } }`;
    const result = await server.gql(deep, {}, ENGINEER);
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(result.errors?.[0]?.message).toMatch(/levels deep; the limit is 12/);
  });

  it('refuses queries that cost more than the limit, counting page sizes', async () => {
    const costly = `query($n: Int) { tickets(first: 100) { edges { node { notes(first: $n) { edges { node { body author { name } } } } } } } }`;
    const refused = await server.gql(costly, { n: 100 }, ENGINEER);
    expect(refused.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(refused.errors?.[0]?.message).toMatch(/costs \d+; the limit is 10000/);
    const accepted = await server.gql(costly, { n: 5 }, ENGINEER);
    expect(accepted.errors).toBeUndefined();
  });

  it('introspection is not limited by depth (the playground needs it)', async () => {
    const result = await server.gql(`{ __schema { types { name fields { name type { kind ofType { kind ofType { kind ofType { kind ofType { name } } } } } } } } }`);
    expect(result.errors).toBeUndefined();
  });

  it('runs as many SQL statements for tickets(first: 50) as for tickets(first: 5), relations and SLA included', async () => {
    await createOrganization(server, 'sqlcount');
    const customer = customerOf('sqlcount');
    for (let i = 0; i < 50; i += 1) {
      const ticket = await fileTicket(server, customer, { title: `Ticket ${i}` });
      await server.gql(
        `mutation($input: NoteAddInput!) { noteAdd(input: $input) { note { id } } }`,
        { input: { ticketId: ticket.id, body: `Response ${i}` } },
        ENGINEER,
      );
    }
    const engineerId = (await server.gql('{ me { id } }', {}, ENGINEER)).data!.me.id;
    const first = await server.gql(`{ tickets(first: 1) { edges { node { id } } } }`, {}, ENGINEER);
    await server.gql(
      `mutation($input: TicketAssignInput!) { ticketAssign(input: $input) { ticket { id } } }`,
      { input: { ticketId: first.data!.tickets.edges[0].node.id, assigneeId: engineerId } },
      ENGINEER,
    );
    const query = `query($n: Int) { tickets(first: $n) { totalCount edges { node {
      number organization { name } requester { name } assignee { name } sla { state dueAt cycles { metric } }
      notes(first: 3) { totalCount edges { node { body author { name } } } }
    } } } }`;
    const statementsFor = async (n: number) => {
      await server.gql(query, { n }, ENGINEER); // warm the viewer cache, so both runs count the same work
      server.queries.length = 0;
      const result = await server.gql(query, { n }, ENGINEER);
      expect(result.errors).toBeUndefined();
      expect(result.data!.tickets.edges).toHaveLength(n);
      return server.queries.length;
    };
    const small = await statementsFor(5);
    const large = await statementsFor(50);
    expect(large).toBe(small);
    expect(small).toBeLessThanOrEqual(8);
  });
});
