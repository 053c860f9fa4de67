// A changed target reaches the cycles still running, and only those it concerns: an organization's new targets its
// own tickets, a policy level's new target the tickets of that severity (SPEC §3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromGlobalId } from '../src/common/global-id';
import { TicketEvent, TicketEventType } from '../src/events/ticket-event.entity';
import { ADMIN, createOrganization, customerOf, ENGINEER, fileTicket, startTestServer, TestServer } from './helpers/test-server';

describe('retargeting running cycles', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const slaOf = async (ticketId: string) =>
    (await server.gql(`query($id: ID!) { ticket(id: $id) { sla { target { label } dueAt } } }`, { id: ticketId }, ENGINEER)).data!.ticket.sla;
  const retargetedCount = (ticketId: string) =>
    server.orm.em.fork().count(TicketEvent, { ticket: fromGlobalId(ticketId)!.id, type: TicketEventType.SLA_RETARGETED });
  const resolve = (ticketId: string) =>
    server.gql(
      `mutation($input: TicketUpdateStatusInput!) { ticketUpdateStatus(input: $input) { userErrors { code } } }`,
      { input: { ticketId, status: 'RESOLVED' } },
      ENGINEER,
    );

  it('new organization targets apply to its running cycles from their start, not to stopped ones or other organizations', async () => {
    const movingId = await createOrganization(server, 'moving');
    await createOrganization(server, 'staying');
    server.clock.set('2026-12-01T15:00:00Z'); // Tue 10:00 EST
    const running = await fileTicket(server, customerOf('moving'), { severity: 'SEV3' });
    const resolved = await fileTicket(server, customerOf('moving'), { severity: 'SEV3' });
    await resolve(resolved.id);
    const elsewhere = await fileTicket(server, customerOf('staying'), { severity: 'SEV3' });

    server.clock.set('2026-12-01T15:10:00Z');
    const update = await server.gql(
      `mutation($input: OrganizationUpdateInput!) { organizationUpdate(input: $input) { userErrors { code field } } }`,
      { input: { organizationId: movingId, policy: [{ severity: 'SEV3', targetResponse: 'PT30M', clock: 'CALENDAR' }] } },
      ADMIN,
    );
    expect(update.data!.organizationUpdate.userErrors).toEqual([]);

    expect(await slaOf(running.id)).toEqual({ target: { label: '30 minutes' }, dueAt: '2026-12-01T15:30:00.000Z' });
    expect(await retargetedCount(running.id)).toBe(1);
    expect(await retargetedCount(resolved.id)).toBe(0);
    expect(await slaOf(elsewhere.id)).toEqual({ target: { label: '4 business hours' }, dueAt: '2026-12-01T19:00:00.000Z' });
    expect(await retargetedCount(elsewhere.id)).toBe(0);
  });

  it('a new policy target applies to running cycles of that severity only, and not over an organization’s own', async () => {
    await createOrganization(server, 'plain');
    await createOrganization(server, 'contracted', { policy: [{ severity: 'SEV2', targetResponse: 'PT3H', clock: 'BUSINESS_HOURS' }] });
    server.clock.set('2026-12-02T15:00:00Z'); // Wed 10:00 EST
    const sev2 = await fileTicket(server, customerOf('plain'), { severity: 'SEV2' });
    const sev4 = await fileTicket(server, customerOf('plain'), { severity: 'SEV4' });
    const contracted = await fileTicket(server, customerOf('contracted'), { severity: 'SEV2' });

    const update = await server.gql(
      `mutation($input: SeverityLevelUpdateInput!) { severityLevelUpdate(input: $input) { userErrors { code field } } }`,
      { input: { severity: 'SEV2', targetResponse: 'PT1H' } },
      ADMIN,
    );
    expect(update.data!.severityLevelUpdate.userErrors).toEqual([]);

    expect(await slaOf(sev2.id)).toEqual({ target: { label: '1 business hour' }, dueAt: '2026-12-02T16:00:00.000Z' });
    expect(await retargetedCount(sev2.id)).toBe(1);
    expect(await slaOf(sev4.id)).toEqual({ target: { label: '8 business hours' }, dueAt: '2026-12-03T15:00:00.000Z' });
    expect(await retargetedCount(sev4.id)).toBe(0);
    expect(await slaOf(contracted.id)).toEqual({ target: { label: '3 business hours' }, dueAt: '2026-12-02T18:00:00.000Z' });
  });
});
