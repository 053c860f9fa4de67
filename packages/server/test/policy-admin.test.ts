// The policy is data an admin can change: severity targets (applied to running cycles), phone lines and the
// escalations address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, createOrganization, customerOf, ENGINEER, fileTicket, MANAGER, startTestServer, TestServer } from './helpers/test-server';

describe('policy administration', () => {
  let server: TestServer;
  const customer = customerOf('acme');

  beforeAll(async () => {
    server = await startTestServer();
    await createOrganization(server, 'acme');
  });
  afterAll(() => server.close());

  const updateLevel = (input: Record<string, unknown>, as = ADMIN) =>
    server.gql(
      `mutation($input: SeverityLevelUpdateInput!) { severityLevelUpdate(input: $input) {
         severityLevel { severity target { label } allowedEnvironments } userErrors { code field message } } }`,
      { input },
      as,
    );

  it('a new SEV3 target shows in severityLevels and applies to running SEV3 cycles from their start', async () => {
    server.clock.set('2026-12-01T15:00:00Z'); // Tue 10:00 EST
    const ticket = await fileTicket(server, customer, { severity: 'SEV3' });
    const result = await updateLevel({ severity: 'SEV3', targetResponse: 'PT3H' });
    expect(result.data!.severityLevelUpdate).toEqual({
      severityLevel: { severity: 'SEV3', target: { label: '3 business hours' }, allowedEnvironments: ['PRODUCTION', 'NON_PRODUCTION'] },
      userErrors: [],
    });
    const levels = await server.gql(`{ severityLevels { severity targetResponse } }`);
    expect(levels.data!.severityLevels).toContainEqual({ severity: 'SEV3', targetResponse: 'PT3H' });
    const after = await server.gql(`query($id: ID!) { ticket(id: $id) { sla { dueAt target { label } } } }`, { id: ticket.id }, ENGINEER);
    expect(after.data!.ticket.sla).toEqual({ dueAt: '2026-12-01T18:00:00.000Z', target: { label: '3 business hours' } });
  });

  it('refuses bad targets and empty environments, and anyone but an admin', async () => {
    const bad = await updateLevel({ severity: 'SEV4', targetResponse: 'P1M', allowedEnvironments: [] });
    expect(bad.data!.severityLevelUpdate.userErrors.map((error: any) => [error.code, error.field])).toEqual([
      ['REQUIRED', ['allowedEnvironments']],
      ['INVALID', ['targetResponse']],
    ]);
    const levels = await server.gql(`{ severityLevels { severity targetResponse allowedEnvironments } }`);
    expect(levels.data!.severityLevels).toContainEqual({ severity: 'SEV4', targetResponse: 'PT8H', allowedEnvironments: ['PRODUCTION', 'NON_PRODUCTION'] });
    const engineer = await updateLevel({ severity: 'SEV4', targetResponse: 'PT1H' }, ENGINEER);
    expect(engineer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('changes a phone line, which phoneEscalation then gives', async () => {
    const change = (number: string) =>
      server.gql(
        `mutation($input: SupportLineUpdateInput!) { supportLineUpdate(input: $input) { supportLine { region number } userErrors { code field } } }`,
        { input: { region: 'US', number } },
        ADMIN,
      );
    expect((await change('call us maybe')).data!.supportLineUpdate.userErrors).toEqual([{ code: 'INVALID', field: ['number'] }]);
    expect((await change('+1 (202) 555-0100')).data!.supportLineUpdate.supportLine).toEqual({ region: 'US', number: '+1 (202) 555-0100' });
    const ticket = await fileTicket(server, customer);
    const phone = await server.gql(`query($id: ID!) { ticket(id: $id) { phoneEscalation { line { number } } } }`, { id: ticket.id }, customer);
    expect(phone.data!.ticket.phoneEscalation.line.number).toBe('+1 (202) 555-0100');
  });

  it('a new escalations address is the one notified', async () => {
    const settings = (input: Record<string, unknown>, as = ADMIN) =>
      server.gql(
        `mutation($input: PolicySettingsUpdateInput!) { policySettingsUpdate(input: $input) { settings { escalationsEmail supportQueueEmail } userErrors { code field } } }`,
        { input },
        as,
      );
    expect((await settings({ escalationsEmail: 'not-an-address' })).data!.policySettingsUpdate.userErrors).toEqual([{ code: 'INVALID', field: ['escalationsEmail'] }]);
    expect((await settings({ escalationsEmail: 'x@y.example' }, customer)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await settings({ escalationsEmail: 'escalations@vendor.example' })).data!.policySettingsUpdate.settings).toEqual({
      escalationsEmail: 'escalations@vendor.example',
      supportQueueEmail: 'support-queue@escalate.example',
    });

    const ticket = await fileTicket(server, customer);
    await server.gql(`mutation($input: TicketRequestUpdateInput!) { ticketRequestUpdate(input: $input) { ticket { id } } }`, { input: { ticketId: ticket.id, body: 'News?' } }, customer);
    const escalation = await server.gql(
      `mutation($input: EscalationCreateInput!) { escalationCreate(input: $input) { escalation { notifiedAddresses } userErrors { code } } }`,
      { input: { ticketId: ticket.id, reason: 'Slow', businessImpact: 'Blocked' } },
      customer,
    );
    expect(escalation.data!.escalationCreate).toEqual({ escalation: { notifiedAddresses: null }, userErrors: [] });
    const seenByStaff = await server.gql(`query($id: ID) { ticket(id: $id) { escalations { notifiedAddresses } } }`, { id: ticket.id }, ENGINEER);
    expect(seenByStaff.data!.ticket.escalations).toEqual([{ notifiedAddresses: ['am-acme@vendor.example', 'escalations@vendor.example'] }]);
  });

  it('the policy’s addresses and those an escalation notified are staff’s to see, not customers’', async () => {
    const settings = (as: typeof ADMIN) => server.gql(`{ policySettings { escalationsEmail supportQueueEmail } }`, {}, as);
    const refused = await settings(customer);
    expect(refused.data).toBeNull();
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await settings(ENGINEER)).data!.policySettings).toEqual({ escalationsEmail: expect.any(String), supportQueueEmail: expect.any(String) });
    const escalations = `{ escalations(first: 10) { edges { node { notifiedAddresses } } } }`;
    const asCustomer = await server.gql(escalations, {}, customer);
    expect(asCustomer.errors).toBeUndefined();
    expect(asCustomer.data!.escalations.edges.map((edge: any) => edge.node.notifiedAddresses)).toEqual([null]);
    const asManager = await server.gql(escalations, {}, MANAGER);
    expect(asManager.data!.escalations.edges.map((edge: any) => edge.node.notifiedAddresses)).toEqual([['am-acme@vendor.example', 'escalations@vendor.example']]);
  });

  it('a target in seconds is stored exactly: PT20S and PT30S show back as saved and new tickets are due that many seconds after filing', async () => {
    for (const [targetResponse, label, seconds] of [
      ['PT20S', '20 seconds', 20],
      ['PT30S', '30 seconds', 30],
    ] as const) {
      expect((await updateLevel({ severity: 'SEV4', targetResponse, clock: 'CALENDAR' })).data!.severityLevelUpdate.userErrors).toEqual([]);
      const levels = await server.gql(`{ severityLevels { severity targetResponse target { minutes seconds label } } }`);
      expect(levels.data!.severityLevels).toContainEqual({ severity: 'SEV4', targetResponse, target: { minutes: seconds / 60, seconds, label } });

      server.clock.set('2026-12-02T15:00:00Z');
      const ticket = await fileTicket(server, customer, { severity: 'SEV4' });
      const sla = await server.gql(`query($id: ID!) { ticket(id: $id) { sla { state dueAt target { label } } } }`, { id: ticket.id }, ENGINEER);
      expect(sla.data!.ticket.sla).toEqual({ state: 'ON_TRACK', dueAt: new Date(Date.parse('2026-12-02T15:00:00Z') + seconds * 1000).toISOString(), target: { label } });
    }
  });
});
