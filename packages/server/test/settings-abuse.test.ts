// Input an attacker (or a careless admin) sends is refused with a userError naming the field, never a 500: text that
// PostgreSQL cannot store, and settings under which no SLA due time can be computed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, createOrganization, customerOf, fileTicket, startTestServer, TestServer } from './helpers/test-server';

const USER_ERRORS = 'userErrors { code field message }';

describe('settings and text that cannot work are refused', () => {
  let server: TestServer;
  const customer = customerOf('textco');

  beforeAll(async () => {
    server = await startTestServer();
    await createOrganization(server, 'textco');
  });
  afterAll(() => server.close());

  const fieldsOf = (userErrors: { code: string; field: string[] }[]) => userErrors.map(({ code, field }) => [code, field]);

  describe('text with a NUL character or a lone surrogate', () => {
    it.each([
      ['a NUL character', 'Reports\u0000 fail'],
      ['a lone surrogate', 'Reports \uD800 fail'],
    ])('ticketCreate with %s in the title and idempotency key names both fields', async (_what, text) => {
      const result = await server.gql(
        `mutation($input: TicketCreateInput!) { ticketCreate(input: $input) { ticket { id } ${USER_ERRORS} } }`,
        { input: { title: text, description: 'Fine.', severity: 'SEV3', environment: 'PRODUCTION', category: 'INCIDENT', idempotencyKey: text } },
        customer,
      );
      expect(result.status).toBe(200);
      expect(result.errors).toBeUndefined();
      expect(result.data!.ticketCreate.ticket).toBeNull();
      expect(fieldsOf(result.data!.ticketCreate.userErrors)).toEqual([
        ['INVALID', ['title']],
        ['INVALID', ['idempotencyKey']],
      ]);
      expect(result.data!.ticketCreate.userErrors[0].message).toContain('NUL');
    });

    it('noteAdd with a NUL character in the body', async () => {
      const ticket = await fileTicket(server, customer);
      const result = await server.gql(
        `mutation($input: NoteAddInput!) { noteAdd(input: $input) { note { id } ${USER_ERRORS} } }`,
        { input: { ticketId: ticket.id, body: '\u0000' } },
        customer,
      );
      expect(result.errors).toBeUndefined();
      expect(fieldsOf(result.data!.noteAdd.userErrors)).toEqual([['INVALID', ['body']]]);
    });

    it('organizationCreate and organizationUpdate with NUL characters in the name, email and calendar', async () => {
      const create = await server.gql(
        `mutation($input: OrganizationCreateInput!) { organizationCreate(input: $input) { organization { id } ${USER_ERRORS} } }`,
        {
          input: {
            slug: 'nul\u0000co',
            name: 'Nul\u0000 Inc.',
            region: 'US',
            accountManagerEmail: 'am\u0000@vendor.example',
            calendar: { timezone: 'UTC\u0000', weeklyHours: [{ day: 'MONDAY', start: '09:00\u0000', end: '17:00' }], holidays: ['2026-12-25\u0000'] },
          },
        },
        ADMIN,
      );
      expect(create.errors).toBeUndefined();
      expect(fieldsOf(create.data!.organizationCreate.userErrors)).toEqual([
        ['INVALID', ['slug']],
        ['INVALID', ['name']],
        ['INVALID', ['accountManagerEmail']],
        ['INVALID', ['calendar', 'timezone']],
        ['INVALID', ['calendar', 'weeklyHours', '0', 'start']],
        ['INVALID', ['calendar', 'holidays', '0']],
      ]);
      const organizations = await server.gql(`{ organizations(first: 1) { edges { node { id } } } }`, {}, customer);
      const update = await server.gql(
        `mutation($input: OrganizationUpdateInput!) { organizationUpdate(input: $input) { organization { id } ${USER_ERRORS} } }`,
        { input: { organizationId: organizations.data!.organizations.edges[0].node.id, name: '\u0000' } },
        ADMIN,
      );
      expect(fieldsOf(update.data!.organizationUpdate.userErrors)).toEqual([['INVALID', ['name']]]);
    });

    it('policy texts with a NUL character', async () => {
      const result = await server.gql(
        `mutation($input: SeverityLevelUpdateInput!) { severityLevelUpdate(input: $input) { severityLevel { severity } ${USER_ERRORS} } }`,
        { input: { severity: 'SEV4', businessImpact: 'Low\u0000', targetResponse: 'PT8H\u0000' } },
        ADMIN,
      );
      expect(fieldsOf(result.data!.severityLevelUpdate.userErrors)).toEqual([
        ['INVALID', ['businessImpact']],
        ['INVALID', ['targetResponse']],
      ]);
      const line = await server.gql(
        `mutation($input: SupportLineUpdateInput!) { supportLineUpdate(input: $input) { supportLine { region } ${USER_ERRORS} } }`,
        { input: { region: 'US', country: 'US\u0000' } },
        ADMIN,
      );
      expect(fieldsOf(line.data!.supportLineUpdate.userErrors)).toEqual([['INVALID', ['country']]]);
    });
  });
});
