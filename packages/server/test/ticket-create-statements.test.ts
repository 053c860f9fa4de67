// What filing a ticket costs the database, counted as test/http.test.ts counts a page's statements: a ticketCreate
// is four round trips, begin and commit included, whoever files it and whatever its payload asks about the new SLA.
// Its one read is what keeps it right with several instances: a policy changed on one applies to the next ticket
// filed on any other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, createOrganization, customerOf, ENGINEER, fileTicket, Person, startTestServer, TestServer } from './helpers/test-server';

const CREATE = `mutation($input: TicketCreateInput!) {
  ticketCreate(input: $input) { ticket { id number status sla { state dueAt } } userErrors { code field message } }
}`;

const INCIDENT = { title: 'Checkout fails', description: 'Every checkout answers 500.', severity: 'SEV2', environment: 'PRODUCTION', category: 'INCIDENT' };

describe('ticketCreate statements', () => {
  let server: TestServer;
  let organizationId: string;
  const customer = customerOf('statements');

  beforeAll(async () => {
    server = await startTestServer();
    organizationId = await createOrganization(server, 'statements');
    // Each filer's first request writes its user row (at most once a minute after that): not the filing's cost.
    await fileTicket(server, customer);
    await fileTicket(server, ENGINEER, { organizationId });
  });
  afterAll(() => server.close());

  /** Files a ticket and returns the SQL statements the request ran, in order. */
  async function statementsOfFiling(as: Person, input: Record<string, unknown>): Promise<string[]> {
    server.queries.length = 0;
    const result = await server.gql(CREATE, { input: { ...INCIDENT, ...input } }, as);
    expect(result.errors).toBeUndefined();
    expect(result.data!.ticketCreate.userErrors).toEqual([]);
    expect(result.data!.ticketCreate.ticket.sla).toEqual({ state: 'ON_TRACK', dueAt: expect.any(String) });
    return [...server.queries];
  }

  /** begin, one read (severity level and organization), one insert (ticket, its events and its SLA cycle), commit. */
  function expectFourRoundTrips(statements: string[]): void {
    expect(statements, statements.join('\n')).toHaveLength(4);
    expect(statements[0]).toBe('begin');
    expect(statements[1]).toMatch(/^select /);
    for (const table of ['ticket', 'ticket_event', 'sla_cycle']) expect(statements[2]).toContain(`insert into "${table}"`);
    expect(statements[3]).toBe('commit');
  }

  it('files a customer’s ticket with an idempotency key in four round trips', async () => {
    expectFourRoundTrips(await statementsOfFiling(customer, { idempotencyKey: 'statements-1' }));
  });

  it('files a ticket without an idempotency key in the same four', async () => {
    expectFourRoundTrips(await statementsOfFiling(customer, {}));
  });

  it('files staff’s ticket for an organization in the same four, the organization checked by the read', async () => {
    expectFourRoundTrips(await statementsOfFiling(ENGINEER, { organizationId, idempotencyKey: 'statements-2' }));
  });

  it('files a P1 linked to an earlier ticket in the same four, the related ticket checked by the read', async () => {
    const earlier = await fileTicket(server, customer, { severity: 'SEV3' });
    expectFourRoundTrips(await statementsOfFiling(customer, { severity: 'SEV1', relatedTicketId: earlier.id }));
  });
});

describe('ticketCreate with two instances on one database', () => {
  let here: TestServer;
  let there: TestServer;
  let organizationId: string;
  const customer = customerOf('two-instances');
  const TARGET = `mutation($input: TicketCreateInput!) {
    ticketCreate(input: $input) { ticket { sla { cycles { target { seconds clock } } } } userErrors { code field message } }
  }`;

  beforeAll(async () => {
    here = await startTestServer();
    there = await startTestServer({ databaseUrl: here.databaseUrl });
    organizationId = await createOrganization(here, 'two-instances');
    await fileTicket(here, customer); // the instance has now read the policy and the organization once
  });
  afterAll(async () => {
    await there?.close();
    await here?.close();
  });

  const targetOfNewTicket = async (input: Record<string, unknown>) => {
    const result = await here.gql(TARGET, { input: { ...INCIDENT, ...input } }, customer);
    expect(result.data!.ticketCreate.userErrors).toEqual([]);
    return result.data!.ticketCreate.ticket.sla.cycles[0].target;
  };

  it('files with the severity target the other instance set a moment before', async () => {
    const update = await there.gql(
      `mutation($input: SeverityLevelUpdateInput!) { severityLevelUpdate(input: $input) { userErrors { code } } }`,
      { input: { severity: 'SEV4', targetResponse: 'PT3H', clock: 'CALENDAR' } },
      ADMIN,
    );
    expect(update.data!.severityLevelUpdate.userErrors).toEqual([]);
    expect(await targetOfNewTicket({ severity: 'SEV4' })).toEqual({ seconds: 3 * 3600, clock: 'CALENDAR' });
  });

  it('files with the organization’s own target the other instance set a moment before', async () => {
    const update = await there.gql(
      `mutation($input: OrganizationUpdateInput!) { organizationUpdate(input: $input) { userErrors { code } } }`,
      { input: { organizationId, policy: [{ severity: 'SEV3', targetResponse: 'PT20M', clock: 'CALENDAR' }] } },
      ADMIN,
    );
    expect(update.data!.organizationUpdate.userErrors).toEqual([]);
    expect(await targetOfNewTicket({ severity: 'SEV3' })).toEqual({ seconds: 20 * 60, clock: 'CALENDAR' });
  });

  it('refuses an environment the other instance no longer allows', async () => {
    const update = await there.gql(
      `mutation($input: SeverityLevelUpdateInput!) { severityLevelUpdate(input: $input) { userErrors { code } } }`,
      { input: { severity: 'SEV4', allowedEnvironments: ['PRODUCTION'] } },
      ADMIN,
    );
    expect(update.data!.severityLevelUpdate.userErrors).toEqual([]);
    const result = await here.gql(TARGET, { input: { ...INCIDENT, severity: 'SEV4', environment: 'NON_PRODUCTION' } }, customer);
    expect(result.data!.ticketCreate.userErrors).toEqual([expect.objectContaining({ code: 'ENVIRONMENT_NOT_ALLOWED', field: ['environment'] })]);
  });
});
