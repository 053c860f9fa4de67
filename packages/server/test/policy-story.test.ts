// The support policy, played out through the API from start to finish, with mail delivered to a real SMTP server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpServer } from './helpers/smtp';
import { createOrganization, customerOf, ENGINEER, MANAGER, startTestServer, TestServer } from './helpers/test-server';

describe('the support policy, end to end', () => {
  let server: TestServer;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    server = await startTestServer({ smtpUrl: smtp.url, communityUrl: 'https://community.example.test/ideas' });
  });
  afterAll(async () => {
    await server.close();
    await smtp.close();
  });

  it('file, ask for an update, ask for SEV2, approve, escalate, mail, acknowledge, resolve; a new linked P1; an enhancement redirected', async () => {
    await createOrganization(server, 'acme', { accountManagerEmail: 'pat.am@vendor.example' });
    const customer = customerOf('acme');
    const mutate = async (name: string, input: Record<string, unknown>, as: typeof customer, selection: string) => {
      const result = await server.gql(
        `mutation($input: ${name[0]!.toUpperCase()}${name.slice(1)}Input!) { ${name}(input: $input) { ${selection} userErrors { code field message } } }`,
        { input },
        as,
      );
      expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
      return result.data![name];
    };

    // 1. A SEV3 is filed through the portal (Tuesday 10:00 New York): due in 4 business hours.
    server.clock.set('2026-12-01T15:00:00Z');
    const filed = await mutate(
      'ticketCreate',
      { title: 'Invoices export times out', description: 'The export fails after 60s.', severity: 'SEV3', environment: 'PRODUCTION', category: 'INCIDENT' },
      customer,
      'ticket { id number severity sla { dueAt } }',
    );
    const ticket = filed.ticket;
    expect(ticket).toMatchObject({ number: 'RS-1001', severity: 'SEV3', sla: { dueAt: '2026-12-01T19:00:00.000Z' } });

    // 2. The engineer takes it and responds; later the customer asks for an update.
    const engineerId = (await server.gql('{ me { id } }', {}, ENGINEER)).data!.me.id;
    await mutate('ticketAssign', { ticketId: ticket.id, assigneeId: engineerId }, ENGINEER, 'ticket { id }');
    await mutate('noteAdd', { ticketId: ticket.id, body: 'Looking into the export.' }, ENGINEER, 'note { kind }');
    server.clock.set('2026-12-01T17:00:00Z');
    const asked = await mutate('ticketRequestUpdate', { ticketId: ticket.id, body: 'Any progress? Month end is close.' }, customer, 'ticket { sla { metric state } }');
    expect(asked).toEqual({ ticket: { sla: { metric: 'NEXT_RESPONSE', state: 'ON_TRACK' } }, userErrors: [] });

    // 3. Asking for SEV1 on an existing ticket is refused: a P1 is a new ticket.
    const p1 = await mutate('severityChangeRequest', { ticketId: ticket.id, to: 'SEV1', reason: 'Everything is down' }, customer, 'request { id }');
    expect(p1.request).toBeNull();
    expect(p1.userErrors[0]).toMatchObject({ code: 'NEW_P1_REQUIRED', field: ['to'] });
    expect(p1.userErrors[0].message).toMatch(/NEW SEV1 ticket.*relatedTicketId/);

    // 4. It asks for SEV2 instead; the engineer approves; the SLA is recomputed from the original start.
    const requested = await mutate(
      'severityChangeRequest',
      { ticketId: ticket.id, to: 'SEV2', reason: 'Finance cannot close the month without it.' },
      customer,
      'request { id status from to }',
    );
    expect(requested.request).toMatchObject({ status: 'PENDING', from: 'SEV3', to: 'SEV2' });
    const decided = await mutate(
      'severityChangeDecide',
      { requestId: requested.request.id, approve: true, note: 'Agreed, raising to SEV2.' },
      ENGINEER,
      'request { status decider { name } ticket { severity sla { metric target { label } dueAt } } }',
    );
    expect(decided.request).toMatchObject({
      status: 'APPROVED',
      decider: { name: ENGINEER.name },
      ticket: { severity: 'SEV2', sla: { metric: 'NEXT_RESPONSE', target: { label: '2 business hours' }, dueAt: '2026-12-01T19:00:00.000Z' } },
    });

    // 5. Still unhappy, the customer escalates to support management with the reason and the business impact.
    const escalated = await mutate(
      'escalationCreate',
      { ticketId: ticket.id, reason: 'No fix in sight after two days.', businessImpact: 'Month-end close is blocked for 40 accountants.' },
      customer,
      'escalation { id status notifiedAddresses raisedBy { name } }',
    );
    expect(escalated.escalation).toMatchObject({
      status: 'OPEN',
      raisedBy: { name: customer.name },
      notifiedAddresses: null, // staff only; the mail below shows who was told
    });

    // 6. After commit the outbox delivers: the account manager and the escalations address receive the mail.
    expect(await server.outbox.deliverDue()).toBeGreaterThan(0);
    const escalationMail = smtp.received.find((mail) => mail.subject?.includes('Escalation'));
    expect(escalationMail).toBeDefined();
    expect(escalationMail!.rcptTo.sort()).toEqual(['ClarityEscalations@regoconsulting.com', 'pat.am@vendor.example']);
    expect(escalationMail!.subject).toBe('[RS-1001] Escalation to support management: Invoices export times out');
    expect(escalationMail!.body).toContain('Month-end close is blocked for 40 accountants.');
    const updateMail = smtp.received.find((mail) => mail.subject?.startsWith('[RS-1001] Update requested'));
    expect(updateMail?.rcptTo).toEqual([`${ENGINEER.sub}@example.test`]);

    // 7. A manager acknowledges (owning it) and resolves it.
    const acknowledged = await mutate('escalationAcknowledge', { escalationId: escalated.escalation.id }, MANAGER, 'escalation { status owner { name } }');
    expect(acknowledged.escalation).toEqual({ status: 'ACKNOWLEDGED', owner: { name: MANAGER.name } });
    const resolved = await mutate(
      'escalationResolve',
      { escalationId: escalated.escalation.id, resolution: 'Two engineers assigned; patch shipped the same day.' },
      MANAGER,
      'escalation { status resolution resolvedAt }',
    );
    expect(resolved.escalation).toMatchObject({ status: 'RESOLVED', resolution: 'Two engineers assigned; patch shipped the same day.' });

    // 8. A related outage is filed as a NEW SEV1 ticket linked to the old one; both show the link.
    const outage = await mutate(
      'ticketCreate',
      {
        title: 'Invoicing down after the patch',
        description: 'No invoice can be created since 14:00.',
        severity: 'SEV1',
        environment: 'PRODUCTION',
        category: 'INCIDENT',
        relatedTicketId: ticket.id,
      },
      customer,
      'ticket { number severity relatedTicket { number } sla { target { label } } phoneEscalation { line { number } ticketNumber } }',
    );
    expect(outage.ticket).toEqual({
      number: 'RS-1002',
      severity: 'SEV1',
      relatedTicket: { number: 'RS-1001' },
      sla: { target: { label: '1 hour' } },
      phoneEscalation: { line: { number: '+1 (202)-831-2671' }, ticketNumber: 'RS-1002' },
    });
    const original = await server.gql(`query($id: ID!) { ticket(id: $id) { linkedTickets { number } } }`, { id: ticket.id }, customer);
    expect(original.data!.ticket.linkedTickets).toEqual([{ number: 'RS-1002' }]);

    // 9. An enhancement request is redirected to the community forum, and nothing is stored.
    const idea = await mutate(
      'ticketCreate',
      { title: 'Dark mode', description: 'Please add a dark theme.', severity: 'SEV4', environment: 'PRODUCTION', category: 'ENHANCEMENT' },
      customer,
      'ticket { id }',
    );
    expect(idea.ticket).toBeNull();
    expect(idea.userErrors[0]).toMatchObject({ code: 'ENHANCEMENT_REDIRECT', field: ['category'] });
    expect(idea.userErrors[0].message).toContain('https://community.example.test/ideas');
    const count = await server.gql('{ tickets { totalCount } }', {}, customer);
    expect(count.data!.tickets.totalCount).toBe(2);

    // The whole story is in the timeline.
    const timeline = await server.gql(`query($id: ID!) { ticket(id: $id) { timeline(first: 100) { edges { node { type } } } } }`, { id: ticket.id }, ENGINEER);
    const types = timeline.data!.ticket.timeline.edges.map((edge: any) => edge.node.type);
    for (const type of ['CREATED', 'ASSIGNED', 'UPDATE_REQUESTED', 'SEVERITY_CHANGE_REQUESTED', 'SEVERITY_CHANGED', 'SEVERITY_CHANGE_DECIDED', 'SLA_RETARGETED', 'ESCALATION_RAISED', 'ESCALATION_ACKNOWLEDGED', 'ESCALATION_RESOLVED']) {
      expect(types).toContain(type);
    }
  });
});
