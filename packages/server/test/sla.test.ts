// The SLA through the API: cycles started, stopped, paused and resumed by what happens to a ticket, and the
// time-driven transitions the timer publishes, with time moved by the test clock (no sleeping).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, subscribe, ticketProbe } from './helpers/subscriptions';
import { ADMIN, createOrganization, customerOf, ENGINEER, fileTicket, MANAGER, startTestServer, TestServer } from './helpers/test-server';

const SLA_FIELDS = `sla { metric state target { minutes clock label } startedAt dueAt atRiskAt respondedAt stoppedAt remainingSeconds pausedSeconds
  cycles { metric state dueAt respondedAt } }`;

describe('SLA', () => {
  let server: TestServer;
  const customer = customerOf('acme');
  const ticketSla = async (id: string) =>
    (await server.gql(`query($id: ID!) { ticket(id: $id) { status ${SLA_FIELDS} } }`, { id }, ENGINEER)).data!.ticket;
  const respond = (ticketId: string, body = 'We are on it.') =>
    server.gql(`mutation($input: NoteAddInput!) { noteAdd(input: $input) { note { kind } userErrors { code } } }`, { input: { ticketId, body } }, ENGINEER);
  const setStatus = (ticketId: string, status: string) =>
    server.gql(`mutation($input: TicketUpdateStatusInput!) { ticketUpdateStatus(input: $input) { userErrors { code message } } }`, { input: { ticketId, status } }, ENGINEER);

  /** Moves time to `iso` and lets the timer catch up, so earlier tests' tickets do not speak in later ones. */
  const startAt = async (iso: string) => {
    server.clock.set(iso);
    while ((await server.slaTimer.tick()) > 0);
  };

  beforeAll(async () => {
    server = await startTestServer();
    await createOrganization(server, 'acme'); // Monday–Friday 09:00–17:00 America/New_York
    await createOrganization(server, 'probe'); // throwaway tickets that tell when a subscription is listening
  });
  const probeOf = (on: TestServer) => ticketProbe(on, customerOf('probe'), (message: any) => message.slaStatusChanged.ticket.number);
  afterAll(() => server.close());

  it('a SEV3 filed on Tuesday 10:00 New York is due 14:00 and at risk 13:00, counting business hours', async () => {
    server.clock.set('2026-12-01T15:00:00Z'); // Tue 10:00 EST
    const ticket = await fileTicket(server, customer, { severity: 'SEV3' });
    const { sla } = await ticketSla(ticket.id);
    expect(sla).toMatchObject({
      metric: 'FIRST_RESPONSE',
      state: 'ON_TRACK',
      target: { minutes: 240, clock: 'BUSINESS_HOURS', label: '4 business hours' },
      startedAt: '2026-12-01T15:00:00.000Z',
      dueAt: '2026-12-01T19:00:00.000Z',
      atRiskAt: '2026-12-01T18:00:00.000Z',
      respondedAt: null,
      remainingSeconds: 4 * 3600,
      pausedSeconds: 0,
    });
    expect(sla.cycles).toHaveLength(1);
  });

  it('a ticket filed on Friday evening starts counting on Monday 09:00', async () => {
    server.clock.set('2026-12-04T23:30:00Z'); // Fri 18:30 EST
    const ticket = await fileTicket(server, customer, { severity: 'SEV2' });
    const { sla } = await ticketSla(ticket.id);
    expect(sla.dueAt).toBe('2026-12-07T16:00:00.000Z'); // Mon 11:00 EST
    expect(sla.atRiskAt).toBe('2026-12-07T15:30:00.000Z');
  });

  it('SEV1 runs on the calendar clock, round the clock', async () => {
    server.clock.set('2026-12-05T03:00:00Z'); // Fri 22:00 EST
    const ticket = await fileTicket(server, customer, { severity: 'SEV1' });
    const { sla } = await ticketSla(ticket.id);
    expect(sla.target).toEqual({ minutes: 60, clock: 'CALENDAR', label: '1 hour' });
    expect(sla.dueAt).toBe('2026-12-05T04:00:00.000Z');
    expect(sla.atRiskAt).toBe('2026-12-05T03:45:00.000Z');
  });

  it('publishes AT_RISK then BREACHED on time alone, each exactly once, and keeps BREACHED after a late response', async () => {
    await startAt('2026-12-08T15:00:00Z'); // Tue 10:00 EST
    const client = connect(server.url, await server.token(ENGINEER));
    const changes = await subscribe(client, `subscription { slaStatusChanged { ticket { number } metric previousState state at sla { state dueAt } } }`, {}, probeOf(server));
    try {
      const ticket = await fileTicket(server, customer, { severity: 'SEV3' });
      expect(await changes.next()).toMatchObject({ slaStatusChanged: { ticket: { number: ticket.number }, previousState: null, state: 'ON_TRACK' } });

      server.clock.set('2026-12-08T17:59:59Z');
      expect(await server.slaTimer.tick()).toBe(0);
      server.clock.set('2026-12-08T18:00:00Z');
      expect(await server.slaTimer.tick()).toBe(1);
      expect(await changes.next()).toMatchObject({
        slaStatusChanged: { metric: 'FIRST_RESPONSE', previousState: 'ON_TRACK', state: 'AT_RISK', at: '2026-12-08T18:00:00.000Z', sla: { state: 'AT_RISK' } },
      });
      expect(await server.slaTimer.tick()).toBe(0);

      server.clock.set('2026-12-08T19:00:00.500Z');
      expect(await server.slaTimer.tick()).toBe(1);
      expect(await changes.next()).toMatchObject({
        slaStatusChanged: { previousState: 'AT_RISK', state: 'BREACHED', at: '2026-12-08T19:00:00.000Z' },
      });
      expect(await server.slaTimer.tick()).toBe(0);

      server.clock.set('2026-12-08T20:00:00Z');
      await respond(ticket.id);
      const { sla } = await ticketSla(ticket.id);
      expect(sla).toMatchObject({ state: 'BREACHED', respondedAt: '2026-12-08T20:00:00.000Z', remainingSeconds: null });
      await changes.catchUp(); // everything the late response published has arrived
      expect(changes.received).toHaveLength(3);

      const timeline = await server.gql(
        `query($id: ID!) { ticket(id: $id) { timeline(first: 20) { edges { node { type actor { name } data } } } } }`,
        { id: ticket.id },
        ENGINEER,
      );
      const slaEvents = timeline.data!.ticket.timeline.edges.map((edge: any) => edge.node).filter((node: any) => node.type.startsWith('SLA_'));
      expect(slaEvents.map((node: any) => [node.type, node.data.to ?? node.data.reason ?? null, node.actor?.name ?? null])).toEqual([
        ['SLA_CYCLE_STARTED', null, customer.name],
        ['SLA_STATE_CHANGED', 'AT_RISK', null],
        ['SLA_STATE_CHANGED', 'BREACHED', null],
        ['SLA_CYCLE_STOPPED', 'RESPONDED', ENGINEER.name],
      ]);
    } finally {
      await changes.close();
      await client.dispose();
    }
  });

  it('a response by the due time is MET', async () => {
    server.clock.set('2026-12-09T15:00:00Z');
    const ticket = await fileTicket(server, customer, { severity: 'SEV4' });
    server.clock.set('2026-12-09T16:00:00Z');
    await respond(ticket.id);
    const { sla, status } = await ticketSla(ticket.id);
    expect(status).toBe('IN_PROGRESS');
    expect(sla).toMatchObject({ state: 'MET', respondedAt: '2026-12-09T16:00:00.000Z', stoppedAt: '2026-12-09T16:00:00.000Z' });
  });

  it('waiting on the customer pauses the clock; the customer’s note resumes it with the paused time not counted', async () => {
    server.clock.set('2026-12-10T15:00:00Z'); // Thu 10:00 EST; SEV3 due 14:00
    const ticket = await fileTicket(server, customer, { severity: 'SEV3' });
    server.clock.set('2026-12-10T16:00:00Z');
    await setStatus(ticket.id, 'WAITING_ON_CUSTOMER');
    let { sla } = await ticketSla(ticket.id);
    expect(sla).toMatchObject({ state: 'PAUSED', dueAt: null, atRiskAt: null, remainingSeconds: 3 * 3600 });

    server.clock.set('2026-12-10T18:00:00Z'); // two hours later
    const note = await server.gql(
      `mutation($input: NoteAddInput!) { noteAdd(input: $input) { note { id } } }`,
      { input: { ticketId: ticket.id, body: 'Here are the logs.' } },
      customer,
    );
    expect(note.errors).toBeUndefined();
    ({ sla } = await ticketSla(ticket.id));
    const { status } = await ticketSla(ticket.id);
    expect(status).toBe('IN_PROGRESS');
    expect(sla).toMatchObject({ state: 'ON_TRACK', dueAt: '2026-12-10T21:00:00.000Z', pausedSeconds: 7200, remainingSeconds: 3 * 3600 });
  });

  it('an update request after a response starts a NEXT_RESPONSE cycle; another one while it runs does not', async () => {
    server.clock.set('2026-12-14T15:00:00Z'); // Mon 10:00 EST
    const ticket = await fileTicket(server, customer, { severity: 'SEV2' });
    await respond(ticket.id);
    server.clock.set('2026-12-14T16:00:00Z');
    const ask = () =>
      server.gql(
        `mutation($input: NoteAddInput!) { noteAdd(input: $input) { note { kind } } }`,
        { input: { ticketId: ticket.id, body: 'Any news?', kind: 'UPDATE_REQUEST' } },
        customer,
      );
    await ask();
    await ask();
    const { sla } = await ticketSla(ticket.id);
    expect(sla).toMatchObject({ metric: 'NEXT_RESPONSE', state: 'ON_TRACK', startedAt: '2026-12-14T16:00:00.000Z', dueAt: '2026-12-14T18:00:00.000Z' });
    expect(sla.cycles.map((cycle: any) => [cycle.metric, cycle.state])).toEqual([
      ['FIRST_RESPONSE', 'MET'],
      ['NEXT_RESPONSE', 'ON_TRACK'],
    ]);
  });

  it('resolving stops the running cycle', async () => {
    await startAt('2026-12-15T15:00:00Z');
    const ticket = await fileTicket(server, customer, { severity: 'SEV3' });
    await setStatus(ticket.id, 'RESOLVED');
    const { sla } = await ticketSla(ticket.id);
    expect(sla).toMatchObject({ state: 'MET', stoppedAt: '2026-12-15T15:00:00.000Z', respondedAt: null });
    server.clock.set('2026-12-16T15:00:00Z');
    expect(await server.slaTimer.tick()).toBe(0);
  });

  it('organization targets override the policy (contract-specific SLAs)', async () => {
    await createOrganization(server, 'contract', { policy: [{ severity: 'SEV3', targetResponse: 'PT30M', clock: 'CALENDAR' }] });
    server.clock.set('2026-12-19T12:00:00Z'); // a Saturday
    const ticket = await fileTicket(server, customerOf('contract'), { severity: 'SEV3' });
    const { sla } = await ticketSla(ticket.id);
    expect(sla.target).toEqual({ minutes: 30, clock: 'CALENDAR', label: '30 minutes' });
    expect(sla.dueAt).toBe('2026-12-19T12:30:00.000Z');
  });

  it('slaPreview tells when a ticket filed at a given time would be due', async () => {
    const preview = await server.gql(
      `{ slaPreview(severity: SEV4, environment: NON_PRODUCTION, at: "2026-12-24T21:00:00Z") { target { label } startsAt dueAt atRiskAt } }`,
      {},
      customer,
    );
    // Thu Dec 24 16:00 EST: 1 hour that day; Dec 25 is no holiday in the default calendar: Fri 09:00 + 7h = 16:00.
    expect(preview.data!.slaPreview).toEqual({
      target: { label: '8 business hours' },
      startsAt: '2026-12-24T21:00:00.000Z',
      dueAt: '2026-12-25T21:00:00.000Z',
      atRiskAt: '2026-12-25T19:00:00.000Z',
    });
    const refused = await server.gql(`{ slaPreview(severity: SEV1, environment: NON_PRODUCTION) { dueAt } }`, {}, customer);
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('slaSummary counts open tickets by state and severity; tickets filter by slaState and order by SLA_DUE_AT', async () => {
    await createOrganization(server, 'summary');
    const person = customerOf('summary');
    server.clock.set('2026-12-21T15:00:00Z'); // Mon 10:00 EST
    const sev3 = await fileTicket(server, person, { severity: 'SEV3' }); // due 14:00
    const sev2 = await fileTicket(server, person, { severity: 'SEV2' }); // due 12:00
    const sev4 = await fileTicket(server, person, { severity: 'SEV4' }); // due Tue 10:00
    server.clock.set('2026-12-21T16:31:00Z'); // SEV2 at risk from 11:30
    await server.slaTimer.tick();
    const summary = await server.gql(`{ slaSummary { total byState { state count } bySeverityAndState { severity state count } } }`, {}, person);
    expect(summary.data!.slaSummary.total).toBe(3);
    expect(summary.data!.slaSummary.byState).toEqual(
      expect.arrayContaining([{ state: 'ON_TRACK', count: 2 }, { state: 'AT_RISK', count: 1 }, { state: 'BREACHED', count: 0 }]),
    );
    expect(summary.data!.slaSummary.bySeverityAndState).toContainEqual({ severity: 'SEV2', state: 'AT_RISK', count: 1 });

    const atRisk = await server.gql(`{ tickets(filter: { slaState: [AT_RISK] }) { edges { node { number } } } }`, {}, person);
    expect(atRisk.data!.tickets.edges.map((edge: any) => edge.node.number)).toEqual([sev2.number]);

    await respond(sev3.id); // no running cycle any more: last
    const byDue = await server.gql(`{ tickets(first: 2, orderBy: { field: SLA_DUE_AT, direction: ASC }) { edges { node { number } } pageInfo { endCursor } } }`, {}, person);
    const rest = await server.gql(
      `query($after: String) { tickets(first: 2, after: $after, orderBy: { field: SLA_DUE_AT, direction: ASC }) { edges { node { number } } } }`,
      { after: byDue.data!.tickets.pageInfo.endCursor },
      person,
    );
    expect([...byDue.data!.tickets.edges, ...rest.data!.tickets.edges].map((edge: any) => edge.node.number)).toEqual([sev2.number, sev4.number, sev3.number]);
  });

  it('a transition that fell due while no server ran is published when one starts', async () => {
    await startAt('2026-12-22T15:00:00Z');
    const ticket = await fileTicket(server, customer, { severity: 'SEV2' }); // at risk 16:30, due 17:00
    const later = await startTestServer({ databaseUrl: server.databaseUrl });
    try {
      later.clock.set('2026-12-22T18:00:00Z'); // both moments passed while "nobody ran"
      const client = connect(later.url, await later.token(MANAGER));
      const changes = await subscribe(client, `subscription { slaStatusChanged { ticket { number } previousState state at } }`, {}, probeOf(later));
      await later.slaTimer.tick();
      expect(await changes.next()).toMatchObject({ slaStatusChanged: { ticket: { number: ticket.number }, state: 'AT_RISK', at: '2026-12-22T16:30:00.000Z' } });
      expect(await changes.next()).toMatchObject({ slaStatusChanged: { state: 'BREACHED', at: '2026-12-22T17:00:00.000Z' } });
      await changes.close();
      await client.dispose();
    } finally {
      await later.close();
    }
  });
  it('a new calendar applies to running cycles, recomputed from their start', async () => {
    const organizationId = await createOrganization(server, 'recalendar');
    await startAt('2026-12-29T15:00:00Z'); // Tue 10:00 EST; SEV3 due 14:00 EST
    const ticket = await fileTicket(server, customerOf('recalendar'), { severity: 'SEV3' });
    expect((await ticketSla(ticket.id)).sla.dueAt).toBe('2026-12-29T19:00:00.000Z');
    const weekdays = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'];
    const update = await server.gql(
      `mutation($input: OrganizationUpdateInput!) { organizationUpdate(input: $input) { userErrors { code message } } }`,
      { input: { organizationId, calendar: { timezone: 'America/New_York', weeklyHours: weekdays.map((day) => ({ day, start: '10:00', end: '12:00' })) } } },
      ADMIN,
    );
    expect(update.data!.organizationUpdate.userErrors).toEqual([]);
    // 2 business hours a day now: 10:00–12:00 Tuesday, 10:00–12:00 Wednesday.
    expect((await ticketSla(ticket.id)).sla.dueAt).toBe('2026-12-30T17:00:00.000Z');
  });
});
