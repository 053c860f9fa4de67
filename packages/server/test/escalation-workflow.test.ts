// The policy's escalation path through the API: requesting updates, asking for another severity (and support's
// decision), filing a new P1 linked to an older ticket, escalating to support management, the managers' side of
// an escalation, and the phone line to call. Every refusal is checked to leave nothing behind.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromGlobalId, toGlobalId } from '../src/common/global-id';
import { Notification } from '../src/notifications/notification.entity';
import { Role } from '../src/users/user.entity';
import { connect, Probe, subscribe } from './helpers/subscriptions';
import { createOrganization, customerOf, ENGINEER, fileTicket, MANAGER, Person, startTestServer, TestServer } from './helpers/test-server';

const ESCALATIONS_EMAIL = 'ClarityEscalations@regoconsulting.com';
const QUEUE_EMAIL = 'support-queue@escalate.example';
const MANAGER_2: Person = { sub: 'manager-2', role: Role.MANAGER, name: 'Mia Manager' };

const USER_ERRORS = 'userErrors { code field message }';

const REQUEST_UPDATE = `mutation($input: TicketRequestUpdateInput!) {
  ticketRequestUpdate(input: $input) { ticket { id status sla { metric state startedAt dueAt cycles { metric state } } } ${USER_ERRORS} }
}`;
const SEVERITY_REQUEST = `mutation($input: SeverityChangeRequestInput!) {
  severityChangeRequest(input: $input) {
    request { id from to reason status createdAt decidedAt decisionNote requester { id } decider { id }
      note { id kind visibility body } ticket { id severity } }
    ${USER_ERRORS}
  }
}`;
const SEVERITY_DECIDE = `mutation($input: SeverityChangeDecideInput!) {
  severityChangeDecide(input: $input) {
    request { id status from to decisionNote decidedAt decider { id } ticket { id severity sla { metric state startedAt dueAt atRiskAt } } }
    ${USER_ERRORS}
  }
}`;
const CHANGE_SEVERITY = `mutation($input: TicketChangeSeverityInput!) {
  ticketChangeSeverity(input: $input) { ticket { id severity sla { metric state startedAt dueAt atRiskAt } } ${USER_ERRORS} }
}`;
const ESCALATION_FIELDS = `id status reason businessImpact notifiedAddresses createdAt acknowledgedAt resolvedAt resolution
  raisedBy { id } owner { id name } ticket { id number }`;
const ESCALATION_CREATE = `mutation($input: EscalationCreateInput!) {
  escalationCreate(input: $input) { escalation { ${ESCALATION_FIELDS} } ${USER_ERRORS} }
}`;
const ESCALATION_ACKNOWLEDGE = `mutation($input: EscalationAcknowledgeInput!) {
  escalationAcknowledge(input: $input) { escalation { ${ESCALATION_FIELDS} } ${USER_ERRORS} }
}`;
const ESCALATION_RESOLVE = `mutation($input: EscalationResolveInput!) {
  escalationResolve(input: $input) { escalation { ${ESCALATION_FIELDS} } ${USER_ERRORS} }
}`;
const TIMELINE = `query($id: ID) { ticket(id: $id) { timeline(first: 100) { nodes { type at data actor { id } } } } }`;

interface Event {
  type: string;
  at: string;
  data: Record<string, any>;
  actor: { id: string } | null;
}

