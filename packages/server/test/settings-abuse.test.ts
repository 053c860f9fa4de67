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

  describe('calendars and targets under which no due time can be computed', () => {
    const CREATE = `mutation($input: OrganizationCreateInput!) { organizationCreate(input: $input) { organization { id } ${USER_ERRORS} } }`;
    const UPDATE = `mutation($input: OrganizationUpdateInput!) { organizationUpdate(input: $input) { organization { id } ${USER_ERRORS} } }`;
    const LEVEL = `mutation($input: SeverityLevelUpdateInput!) { severityLevelUpdate(input: $input) { severityLevel { targetResponse } ${USER_ERRORS} } }`;
    const organization = (slug: string, extra: Record<string, unknown>) => ({
      slug,
      name: slug,
      region: 'UK',
      accountManagerEmail: `am-${slug}@vendor.example`,
      ...extra,
    });
    const calendar = (weeklyHours: { day: string; start: string; end: string }[], holidays: string[] = []) => ({ timezone: 'Europe/London', weeklyHours, holidays });

    it.each([
      ['no weekly hours', []],
      ['a minute a week', [{ day: 'MONDAY', start: '09:00', end: '09:01' }]],
      ['59 minutes a week', [{ day: 'MONDAY', start: '09:00', end: '09:30' }, { day: 'TUESDAY', start: '09:00', end: '09:29' }]],
    ])('refuses a calendar with %s, naming calendar.weeklyHours', async (_what, weeklyHours) => {
      const result = await server.gql(CREATE, { input: organization('no-hours', { calendar: calendar(weeklyHours) }) }, ADMIN);
      expect(result.errors).toBeUndefined();
      expect(fieldsOf(result.data!.organizationCreate.userErrors)).toEqual([['INVALID', ['calendar', 'weeklyHours']]]);
      expect(result.data!.organizationCreate.userErrors[0].message).toContain('at least one business hour a week');
    });

    it('refuses an own P90D business-hours target on an hour a week, naming the target and saying what to fix', async () => {
      const result = await server.gql(
        CREATE,
        {
          input: organization('hour-a-week', {
            calendar: calendar([{ day: 'MONDAY', start: '09:00', end: '10:00' }]),
            policy: [
              { severity: 'SEV4', targetResponse: 'PT1H', clock: 'BUSINESS_HOURS' },
              { severity: 'SEV3', targetResponse: 'P90D', clock: 'BUSINESS_HOURS' },
            ],
          }),
        },
        ADMIN,
      );
      expect(fieldsOf(result.data!.organizationCreate.userErrors)).toEqual([['INVALID', ['policy', '1', 'targetResponse']]]);
      expect(result.data!.organizationCreate.userErrors[0].message).toBe(
        'The SEV3 target (2160 business hours) cannot be met within 365 days on this calendar, which gives as little as 52 business hours in 365 days; give more weekly hours or fewer holidays, or a shorter target.',
      );
    });

    it('refuses a calendar whose holidays leave a year without enough hours for the policy’s targets, naming the calendar', async () => {
      // Monday 09:00–17:00 only, and every Monday of 2031 a holiday: no business time that year at all.
      const mondays = Array.from({ length: 53 }, (_, week) => new Date(Date.UTC(2030, 11, 30 + 7 * week)).toISOString().slice(0, 10));
      const result = await server.gql(
        CREATE,
        { input: organization('holiday-year', { calendar: calendar([{ day: 'MONDAY', start: '09:00', end: '17:00' }], mondays) }) },
        ADMIN,
      );
      expect(fieldsOf(result.data!.organizationCreate.userErrors)).toEqual([
        ['INVALID', ['calendar', 'weeklyHours']],
        ['INVALID', ['calendar', 'weeklyHours']],
        ['INVALID', ['calendar', 'weeklyHours']],
      ]);
      expect(result.data!.organizationCreate.userErrors.map((error: any) => error.message.slice(0, 15))).toEqual(['The SEV2 target', 'The SEV3 target', 'The SEV4 target']);
    });

    it('refuses an update that would make a target unreachable, and keeps the organization as it was', async () => {
      const id = await createOrganization(server, 'shrinking');
      const result = await server.gql(UPDATE, { input: { organizationId: id, policy: [{ severity: 'SEV4', targetResponse: 'P90D', clock: 'BUSINESS_HOURS' }] } }, ADMIN);
      expect(fieldsOf(result.data!.organizationUpdate.userErrors)).toEqual([['INVALID', ['policy', '0', 'targetResponse']]]);
      const calendarOnly = await server.gql(UPDATE, { input: { organizationId: id, calendar: calendar([]) } }, ADMIN);
      expect(fieldsOf(calendarOnly.data!.organizationUpdate.userErrors)).toEqual([['INVALID', ['calendar', 'weeklyHours']]]);
      // The organization still files tickets on its old calendar.
      await fileTicket(server, customerOf('shrinking'));
      const fine = await server.gql(UPDATE, { input: { organizationId: id, policy: [{ severity: 'SEV4', targetResponse: 'P90D', clock: 'CALENDAR' }] } }, ADMIN);
      expect(fine.data!.organizationUpdate.userErrors).toEqual([]);
    });

    it('refuses a policy target that the default calendar (or an organization’s) cannot meet within a year', async () => {
      const result = await server.gql(LEVEL, { input: { severity: 'SEV4', targetResponse: 'P90D' } }, ADMIN);
      expect(fieldsOf(result.data!.severityLevelUpdate.userErrors)).toEqual([['INVALID', ['targetResponse']]]);
      expect(result.data!.severityLevelUpdate.userErrors[0].message).toContain('the default US calendar');
      const levels = await server.gql(`{ severityLevels { severity targetResponse } }`);
      expect(levels.data!.severityLevels).toContainEqual({ severity: 'SEV4', targetResponse: 'PT8H' });
      const calendarTime = await server.gql(LEVEL, { input: { severity: 'SEV4', targetResponse: 'P90D', clock: 'CALENDAR' } }, ADMIN);
      expect(calendarTime.data!.severityLevelUpdate.userErrors).toEqual([]);
      const back = await server.gql(LEVEL, { input: { severity: 'SEV4', targetResponse: 'PT8H', clock: 'BUSINESS_HOURS' } }, ADMIN);
      expect(back.data!.severityLevelUpdate.userErrors).toEqual([]);
    });
  });
});