describe('escalation workflow', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const dbId = (globalId: string) => fromGlobalId(globalId)!.id;
  const userIdOf = async (person: Person): Promise<string> => (await server.gql('{ me { id } }', {}, person)).data!.me.id;

  /** A fresh organization (US unless told) and its customer. */
  const organization = async (slug: string, extra: Record<string, unknown> = {}) => {
    const id = await createOrganization(server, slug, extra);
    return { id, slug, customer: customerOf(slug) };
  };

  const events = async (ticketId: string): Promise<Event[]> => {
    const result = await server.gql(TIMELINE, { id: ticketId }, ENGINEER);
    expect(result.errors).toBeUndefined();
    return result.data!.ticket.timeline.nodes;
  };
  const eventsOf = async (ticketId: string, type: string) => (await events(ticketId)).filter((event) => event.type === type);
  const notifications = (ticketId: string) =>
    server.orm.em.fork().find(Notification, { ticket: dbId(ticketId) }, { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });

  /** Everything a refused mutation could have written: the rows of the workflow's tables and the tickets' state. */
  const snapshot = async (ticketIds: string[]) => {
    const connection = server.orm.em.fork().getConnection();
    const [totals] = await connection.execute(
      `select (select count(*)::int from severity_change_request) as requests,
              (select count(*)::int from escalation) as escalations,
              (select count(*)::int from notification) as notifications,
              (select count(*)::int from note) as notes,
              (select count(*)::int from ticket_event) as events,
              (select count(*)::int from sla_cycle) as cycles`,
    );
    const tickets = [];
    for (const ticketId of ticketIds) {
      const [row] = await connection.execute(
        `select t.severity, t.status, t.updated_at, t.sla_state, t.sla_due_at, t.version,
                (select count(*)::int from severity_change_request where ticket_id = t.id) as requests,
                (select count(*)::int from escalation where ticket_id = t.id) as escalations,
                (select count(*)::int from notification where ticket_id = t.id) as notifications,
                (select count(*)::int from note where ticket_id = t.id) as notes,
                (select count(*)::int from ticket_event where ticket_id = t.id) as events,
                (select string_agg(status || '/' || version || '/' || coalesce(decision_note, '-'), ',' order by id)
                   from severity_change_request where ticket_id = t.id) as request_states,
                (select string_agg(status || '/' || version || '/' || coalesce(owner_id::text, '-'), ',' order by id)
                   from escalation where ticket_id = t.id) as escalation_states,
                (select string_agg(target_seconds || '/' || coalesce(due_at::text, '-') || '/' || state, ',' order by id)
                   from sla_cycle where ticket_id = t.id) as cycle_states
           from ticket t where t.id = ?`,
        [dbId(ticketId)],
      );
      tickets.push(row);
    }
    return { totals, tickets };
  };
  /** Runs a refused call and checks that it stored nothing, for these tickets or anywhere. */
  const storesNothing = async <T>(ticketIds: string[], call: () => Promise<T>): Promise<T> => {
    const before = await snapshot(ticketIds);
    const result = await call();
    expect(await snapshot(ticketIds)).toEqual(before);
    return result;
  };

  /** A refused mutation: no object in the payload, these user errors, nothing stored. */
  const refusedWith = async (
    ticketIds: string[],
    query: string,
    input: Record<string, unknown>,
    as: Person,
    field: string,
    object: string,
  ): Promise<{ code: string; field: string[] | null; message: string }[]> =>
    storesNothing(ticketIds, async () => {
      const result = await server.gql(query, { input }, as);
      expect(result.errors).toBeUndefined();
      expect(result.data![field][object]).toBeNull();
      return result.data![field].userErrors;
    });
  /** A mutation refused with a GraphQL error (e.g. FORBIDDEN): nothing stored; returns the code. */
  const failsWith = async (ticketIds: string[], query: string, input: Record<string, unknown>, as: Person): Promise<string | undefined> =>
    storesNothing(ticketIds, async () => {
      const result = await server.gql(query, { input }, as);
      expect(result.errors).toHaveLength(1);
      return result.errors![0]!.extensions?.code;
    });

  const respond = async (ticketId: string, body = 'We are looking into it.') => {
    const result = await server.gql(
      `mutation($input: NoteAddInput!) { noteAdd(input: $input) { note { kind } ${USER_ERRORS} } }`,
      { input: { ticketId, body } },
      ENGINEER,
    );
    expect(result.data!.noteAdd).toEqual({ note: { kind: 'RESPONSE' }, userErrors: [] });
  };
  const assign = async (ticketId: string, assigneeId: string) => {
    const result = await server.gql(
      `mutation($input: TicketAssignInput!) { ticketAssign(input: $input) { ticket { assignee { id } } ${USER_ERRORS} } }`,
      { input: { ticketId, assigneeId } },
      ENGINEER,
    );
    expect(result.data!.ticketAssign).toEqual({ ticket: { assignee: { id: assigneeId } }, userErrors: [] });
  };
  const setStatus = async (ticketId: string, status: string) => {
    const result = await server.gql(
      `mutation($input: TicketUpdateStatusInput!) { ticketUpdateStatus(input: $input) { ${USER_ERRORS} } }`,
      { input: { ticketId, status } },
      ENGINEER,
    );
    expect(result.data!.ticketUpdateStatus.userErrors).toEqual([]);
  };
  const requestUpdate = async (ticketId: string, as: Person, body = 'Any news on this?') => {
    const result = await server.gql(REQUEST_UPDATE, { input: { ticketId, body } }, as);
    expect(result.errors).toBeUndefined();
    expect(result.data!.ticketRequestUpdate.userErrors).toEqual([]);
    return result.data!.ticketRequestUpdate.ticket;
  };
  const requestSeverity = async (ticketId: string, as: Person, to: string, reason = 'Month-end close is blocked.') => {
    const result = await server.gql(SEVERITY_REQUEST, { input: { ticketId, to, reason } }, as);
    expect(result.errors).toBeUndefined();
    expect(result.data!.severityChangeRequest.userErrors).toEqual([]);
    return result.data!.severityChangeRequest.request;
  };
  const decide = async (requestId: string, approve: boolean, note?: string) => {
    const result = await server.gql(SEVERITY_DECIDE, { input: { requestId, approve, note } }, ENGINEER);
    expect(result.errors).toBeUndefined();
    expect(result.data!.severityChangeDecide.userErrors).toEqual([]);
    return result.data!.severityChangeDecide.request;
  };
  const escalate = async (ticketId: string, as: Person, reason = 'No answer for two days.', businessImpact = 'Payroll cannot run.') => {
    const result = await server.gql(ESCALATION_CREATE, { input: { ticketId, reason, businessImpact } }, as);
    expect(result.errors).toBeUndefined();
    expect(result.data!.escalationCreate.userErrors).toEqual([]);
    return result.data!.escalationCreate.escalation;
  };
  const acknowledge = async (escalationId: string, as: Person = MANAGER, ownerId?: string) => {
    const result = await server.gql(ESCALATION_ACKNOWLEDGE, { input: { escalationId, ownerId } }, as);
    expect(result.errors).toBeUndefined();
    expect(result.data!.escalationAcknowledge.userErrors).toEqual([]);
    return result.data!.escalationAcknowledge.escalation;
  };
  const resolve = async (escalationId: string, resolution = 'Engineer assigned full time; fix deployed.') => {
    const result = await server.gql(ESCALATION_RESOLVE, { input: { escalationId, resolution } }, MANAGER);
    expect(result.errors).toBeUndefined();
    expect(result.data!.escalationResolve.userErrors).toEqual([]);
    return result.data!.escalationResolve.escalation;
  };

  describe('ticketRequestUpdate', () => {
    it('writes an UPDATE_REQUEST note and event, starts a NEXT_RESPONSE cycle after a response, and notifies the assignee', async () => {
      const { customer } = await organization('update-assigned');
      server.clock.set('2026-12-01T15:00:00Z'); // Tue 10:00 EST
      const ticket = await fileTicket(server, customer, { severity: 'SEV3' });
      const engineerId = await userIdOf(ENGINEER);
      const customerId = await userIdOf(customer);
      await assign(ticket.id, engineerId);
      await respond(ticket.id);

      server.clock.set('2026-12-01T16:00:00Z'); // Tue 11:00 EST
      const result = await server.gql(REQUEST_UPDATE, { input: { ticketId: ticket.id, body: '  Any news on the report job?  ' } }, customer);
      expect(result.errors).toBeUndefined();
      expect(result.data!.ticketRequestUpdate).toEqual({
        ticket: {
          id: ticket.id,
          status: 'IN_PROGRESS',
          sla: {
            metric: 'NEXT_RESPONSE',
            state: 'ON_TRACK',
            startedAt: '2026-12-01T16:00:00.000Z',
            dueAt: '2026-12-01T20:00:00.000Z', // 4 business hours: 15:00 EST
            cycles: [
              { metric: 'FIRST_RESPONSE', state: 'MET' },
              { metric: 'NEXT_RESPONSE', state: 'ON_TRACK' },
            ],
          },
        },
        userErrors: [],
      });

      const notes = await server.gql(`query($id: ID) { ticket(id: $id) { notes(first: 10) { nodes { id kind visibility body author { id } } } } }`, { id: ticket.id }, customer);
      const updateNotes = notes.data!.ticket.notes.nodes.filter((note: any) => note.kind === 'UPDATE_REQUEST');
      expect(updateNotes).toEqual([{ id: expect.any(String), kind: 'UPDATE_REQUEST', visibility: 'PUBLIC', body: 'Any news on the report job?', author: { id: customerId } }]);

      const updateEvents = await eventsOf(ticket.id, 'UPDATE_REQUESTED');
      expect(updateEvents).toEqual([
        { type: 'UPDATE_REQUESTED', at: '2026-12-01T16:00:00.000Z', actor: { id: customerId }, data: { noteId: updateNotes[0].id, notified: ['engineer-1@example.test'] } },
      ]);
      const started = (await eventsOf(ticket.id, 'SLA_CYCLE_STARTED')).map((event) => event.data.metric);
      expect(started).toEqual(['FIRST_RESPONSE', 'NEXT_RESPONSE']);

      const sent = await notifications(ticket.id);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({
        kind: 'UPDATE_REQUESTED',
        recipients: ['engineer-1@example.test'],
        subject: `[${ticket.number}] Update requested: Reports fail`,
        status: 'PENDING',
      });
      expect(sent[0]!.body).toContain('Any news on the report job?');

      // Another request while the next-response cycle runs: a second note and notification, no second cycle.
      server.clock.set('2026-12-01T17:00:00Z');
      const again = await requestUpdate(ticket.id, customer, 'Still waiting.');
      expect(again.sla).toMatchObject({ metric: 'NEXT_RESPONSE', startedAt: '2026-12-01T16:00:00.000Z', dueAt: '2026-12-01T20:00:00.000Z' });
      expect(again.sla.cycles).toHaveLength(2);
      expect(await notifications(ticket.id)).toHaveLength(2);
      expect(await eventsOf(ticket.id, 'UPDATE_REQUESTED')).toHaveLength(2);
    });

    it('notifies the support queue when the ticket is unassigned, and starts no cycle while the first response runs', async () => {
      const { customer } = await organization('update-queue');
      server.clock.set('2026-12-01T15:00:00Z');
      const ticket = await fileTicket(server, customer, { severity: 'SEV2' });
      const after = await requestUpdate(ticket.id, customer);
      expect(after.sla).toMatchObject({ metric: 'FIRST_RESPONSE', state: 'ON_TRACK' });
      expect(after.sla.cycles).toEqual([{ metric: 'FIRST_RESPONSE', state: 'ON_TRACK' }]);
      const sent = await notifications(ticket.id);
      expect(sent.map((row) => [row.kind, row.recipients])).toEqual([['UPDATE_REQUESTED', [QUEUE_EMAIL]]]);
      expect((await eventsOf(ticket.id, 'UPDATE_REQUESTED'))[0]!.data.notified).toEqual([QUEUE_EMAIL]);
    });

    it('is refused to staff (NOT_ALLOWED), without a body (REQUIRED) and on another organization’s ticket (NOT_FOUND)', async () => {
      const { customer } = await organization('update-refused');
      const other = await organization('update-other');
      const ticket = await fileTicket(server, customer);
      const foreign = await fileTicket(server, other.customer);

      for (const staff of [ENGINEER, MANAGER]) {
        expect(await refusedWith([ticket.id], REQUEST_UPDATE, { ticketId: ticket.id, body: 'News?' }, staff, 'ticketRequestUpdate', 'ticket')).toEqual([
          { code: 'NOT_ALLOWED', field: null, message: expect.stringContaining('noteAdd') },
        ]);
      }
      for (const body of ['', '   ']) {
        expect(await refusedWith([ticket.id], REQUEST_UPDATE, { ticketId: ticket.id, body }, customer, 'ticketRequestUpdate', 'ticket')).toEqual([
          { code: 'REQUIRED', field: ['body'], message: expect.any(String) },
        ]);
      }
      const notFound = await refusedWith([ticket.id, foreign.id], REQUEST_UPDATE, { ticketId: foreign.id, body: 'News?' }, customer, 'ticketRequestUpdate', 'ticket');
      expect(notFound).toEqual([{ code: 'NOT_FOUND', field: ['ticketId'], message: expect.any(String) }]);
      expect(notFound[0]!.message).not.toContain(foreign.number);

      await setStatus(ticket.id, 'CLOSED');
      expect(await refusedWith([ticket.id], REQUEST_UPDATE, { ticketId: ticket.id, body: 'News?' }, customer, 'ticketRequestUpdate', 'ticket')).toEqual([
        { code: 'NOT_ALLOWED', field: ['ticketId'], message: expect.stringContaining('relatedTicketId') },
      ]);
    });
  });

  describe('severityChangeRequest', () => {
    it('SEV3 → SEV2 creates a PENDING request with a SEVERITY_CHANGE_REQUEST note and event; the severity stays until decided', async () => {
      const { customer } = await organization('sevreq-ok');
      server.clock.set('2026-12-01T15:00:00Z');
      const ticket = await fileTicket(server, customer, { severity: 'SEV3' });
      const customerId = await userIdOf(customer);
      const request = await requestSeverity(ticket.id, customer, 'SEV2', '  Month-end close is blocked for 40 users.  ');
      expect(request).toEqual({
        id: expect.any(String),
        from: 'SEV3',
        to: 'SEV2',
        reason: 'Month-end close is blocked for 40 users.',
        status: 'PENDING',
        createdAt: '2026-12-01T15:00:00.000Z',
        decidedAt: null,
        decisionNote: null,
        requester: { id: customerId },
        decider: null,
        note: { id: expect.any(String), kind: 'SEVERITY_CHANGE_REQUEST', visibility: 'PUBLIC', body: expect.stringContaining('Month-end close is blocked for 40 users.') },
        ticket: { id: ticket.id, severity: 'SEV3' },
      });
      expect(await eventsOf(ticket.id, 'SEVERITY_CHANGE_REQUESTED')).toEqual([
        { type: 'SEVERITY_CHANGE_REQUESTED', at: '2026-12-01T15:00:00.000Z', actor: { id: customerId }, data: { requestId: request.id, from: 'SEV3', to: 'SEV2' } },
      ]);
      const noteEvents = await eventsOf(ticket.id, 'NOTE_ADDED');
      expect(noteEvents.map((event) => event.data)).toEqual([{ noteId: request.note.id, kind: 'SEVERITY_CHANGE_REQUEST', visibility: 'PUBLIC' }]);
      expect(await eventsOf(ticket.id, 'SEVERITY_CHANGED')).toEqual([]);

      const onTicket = await server.gql(`query($id: ID) { ticket(id: $id) { severityChangeRequests { id status } } }`, { id: ticket.id }, customer);
      expect(onTicket.data!.ticket.severityChangeRequests).toEqual([{ id: request.id, status: 'PENDING' }]);

      const NODE = `query($id: ID!) { node(id: $id) { id ... on SeverityChangeRequest { status } } }`;
      expect((await server.gql(NODE, { id: request.id }, customer)).data!.node).toEqual({ id: request.id, status: 'PENDING' });
      const foreign = await server.gql(NODE, { id: request.id }, (await organization('sevreq-ok-other')).customer);
      expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    });

    it('refuses SEV1 (NEW_P1_REQUIRED), the same severity (INVALID), SEV2 on NON_PRODUCTION, a second pending request, staff and an empty reason', async () => {
      const { customer } = await organization('sevreq-refused');
      const ticket = await fileTicket(server, customer, { severity: 'SEV3' });
      const nonProduction = await fileTicket(server, customer, { severity: 'SEV3', environment: 'NON_PRODUCTION' });
      const refused = (input: Record<string, unknown>, as: Person = customer) =>
        refusedWith([ticket.id, nonProduction.id], SEVERITY_REQUEST, { ticketId: ticket.id, reason: 'Users are blocked.', ...input }, as, 'severityChangeRequest', 'request');

      const p1 = await refused({ to: 'SEV1' });
      expect(p1).toEqual([{ code: 'NEW_P1_REQUIRED', field: ['to'], message: expect.any(String) }]);
      expect(p1[0]!.message).toMatch(/new SEV1 ticket/i);
      expect(p1[0]!.message).toContain('relatedTicketId');
      expect(p1[0]!.message).toContain(ticket.id);

      expect(await refused({ to: 'SEV3' })).toEqual([{ code: 'INVALID', field: ['to'], message: expect.stringContaining('already SEV3') }]);
      expect(await refused({ ticketId: nonProduction.id, to: 'SEV2' })).toEqual([
        { code: 'ENVIRONMENT_NOT_ALLOWED', field: ['to'], message: expect.stringContaining('NON_PRODUCTION') },
      ]);
      for (const staff of [ENGINEER, MANAGER]) {
        expect(await refused({ to: 'SEV2' }, staff)).toEqual([{ code: 'NOT_ALLOWED', field: null, message: expect.stringContaining('ticketChangeSeverity') }]);
      }
      for (const reason of ['', '  ']) {
        expect(await refused({ to: 'SEV2', reason })).toEqual([{ code: 'REQUIRED', field: ['reason'], message: expect.any(String) }]);
      }

      await requestSeverity(ticket.id, customer, 'SEV2');
      expect(await refused({ to: 'SEV4' })).toEqual([{ code: 'REQUEST_PENDING', field: ['to'], message: expect.stringContaining('SEV2') }]);
    });

    it('two concurrent requests on one ticket: one is stored, the other is REQUEST_PENDING', async () => {
      const { customer } = await organization('sevreq-race');
      for (let round = 0; round < 3; round++) {
        const ticket = await fileTicket(server, customer, { severity: 'SEV3' });
        const results = await Promise.all(
          ['SEV2', 'SEV4'].map((to) => server.gql(SEVERITY_REQUEST, { input: { ticketId: ticket.id, to, reason: `Make it ${to}.` } }, customer)),
        );
        for (const result of results) expect(result.errors).toBeUndefined();
        const payloads = results.map((result) => result.data!.severityChangeRequest);
        expect(payloads.filter((payload) => payload.request !== null)).toHaveLength(1);
        expect(payloads.find((payload) => payload.request === null)!.userErrors.map((error: any) => [error.code, error.field])).toEqual([['REQUEST_PENDING', ['to']]]);
        const [row] = await snapshot([ticket.id]).then((stored) => stored.tickets);
        expect(row).toMatchObject({ requests: 1, notes: 1 });
        expect(await eventsOf(ticket.id, 'SEVERITY_CHANGE_REQUESTED')).toHaveLength(1);
      }
    });

    it('is NOT_ALLOWED on a RESOLVED or CLOSED ticket and NOT_FOUND on another organization’s', async () => {
      const { customer } = await organization('sevreq-final');
      const other = await organization('sevreq-final-other');
      const resolved = await fileTicket(server, customer, { severity: 'SEV3' });
      const closed = await fileTicket(server, customer, { severity: 'SEV3' });
      const foreign = await fileTicket(server, other.customer, { severity: 'SEV3' });
      await setStatus(resolved.id, 'RESOLVED');
      await setStatus(closed.id, 'CLOSED');
      for (const ticket of [resolved, closed]) {
        const errors = await refusedWith([ticket.id], SEVERITY_REQUEST, { ticketId: ticket.id, to: 'SEV2', reason: 'Back again.' }, customer, 'severityChangeRequest', 'request');
        expect(errors).toEqual([{ code: 'NOT_ALLOWED', field: ['ticketId'], message: expect.stringContaining('relatedTicketId') }]);
      }
      expect(
        await refusedWith([foreign.id], SEVERITY_REQUEST, { ticketId: foreign.id, to: 'SEV2', reason: 'Hm.' }, customer, 'severityChangeRequest', 'request'),
      ).toEqual([{ code: 'NOT_FOUND', field: ['ticketId'], message: expect.any(String) }]);
    });
  });

  describe('severityChangeDecide', () => {
    it('approving changes the severity, records both events and retargets the running cycle', async () => {
      const { customer } = await organization('decide-approve');
      server.clock.set('2026-12-01T15:00:00Z'); // Tue 10:00 EST
      const ticket = await fileTicket(server, customer, { severity: 'SEV4' });
      const before = await server.gql(`query($id: ID) { ticket(id: $id) { sla { dueAt atRiskAt } } }`, { id: ticket.id }, customer);
      expect(before.data!.ticket.sla).toEqual({ dueAt: '2026-12-02T15:00:00.000Z', atRiskAt: '2026-12-01T21:00:00.000Z' }); // Wed 10:00, Tue 16:00 EST
      const request = await requestSeverity(ticket.id, customer, 'SEV2');
      const engineerId = await userIdOf(ENGINEER);

      const decided = await decide(request.id, true, 'Agreed: production is blocked.');
      expect(decided).toEqual({
        id: request.id,
        status: 'APPROVED',
        from: 'SEV4',
        to: 'SEV2',
        decisionNote: 'Agreed: production is blocked.',
        decidedAt: '2026-12-01T15:00:00.000Z',
        decider: { id: engineerId },
        ticket: {
          id: ticket.id,
          severity: 'SEV2',
          sla: {
            metric: 'FIRST_RESPONSE',
            state: 'ON_TRACK',
            startedAt: '2026-12-01T15:00:00.000Z',
            dueAt: '2026-12-01T17:00:00.000Z', // Tue 12:00 EST
            atRiskAt: '2026-12-01T16:30:00.000Z',
          },
        },
      });
      expect((await eventsOf(ticket.id, 'SEVERITY_CHANGED')).map((event) => [event.data.from, event.data.to, event.actor])).toEqual([
        ['SEV4', 'SEV2', { id: engineerId }],
      ]);
      expect((await eventsOf(ticket.id, 'SEVERITY_CHANGE_DECIDED')).map((event) => event.data)).toEqual([
        { requestId: request.id, status: 'APPROVED', to: 'SEV2', note: 'Agreed: production is blocked.' },
      ]);
      expect((await eventsOf(ticket.id, 'SLA_RETARGETED')).map((event) => event.data)).toEqual([
        { metric: 'FIRST_RESPONSE', targetSeconds: 7200, clock: 'BUSINESS_HOURS', dueAt: '2026-12-01T17:00:00.000Z' },
      ]);
      const listed = await server.gql(`query($number: String) { tickets(filter: { search: $number }) { nodes { number severity } } }`, { number: ticket.number }, customer);
      expect(listed.data!.tickets.nodes).toEqual([{ number: ticket.number, severity: 'SEV2' }]);
    });

    it('rejecting keeps the severity and stores the note; deciding again is INVALID_TRANSITION', async () => {
      const { customer } = await organization('decide-reject');
      const ticket = await fileTicket(server, customer, { severity: 'SEV3' });
      const request = await requestSeverity(ticket.id, customer, 'SEV2');
      const rejected = await decide(request.id, false, 'A workaround exists: re-run the job by hand.');
      expect(rejected).toMatchObject({ status: 'REJECTED', decisionNote: 'A workaround exists: re-run the job by hand.', ticket: { severity: 'SEV3' } });
      expect(await eventsOf(ticket.id, 'SEVERITY_CHANGED')).toEqual([]);
      expect((await eventsOf(ticket.id, 'SEVERITY_CHANGE_DECIDED')).map((event) => event.data)).toEqual([
        { requestId: request.id, status: 'REJECTED', to: 'SEV2', note: 'A workaround exists: re-run the job by hand.' },
      ]);

      for (const approve of [true, false]) {
        const errors = await refusedWith([ticket.id], SEVERITY_DECIDE, { requestId: request.id, approve }, ENGINEER, 'severityChangeDecide', 'request');
        expect(errors).toEqual([{ code: 'INVALID_TRANSITION', field: ['requestId'], message: expect.stringContaining('rejected') }]);
      }
      // Once decided, the customer may ask again.
      const second = await requestSeverity(ticket.id, customer, 'SEV2', 'The workaround stopped working.');
      expect(second.status).toBe('PENDING');
    });

    it('is FORBIDDEN to customers and NOT_FOUND for an unknown request', async () => {
      const { customer } = await organization('decide-refused');
      const ticket = await fileTicket(server, customer, { severity: 'SEV3' });
      const request = await requestSeverity(ticket.id, customer, 'SEV2');
      expect(await failsWith([ticket.id], SEVERITY_DECIDE, { requestId: request.id, approve: true }, customer)).toBe('FORBIDDEN');
      for (const requestId of [toGlobalId('SeverityChangeRequest', randomUUID()), ticket.id, 'nonsense']) {
        expect(await refusedWith([ticket.id], SEVERITY_DECIDE, { requestId, approve: true }, ENGINEER, 'severityChangeDecide', 'request')).toEqual([
          { code: 'NOT_FOUND', field: ['requestId'], message: expect.any(String) },
        ]);
      }
    });

    it('two concurrent decisions: exactly one wins, the other is a CONFLICT or INVALID_TRANSITION, one decision event', async () => {
      const { customer } = await organization('decide-race');
      for (let round = 0; round < 4; round++) {
        const ticket = await fileTicket(server, customer, { severity: 'SEV3' });
        const request = await requestSeverity(ticket.id, customer, 'SEV2');
        const [approve, reject] = await Promise.all([
          server.gql(SEVERITY_DECIDE, { input: { requestId: request.id, approve: true } }, ENGINEER),
          server.gql(SEVERITY_DECIDE, { input: { requestId: request.id, approve: false, note: 'No.' } }, MANAGER),
        ]);
        const won = (result: typeof approve) => !result.errors && result.data!.severityChangeDecide.request !== null;
        const lost = (result: typeof approve) =>
          result.errors?.[0]?.extensions?.code === 'CONFLICT' ||
          (result.data?.severityChangeDecide?.request === null && result.data.severityChangeDecide.userErrors[0]?.code === 'INVALID_TRANSITION');
        expect([won(approve), won(reject)].filter(Boolean)).toHaveLength(1);
        const [winner, loser] = won(approve) ? [approve, reject] : [reject, approve];
        expect(lost(loser)).toBe(true);
        const status = winner === approve ? 'APPROVED' : 'REJECTED';

        const decidedEvents = await eventsOf(ticket.id, 'SEVERITY_CHANGE_DECIDED');
        expect(decidedEvents.map((event) => event.data.status)).toEqual([status]);
        expect(await eventsOf(ticket.id, 'SEVERITY_CHANGED')).toHaveLength(status === 'APPROVED' ? 1 : 0);
        const stored = await server.gql(`query($id: ID) { ticket(id: $id) { severity severityChangeRequests { status } } }`, { id: ticket.id }, ENGINEER);
        expect(stored.data!.ticket).toEqual({ severity: status === 'APPROVED' ? 'SEV2' : 'SEV3', severityChangeRequests: [{ status }] });
      }
    });
  });

  describe('ticketChangeSeverity', () => {
    it('requires a reason, a different severity, an allowed environment, and a staff member', async () => {
      const { customer } = await organization('change-refused');
      const ticket = await fileTicket(server, customer, { severity: 'SEV3' });
      const nonProduction = await fileTicket(server, customer, { severity: 'SEV3', environment: 'NON_PRODUCTION' });
      const refused = (input: Record<string, unknown>, as: Person = ENGINEER) =>
        refusedWith([ticket.id, nonProduction.id], CHANGE_SEVERITY, { ticketId: ticket.id, ...input }, as, 'ticketChangeSeverity', 'ticket');

      expect(await refused({ severity: 'SEV2', reason: '  ' })).toEqual([{ code: 'REQUIRED', field: ['reason'], message: expect.any(String) }]);
      expect(await refused({ severity: 'SEV3', reason: 'Same.' })).toEqual([{ code: 'INVALID', field: ['severity'], message: expect.stringContaining('already SEV3') }]);
      expect(await refused({ ticketId: nonProduction.id, severity: 'SEV1', reason: 'Outage.' })).toEqual([
        { code: 'ENVIRONMENT_NOT_ALLOWED', field: ['severity'], message: expect.stringContaining('PRODUCTION') },
      ]);
      expect(await failsWith([ticket.id], CHANGE_SEVERITY, { ticketId: ticket.id, severity: 'SEV2', reason: 'Please.' }, customer)).toBe('FORBIDDEN');
    });

    it('SEV4 → SEV2 late in the morning breaches at once: the cycle keeps its start and takes the new target', async () => {
      const { customer } = await organization('change-breach');
      server.clock.set('2026-12-01T14:00:00Z'); // Tue 09:00 EST
      const ticket = await fileTicket(server, customer, { severity: 'SEV4' });
      server.clock.set('2026-12-01T16:30:00Z'); // Tue 11:30 EST
      const result = await server.gql(CHANGE_SEVERITY, { input: { ticketId: ticket.id, severity: 'SEV2', reason: 'Production is blocked.' } }, ENGINEER);
      expect(result.data!.ticketChangeSeverity).toEqual({
        ticket: {
          id: ticket.id,
          severity: 'SEV2',
          sla: {
            metric: 'FIRST_RESPONSE',
            state: 'BREACHED',
            startedAt: '2026-12-01T14:00:00.000Z',
            dueAt: '2026-12-01T16:00:00.000Z', // Tue 11:00 EST
            atRiskAt: '2026-12-01T15:30:00.000Z',
          },
        },
        userErrors: [],
      });
      const timeline = await events(ticket.id);
      expect(timeline.filter((event) => event.type === 'SEVERITY_CHANGED').map((event) => event.data)).toEqual([
        { from: 'SEV4', to: 'SEV2', reason: 'Production is blocked.' },
      ]);
      expect(timeline.filter((event) => event.type === 'SLA_STATE_CHANGED').map((event) => [event.data.from, event.data.to])).toEqual([['ON_TRACK', 'BREACHED']]);
    });
  });

  describe('a new P1 related to an existing ticket', () => {
    it('is a new SEV1 ticket linked both ways', async () => {
      const { customer } = await organization('linked-p1');
      const other = await organization('linked-p1-other');
      const old = await fileTicket(server, customer, { severity: 'SEV3' });
      const p1 = await fileTicket(server, customer, { severity: 'SEV1', title: 'Everything is down', relatedTicketId: old.id });
      const linked = await server.gql(
        `query($old: ID, $new: ID) {
          old: ticket(id: $old) { number linkedTickets { id number severity } }
          new: ticket(id: $new) { severity relatedTicket { id number } }
        }`,
        { old: old.id, new: p1.id },
        customer,
      );
      expect(linked.data).toEqual({
        old: { number: old.number, linkedTickets: [{ id: p1.id, number: p1.number, severity: 'SEV1' }] },
        new: { severity: 'SEV1', relatedTicket: { id: old.id, number: old.number } },
      });
      expect((await eventsOf(p1.id, 'CREATED'))[0]!.data).toMatchObject({ severity: 'SEV1', relatedTicketId: old.id });

      const foreign = await storesNothing([old.id], () =>
        server.gql(
          `mutation($input: TicketCreateInput!) { ticketCreate(input: $input) { ticket { id } ${USER_ERRORS} } }`,
          { input: { title: 'Down', description: 'Down', severity: 'SEV1', environment: 'PRODUCTION', category: 'INCIDENT', relatedTicketId: old.id } },
          other.customer,
        ),
      );
      expect(foreign.data!.ticketCreate).toEqual({ ticket: null, userErrors: [{ code: 'NOT_FOUND', field: ['relatedTicketId'], message: expect.any(String) }] });
    });
  });

  describe('escalationCreate', () => {
    it('needs an update request or a severity change request first (ESCALATION_PRECONDITION)', async () => {
      const { customer } = await organization('esc-precondition');
      const ticket = await fileTicket(server, customer);
      const errors = await refusedWith(
        [ticket.id],
        ESCALATION_CREATE,
        { ticketId: ticket.id, reason: 'Slow.', businessImpact: 'Payroll.' },
        customer,
        'escalationCreate',
        'escalation',
      );
      expect(errors).toEqual([{ code: 'ESCALATION_PRECONDITION', field: ['ticketId'], message: expect.any(String) }]);
      expect(errors[0]!.message).toContain('ticketRequestUpdate');
      expect(errors[0]!.message).toContain('severityChangeRequest');
      expect(errors[0]!.message).toContain(ticket.number);
      // A plain comment does not count.
      await server.gql(`mutation($input: NoteAddInput!) { noteAdd(input: $input) { note { id } } }`, { input: { ticketId: ticket.id, body: 'Hello?' } }, customer);
      const again = await refusedWith([ticket.id], ESCALATION_CREATE, { ticketId: ticket.id, reason: 'Slow.', businessImpact: 'Payroll.' }, customer, 'escalationCreate', 'escalation');
      expect(again.map((error) => error.code)).toEqual(['ESCALATION_PRECONDITION']);
    });

    it('after an update request: an OPEN escalation, an ESCALATION_RAISED event, and mail to the account manager and the escalations address', async () => {
      const { customer, slug } = await organization('esc-raise');
      server.clock.set('2026-12-03T15:00:00Z');
      const ticket = await fileTicket(server, customer, { title: 'Timesheets lost' });
      await requestUpdate(ticket.id, customer);
      const customerId = await userIdOf(customer);
      const notificationsBefore = (await notifications(ticket.id)).length;

      server.clock.set('2026-12-03T16:00:00Z');
      const escalation = await escalate(ticket.id, customer, '  No answer for two days.  ', '  Payroll cannot run for 300 people.  ');
      expect(escalation).toEqual({
        id: expect.any(String),
        status: 'OPEN',
        reason: 'No answer for two days.',
        businessImpact: 'Payroll cannot run for 300 people.',
        notifiedAddresses: null, // the vendor's addresses are staff's to see
        createdAt: '2026-12-03T16:00:00.000Z',
        acknowledgedAt: null,
        resolvedAt: null,
        resolution: null,
        raisedBy: { id: customerId },
        owner: null,
        ticket: { id: ticket.id, number: ticket.number },
      });
      expect(await eventsOf(ticket.id, 'ESCALATION_RAISED')).toEqual([
        {
          type: 'ESCALATION_RAISED',
          at: '2026-12-03T16:00:00.000Z',
          actor: { id: customerId },
          data: { escalationId: escalation.id, notified: [`am-${slug}@vendor.example`, ESCALATIONS_EMAIL] },
        },
      ]);
      const sent = (await notifications(ticket.id)).slice(notificationsBefore);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({ kind: 'ESCALATION_RAISED', recipients: [`am-${slug}@vendor.example`, ESCALATIONS_EMAIL], status: 'PENDING' });
      expect(sent[0]!.subject).toContain(ticket.number);
      expect(sent[0]!.body).toContain('Payroll cannot run for 300 people.');
      expect(sent[0]!.body).toContain('No answer for two days.');

      const onTicket = await server.gql(`query($id: ID) { ticket(id: $id) { escalations { id status } } }`, { id: ticket.id }, customer);
      expect(onTicket.data!.ticket.escalations).toEqual([{ id: escalation.id, status: 'OPEN' }]);
      const asStaff = await server.gql(`query($id: ID) { ticket(id: $id) { escalations { notifiedAddresses } } }`, { id: ticket.id }, MANAGER);
      expect(asStaff.data!.ticket.escalations).toEqual([{ notifiedAddresses: [`am-${slug}@vendor.example`, ESCALATIONS_EMAIL] }]);
    });

    it('a severity change request (even rejected) also opens the way', async () => {
      const { customer } = await organization('esc-after-sevreq');
      const ticket = await fileTicket(server, customer, { severity: 'SEV3' });
      const request = await requestSeverity(ticket.id, customer, 'SEV2');
      await decide(request.id, false, 'Not a SEV2.');
      expect((await escalate(ticket.id, customer)).status).toBe('OPEN');
    });

    it('one open escalation per ticket; reason and impact required; NOT_FOUND for another organization; a new one after resolution', async () => {
      const { customer } = await organization('esc-rules');
      const other = await organization('esc-rules-other');
      const ticket = await fileTicket(server, customer);
      const foreign = await fileTicket(server, other.customer);
      await requestUpdate(ticket.id, customer);
      await requestUpdate(foreign.id, other.customer);
      const refused = (input: Record<string, unknown>, as: Person = customer) =>
        refusedWith(
          [ticket.id, foreign.id],
          ESCALATION_CREATE,
          { ticketId: ticket.id, reason: 'Slow.', businessImpact: 'Payroll.', ...input },
          as,
          'escalationCreate',
          'escalation',
        );

      expect(await refused({ reason: '', businessImpact: '  ' })).toEqual([
        { code: 'REQUIRED', field: ['reason'], message: expect.any(String) },
        { code: 'REQUIRED', field: ['businessImpact'], message: expect.any(String) },
      ]);
      expect(await refused({ businessImpact: '' })).toEqual([{ code: 'REQUIRED', field: ['businessImpact'], message: expect.any(String) }]);
      const notFound = await refused({ ticketId: foreign.id });
      expect(notFound).toEqual([{ code: 'NOT_FOUND', field: ['ticketId'], message: expect.any(String) }]);

      const first = await escalate(ticket.id, customer);
      expect(await refused({})).toEqual([{ code: 'ESCALATION_ALREADY_OPEN', field: ['ticketId'], message: expect.stringContaining(ticket.number) }]);
      await acknowledge(first.id);
      expect((await refused({})).map((error) => error.code)).toEqual(['ESCALATION_ALREADY_OPEN']);

      await resolve(first.id);
      const second = await escalate(ticket.id, customer, 'It is back.', 'Payroll again.');
      expect(second).toMatchObject({ status: 'OPEN', reason: 'It is back.' });
      expect(second.id).not.toBe(first.id);
      const onTicket = await server.gql(`query($id: ID) { ticket(id: $id) { escalations { id status } } }`, { id: ticket.id }, customer);
      expect(onTicket.data!.ticket.escalations).toEqual([
        { id: first.id, status: 'RESOLVED' },
        { id: second.id, status: 'OPEN' },
      ]);
      expect(await eventsOf(ticket.id, 'ESCALATION_RAISED')).toHaveLength(2);
    });
  });

  describe('escalationCreate under concurrency', () => {
    it('two concurrent escalations of one ticket: one is stored, the other is ESCALATION_ALREADY_OPEN, one notification', async () => {
      const { customer } = await organization('esc-race');
      for (let round = 0; round < 3; round++) {
        const ticket = await fileTicket(server, customer);
        await requestUpdate(ticket.id, customer);
        const results = await Promise.all(
          [1, 2].map((n) => server.gql(ESCALATION_CREATE, { input: { ticketId: ticket.id, reason: `Reason ${n}.`, businessImpact: `Impact ${n}.` } }, customer)),
        );
        for (const result of results) expect(result.errors).toBeUndefined();
        const payloads = results.map((result) => result.data!.escalationCreate);
        expect(payloads.filter((payload) => payload.escalation !== null)).toHaveLength(1);
        expect(payloads.find((payload) => payload.escalation === null)!.userErrors.map((error: any) => [error.code, error.field])).toEqual([
          ['ESCALATION_ALREADY_OPEN', ['ticketId']],
        ]);
        const [row] = (await snapshot([ticket.id])).tickets;
        expect(row).toMatchObject({ escalations: 1 });
        expect((await notifications(ticket.id)).filter((notification) => notification.kind === 'ESCALATION_RAISED')).toHaveLength(1);
        expect(await eventsOf(ticket.id, 'ESCALATION_RAISED')).toHaveLength(1);
      }
    });
  });

  describe('escalationAcknowledge and escalationResolve', () => {
    it('only managers acknowledge and resolve; the owner may be handed to another manager, never to an engineer', async () => {
      const { customer } = await organization('esc-manage');
      const ticket = await fileTicket(server, customer);
      await requestUpdate(ticket.id, customer);
      server.clock.set('2026-12-04T15:00:00Z');
      const escalation = await escalate(ticket.id, customer);
      const [managerId, manager2Id, engineerId] = [await userIdOf(MANAGER), await userIdOf(MANAGER_2), await userIdOf(ENGINEER)];

      for (const person of [customer, ENGINEER]) {
        expect(await failsWith([ticket.id], ESCALATION_ACKNOWLEDGE, { escalationId: escalation.id }, person)).toBe('FORBIDDEN');
        expect(await failsWith([ticket.id], ESCALATION_RESOLVE, { escalationId: escalation.id, resolution: 'Done.' }, person)).toBe('FORBIDDEN');
      }

      server.clock.set('2026-12-04T15:10:00Z');
      const acknowledged = await acknowledge(escalation.id);
      expect(acknowledged).toMatchObject({ status: 'ACKNOWLEDGED', owner: { id: managerId }, acknowledgedAt: '2026-12-04T15:10:00.000Z', resolvedAt: null });
      expect(await refusedWith([ticket.id], ESCALATION_ACKNOWLEDGE, { escalationId: escalation.id }, MANAGER, 'escalationAcknowledge', 'escalation')).toEqual([
        { code: 'INVALID_TRANSITION', field: ['escalationId'], message: expect.any(String) },
      ]);

      server.clock.set('2026-12-04T15:20:00Z');
      const handedOver = await acknowledge(escalation.id, MANAGER, manager2Id);
      expect(handedOver).toMatchObject({ status: 'ACKNOWLEDGED', owner: { id: manager2Id, name: MANAGER_2.name }, acknowledgedAt: '2026-12-04T15:10:00.000Z' });

      expect(
        await refusedWith([ticket.id], ESCALATION_ACKNOWLEDGE, { escalationId: escalation.id, ownerId: engineerId }, MANAGER, 'escalationAcknowledge', 'escalation'),
      ).toEqual([{ code: 'INVALID', field: ['ownerId'], message: expect.stringContaining('managers') }]);
      expect(
        await refusedWith(
          [ticket.id],
          ESCALATION_ACKNOWLEDGE,
          { escalationId: escalation.id, ownerId: toGlobalId('User', randomUUID()) },
          MANAGER,
          'escalationAcknowledge',
          'escalation',
        ),
      ).toEqual([{ code: 'NOT_FOUND', field: ['ownerId'], message: expect.any(String) }]);
      expect(
        await refusedWith([ticket.id], ESCALATION_ACKNOWLEDGE, { escalationId: toGlobalId('Escalation', randomUUID()) }, MANAGER, 'escalationAcknowledge', 'escalation'),
      ).toEqual([{ code: 'NOT_FOUND', field: ['escalationId'], message: expect.any(String) }]);

      for (const resolution of ['', '   ']) {
        expect(await refusedWith([ticket.id], ESCALATION_RESOLVE, { escalationId: escalation.id, resolution }, MANAGER, 'escalationResolve', 'escalation')).toEqual([
          { code: 'REQUIRED', field: ['resolution'], message: expect.any(String) },
        ]);
      }

      server.clock.set('2026-12-04T16:00:00Z');
      const resolved = await resolve(escalation.id, '  A senior engineer owns the ticket; fix due Friday.  ');
      expect(resolved).toMatchObject({
        status: 'RESOLVED',
        resolution: 'A senior engineer owns the ticket; fix due Friday.',
        resolvedAt: '2026-12-04T16:00:00.000Z',
        owner: { id: manager2Id },
        acknowledgedAt: '2026-12-04T15:10:00.000Z',
      });
      expect(
        await refusedWith([ticket.id], ESCALATION_RESOLVE, { escalationId: escalation.id, resolution: 'Again.' }, MANAGER, 'escalationResolve', 'escalation'),
      ).toEqual([{ code: 'INVALID_TRANSITION', field: ['escalationId'], message: expect.any(String) }]);
      expect(await refusedWith([ticket.id], ESCALATION_ACKNOWLEDGE, { escalationId: escalation.id }, MANAGER_2, 'escalationAcknowledge', 'escalation')).toEqual([
        { code: 'INVALID_TRANSITION', field: ['escalationId'], message: expect.any(String) },
      ]);

      const timeline = await events(ticket.id);
      expect(
        timeline.filter((event) => event.type.startsWith('ESCALATION_')).map((event) => [event.type, event.at, event.actor?.id, event.data.ownerId ?? event.data.resolution ?? null]),
      ).toEqual([
        ['ESCALATION_RAISED', '2026-12-04T15:00:00.000Z', expect.any(String), null],
        ['ESCALATION_ACKNOWLEDGED', '2026-12-04T15:10:00.000Z', managerId, managerId],
        ['ESCALATION_ACKNOWLEDGED', '2026-12-04T15:20:00.000Z', managerId, manager2Id],
        ['ESCALATION_RESOLVED', '2026-12-04T16:00:00.000Z', managerId, 'A senior engineer owns the ticket; fix due Friday.'],
      ]);
    });

    it('a manager resolves an OPEN escalation directly and becomes its owner', async () => {
      const { customer } = await organization('esc-resolve-open');
      const ticket = await fileTicket(server, customer);
      await requestUpdate(ticket.id, customer);
      const escalation = await escalate(ticket.id, customer);
      const resolved = await resolve(escalation.id);
      expect(resolved).toMatchObject({ status: 'RESOLVED', owner: { id: await userIdOf(MANAGER) }, acknowledgedAt: null });
    });
  });

  describe('escalations query', () => {
    it('customers see their organization’s escalations only; staff see all; filters and paging work', async () => {
      const a = await organization('list-a');
      const b = await organization('list-b');
      const raise = async (org: { customer: Person }) => {
        const ticket = await fileTicket(server, org.customer);
        await requestUpdate(ticket.id, org.customer);
        server.clock.advance(60_000);
        return escalate(ticket.id, org.customer);
      };
      server.clock.set('2026-12-07T15:00:00Z');
      const a1 = await raise(a);
      const b1 = await raise(b);
      const a2 = await raise(a);
      const a3 = await raise(a);
      await acknowledge(a2.id);

      const LIST = `query($first: Int, $after: String, $filter: EscalationFilter) {
        escalations(first: $first, after: $after, filter: $filter) {
          totalCount edges { cursor node { id status ticket { organization { slug } } } } pageInfo { hasNextPage endCursor }
        }
      }`;
      const list = async (as: Person, variables: Record<string, unknown> = {}) => {
        const result = await server.gql(LIST, { first: 10, ...variables }, as);
        expect(result.errors).toBeUndefined();
        const page = result.data!.escalations;
        return { ids: page.edges.map((edge: any) => edge.node.id), totalCount: page.totalCount, pageInfo: page.pageInfo };
      };

      expect(await list(a.customer)).toMatchObject({ ids: [a3.id, a2.id, a1.id], totalCount: 3, pageInfo: { hasNextPage: false } });
      expect(await list(b.customer)).toMatchObject({ ids: [b1.id], totalCount: 1 });
      expect(await list(a.customer, { filter: { organizationId: b.id } })).toMatchObject({ ids: [], totalCount: 0 });
      expect(await list(a.customer, { filter: { status: ['ACKNOWLEDGED'] } })).toMatchObject({ ids: [a2.id], totalCount: 1 });
      expect(await list(a.customer, { filter: { status: ['OPEN'] } })).toMatchObject({ ids: [a3.id, a1.id], totalCount: 2 });

      for (const staff of [MANAGER, ENGINEER]) {
        const all = await list(staff, { first: 100 });
        expect(all.ids).toEqual(expect.arrayContaining([a1.id, a2.id, a3.id, b1.id]));
        expect(all.totalCount).toBeGreaterThanOrEqual(4);
        expect(await list(staff, { filter: { organizationId: a.id } })).toMatchObject({ ids: [a3.id, a2.id, a1.id], totalCount: 3 });
        expect(await list(staff, { filter: { organizationId: b.id, status: ['OPEN', 'ACKNOWLEDGED'] } })).toMatchObject({ ids: [b1.id], totalCount: 1 });
      }

      const first = await list(a.customer, { first: 2 });
      expect(first).toMatchObject({ ids: [a3.id, a2.id], totalCount: 3, pageInfo: { hasNextPage: true } });
      const rest = await list(a.customer, { first: 2, after: first.pageInfo.endCursor });
      expect(rest).toMatchObject({ ids: [a1.id], totalCount: 3, pageInfo: { hasNextPage: false } });

      // Escalations raised at the same instant still page in a stable order, none lost or repeated.
      const c = await organization('list-c');
      const sameInstant = [];
      for (let n = 0; n < 3; n++) {
        const ticket = await fileTicket(server, c.customer);
        await requestUpdate(ticket.id, c.customer);
        sameInstant.push((await escalate(ticket.id, c.customer)).id);
      }
      const paged: string[] = [];
      let after: string | null = null;
      for (let page = 0; page < 4; page++) {
        const next = await list(c.customer, { first: 1, after });
        paged.push(...next.ids);
        if (!next.pageInfo.hasNextPage) break;
        after = next.pageInfo.endCursor;
      }
      expect(paged).toEqual([...sameInstant].reverse());

      const NODE = `query($id: ID!) { node(id: $id) { id ... on Escalation { status } } }`;
      const foreign = await server.gql(NODE, { id: b1.id }, a.customer);
      expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect(foreign.data?.node ?? null).toBeNull();
      expect((await server.gql(NODE, { id: b1.id }, b.customer)).data!.node).toEqual({ id: b1.id, status: 'OPEN' });
      expect((await server.gql(NODE, { id: b1.id }, MANAGER)).data!.node).toEqual({ id: b1.id, status: 'OPEN' });
    });
  });

  describe('escalationChanged', () => {
    it('tells a manager when an escalation is raised and when it is acknowledged; customers are FORBIDDEN', async () => {
      const { customer } = await organization('esc-live');
      const ticket = await fileTicket(server, customer);
      await requestUpdate(ticket.id, customer);

      const managerClient = connect(server.url, await server.token(MANAGER));
      const customerClient = connect(server.url, await server.token(customer));
      try {
        // The probe raises throwaway escalations (each on a ticket of its own) until the manager hears one.
        const raised = new Probe<any>(
          async () => {
            const probeTicket = await fileTicket(server, customer, { title: 'Probe' });
            await requestUpdate(probeTicket.id, customer);
            return (await escalate(probeTicket.id, customer)).id;
          },
          (message) => message.escalationChanged.id,
        );
        const changes = await subscribe(managerClient, `subscription { escalationChanged { id status owner { name } ticket { number } } }`, {}, raised);
        const refused = await subscribe(customerClient, `subscription { escalationChanged { id status } }`);
        await expect(refused.next()).rejects.toThrow(/FORBIDDEN/);
        expect(refused.received).toEqual([]);
        expect(refused.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })]);

        const escalation = await escalate(ticket.id, customer);
        expect(await changes.next()).toEqual({ escalationChanged: { id: escalation.id, status: 'OPEN', owner: null, ticket: { number: ticket.number } } });
        await acknowledge(escalation.id);
        expect(await changes.next()).toEqual({
          escalationChanged: { id: escalation.id, status: 'ACKNOWLEDGED', owner: { name: MANAGER.name }, ticket: { number: ticket.number } },
        });
        await changes.close();
      } finally {
        await managerClient.dispose();
        await customerClient.dispose();
      }
    });
  });

  describe('phoneEscalation', () => {
    const PHONE = `query($id: ID) { ticket(id: $id) { number phoneEscalation { line { region country number } ticketNumber instructions } } }`;

    it('gives a US organization’s ticket the US line and the number to quote', async () => {
      const { customer } = await organization('phone-us');
      const ticket = await fileTicket(server, customer);
      const result = await server.gql(PHONE, { id: ticket.id }, customer);
      const phone = result.data!.ticket.phoneEscalation;
      expect(phone).toMatchObject({ line: { region: 'US', number: '+1 (202)-831-2671' }, ticketNumber: ticket.number });
      expect(phone.instructions).toContain(ticket.number);
      expect(phone.instructions).toContain('+1 (202)-831-2671');
    });

    it('gives a DE organization’s ticket the German line', async () => {
      const { customer } = await organization('phone-de', { region: 'DE' });
      const ticket = await fileTicket(server, customer);
      const phone = (await server.gql(PHONE, { id: ticket.id }, customer)).data!.ticket.phoneEscalation;
      expect(phone).toMatchObject({ line: { region: 'DE', number: '+49 (7071) 704-9200' }, ticketNumber: ticket.number });
      expect(phone.instructions).toContain(ticket.number);
    });
  });
  describe('who does what', () => {
    it('staff do not raise escalations: they acknowledge and resolve them', async () => {
      const { customer } = await organization('staff-escalate');
      const ticket = await fileTicket(server, customer);
      await server.gql(REQUEST_UPDATE, { input: { ticketId: ticket.id, body: 'News?' } }, customer);
      const result = await server.gql(ESCALATION_CREATE, { input: { ticketId: ticket.id, reason: 'r', businessImpact: 'b' } }, ENGINEER);
      expect(result.data!.escalationCreate).toMatchObject({ escalation: null, userErrors: [{ code: 'NOT_ALLOWED', field: null }] });
      expect(await eventsOf(ticket.id, 'ESCALATION_RAISED')).toEqual([]);
    });

    it('asking for an update on a resolved ticket reopens it', async () => {
      const { customer } = await organization('reopen-on-update');
      const ticket = await fileTicket(server, customer);
      await server.gql(
        `mutation($input: TicketUpdateStatusInput!) { ticketUpdateStatus(input: $input) { userErrors { code } } }`,
        { input: { ticketId: ticket.id, status: 'RESOLVED' } },
        ENGINEER,
      );
      await server.gql(REQUEST_UPDATE, { input: { ticketId: ticket.id, body: 'It is happening again.' } }, customer);
      const after = await server.gql(`query($id: ID!) { ticket(id: $id) { status resolvedAt sla { metric state } } }`, { id: ticket.id }, customer);
      expect(after.data!.ticket).toEqual({ status: 'IN_PROGRESS', resolvedAt: null, sla: { metric: 'NEXT_RESPONSE', state: 'ON_TRACK' } });
    });
  });
});
