// Filing tickets (validation, idempotency, related tickets, staff filing), their lifecycle, assignment and lookup.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromGlobalId, toGlobalId } from '../src/common/global-id';
import { TicketEvent, TicketEventType } from '../src/events/ticket-event.entity';
import { Ticket } from '../src/tickets/ticket.entity';
import {
  createOrganization,
  customerOf,
  ENGINEER,
  fileTicket,
  MANAGER,
  Person,
  startTestServer,
  TestServer,
} from './helpers/test-server';

const COMMUNITY_URL = 'https://forum.vendor.example/t/enhancements';

const TICKET = `
  id number title description severity environment category status createdAt updatedAt resolvedAt closedAt
  organization { id slug } requester { id } assignee { id } relatedTicket { id number }
  timeline(first: 50) { totalCount nodes { type at data actor { id } } }
`;
const CREATE = `mutation($input: TicketCreateInput!) {
  ticketCreate(input: $input) { ticket { ${TICKET} } userErrors { code field message url } }
}`;
const UPDATE_STATUS = `mutation($input: TicketUpdateStatusInput!) {
  ticketUpdateStatus(input: $input) { ticket { ${TICKET} } userErrors { code field message } }
}`;
const ASSIGN = `mutation($input: TicketAssignInput!) {
  ticketAssign(input: $input) { ticket { ${TICKET} } userErrors { code field message } }
}`;
const GET = `query($id: ID, $number: String) { ticket(id: $id, number: $number) { id number title } }`;

/** The events about the ticket itself; SLA bookkeeping events come and go with the SLA rules, tested elsewhere. */
const CORE_TYPES = new Set(['CREATED', 'STATUS_CHANGED', 'SEVERITY_CHANGED', 'ASSIGNED', 'NOTE_ADDED']);
const core = (events: { type: string }[]) => events.filter((event) => CORE_TYPES.has(event.type));

const VALID = {
  title: 'Checkout fails',
  description: 'Every checkout answers 500 since 14:00.',
  severity: 'SEV2',
  environment: 'PRODUCTION',
  category: 'INCIDENT',
};

describe('tickets', () => {
  let server: TestServer;
  const acme = customerOf('acme');
  const globex = customerOf('globex');
  let acmeId: string;
  let globexId: string;

  beforeAll(async () => {
    server = await startTestServer({ communityUrl: COMMUNITY_URL });
    acmeId = await createOrganization(server, 'acme');
    globexId = await createOrganization(server, 'globex');
  });
  afterAll(() => server.close());

  const create = async (input: Record<string, unknown>, as: Person = acme) => (await server.gql(CREATE, { input }, as)).data?.ticketCreate;
  const updateStatus = (ticketId: string, status: string, as: Person = ENGINEER) =>
    server.gql(UPDATE_STATUS, { input: { ticketId, status } }, as);
  const assign = (ticketId: string, assigneeId: string | null, as: Person = ENGINEER) =>
    server.gql(ASSIGN, { input: { ticketId, assigneeId } }, as);
  const userIdOf = async (person: Person): Promise<string> => (await server.gql('{ me { id } }', {}, person)).data!.me.id;
  const stored = async () => {
    const em = server.orm.em.fork();
    return { tickets: await em.count(Ticket, {}), events: await em.count(TicketEvent, {}) };
  };
  /** How many events of each type a ticket has, straight from the database. */
  const eventTypesOf = async (globalId: string) => {
    const events = await server.orm.em.fork().find(TicketEvent, { ticket: fromGlobalId(globalId)!.id });
    const counts: Record<string, number> = {};
    for (const event of events) counts[event.type] = (counts[event.type] ?? 0) + 1;
    return { counts, total: events.length };
  };
  /** Sends a refused ticketCreate and checks that nothing was stored; returns the user errors. */
  const refusedCreate = async (input: Record<string, unknown>, as: Person = acme) => {
    const before = await stored();
    const payload = await create(input, as);
    expect(payload.ticket).toBeNull();
    expect(await stored()).toEqual(before);
    return payload.userErrors as { code: string; field: string[] | null; message: string; url: string | null }[];
  };

  describe('ticketCreate', () => {
    it('files sequentially numbered NEW tickets for the customer’s organization with a CREATED event', async () => {
      server.clock.set('2026-12-01T15:00:00Z');
      const acmeUserId = await userIdOf(acme);
      const first = await create(VALID);
      expect(first.userErrors).toEqual([]);
      const ticket = first.ticket;
      expect(ticket).toMatchObject({
        number: 'RS-1001',
        title: VALID.title,
        description: VALID.description,
        severity: 'SEV2',
        environment: 'PRODUCTION',
        category: 'INCIDENT',
        status: 'NEW',
        createdAt: '2026-12-01T15:00:00.000Z',
        updatedAt: '2026-12-01T15:00:00.000Z',
        resolvedAt: null,
        closedAt: null,
        organization: { id: acmeId, slug: 'acme' },
        requester: { id: acmeUserId },
        assignee: null,
        relatedTicket: null,
      });
      expect(ticket.timeline.totalCount).toBe(ticket.timeline.nodes.length);
      expect(core(ticket.timeline.nodes)).toEqual([
        {
          type: 'CREATED',
          at: '2026-12-01T15:00:00.000Z',
          actor: { id: acmeUserId },
          data: { severity: 'SEV2', environment: 'PRODUCTION', category: 'INCIDENT', relatedTicketId: null },
        },
      ]);

      server.clock.advance(60_000);
      const second = await create({ ...VALID, title: 'Second issue', severity: 'SEV4', category: 'QUESTION' });
      expect(second.userErrors).toEqual([]);
      expect(second.ticket.number).toBe('RS-1002');
      expect(second.ticket.createdAt).toBe('2026-12-01T15:01:00.000Z');
      expect(second.ticket.id).not.toBe(ticket.id);
      expect((await stored()).tickets).toBe(2);
      expect(await server.orm.em.fork().count(TicketEvent, { type: TicketEventType.CREATED })).toBe(2);
    });

    it.each(['SEV1', 'SEV2'])('refuses %s on NON_PRODUCTION with ENVIRONMENT_NOT_ALLOWED and stores nothing', async (severity) => {
      const errors = await refusedCreate({ ...VALID, severity, environment: 'NON_PRODUCTION' });
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ code: 'ENVIRONMENT_NOT_ALLOWED', field: ['environment'] });
      expect(errors[0]!.message).toContain(severity);
      expect(errors[0]!.message).toContain('PRODUCTION');
    });

    it.each(['SEV3', 'SEV4'])('accepts %s on NON_PRODUCTION', async (severity) => {
      const payload = await create({ ...VALID, severity, environment: 'NON_PRODUCTION' });
      expect(payload.userErrors).toEqual([]);
      expect(payload.ticket).toMatchObject({ severity, environment: 'NON_PRODUCTION', status: 'NEW' });
    });

    it('redirects ENHANCEMENT requests to the configured community URL and stores nothing', async () => {
      const errors = await refusedCreate({ ...VALID, severity: 'SEV4', category: 'ENHANCEMENT' });
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ code: 'ENHANCEMENT_REDIRECT', field: ['category'], url: COMMUNITY_URL });
      expect(errors[0]!.message).toContain(COMMUNITY_URL);
    });

    it.each([
      ['an empty title', { title: '' }, 'REQUIRED', ['title']],
      ['a whitespace title', { title: '   \t ' }, 'REQUIRED', ['title']],
      ['an empty description', { description: ' ' }, 'REQUIRED', ['description']],
      ['a 201-character title', { title: 'x'.repeat(201) }, 'TOO_LONG', ['title']],
      ['a description over 10000 characters', { description: 'y'.repeat(10_001) }, 'TOO_LONG', ['description']],
      ['an idempotencyKey over 100 characters', { idempotencyKey: 'k'.repeat(101) }, 'TOO_LONG', ['idempotencyKey']],
    ])('refuses %s and stores nothing', async (_name, change, code, field) => {
      const errors = await refusedCreate({ ...VALID, ...change });
      expect(errors).toEqual([expect.objectContaining({ code, field })]);
    });

    it('accepts a title of exactly 200 characters and a description of exactly 10000', async () => {
      const payload = await create({ ...VALID, title: 't'.repeat(200), description: 'd'.repeat(10_000) });
      expect(payload.userErrors).toEqual([]);
      expect(payload.ticket.title).toHaveLength(200);
    });

    it('reports every problem of one input at once', async () => {
      const errors = await refusedCreate({
        ...VALID,
        title: ' ',
        description: 'z'.repeat(10_001),
        severity: 'SEV1',
        environment: 'NON_PRODUCTION',
        idempotencyKey: 'k'.repeat(101),
      });
      expect(errors.map((e) => [e.code, e.field]).sort()).toEqual(
        [
          ['REQUIRED', ['title']],
          ['TOO_LONG', ['description']],
          ['TOO_LONG', ['idempotencyKey']],
          ['ENVIRONMENT_NOT_ALLOWED', ['environment']],
        ].sort(),
      );
    });
  });

  describe('idempotency', () => {
    it('returns the first ticket when the same key is submitted again, storing one row and one event', async () => {
      const input = { ...VALID, title: 'Retry me', idempotencyKey: 'retry-1' };
      const before = await stored();
      const first = await create(input);
      const again = await create(input);
      expect(first.userErrors).toEqual([]);
      expect(again.userErrors).toEqual([]);
      expect(again.ticket.id).toBe(first.ticket.id);
      expect(again.ticket.number).toBe(first.ticket.number);
      expect(core(again.ticket.timeline.nodes).map((e) => e.type)).toEqual(['CREATED']);
      expect(again.ticket.timeline).toEqual(first.ticket.timeline);
      const { counts, total } = await eventTypesOf(first.ticket.id);
      expect(counts.CREATED).toBe(1);
      expect(Math.max(...Object.values(counts))).toBe(1); // the retry recorded nothing
      expect(await stored()).toEqual({ tickets: before.tickets + 1, events: before.events + total });
    });

    it('refuses the same key with different content as IDEMPOTENCY_KEY_REUSED', async () => {
      const first = await create({ ...VALID, title: 'Original', idempotencyKey: 'retry-2' });
      const errors = await refusedCreate({ ...VALID, title: 'Something else', idempotencyKey: 'retry-2' });
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', field: ['idempotencyKey'] });
      expect(errors[0]!.message).toContain(first.ticket.number);
    });

    it('answers a reused key with IDEMPOTENCY_KEY_REUSED even when the new content is refused for another reason too', async () => {
      const first = await create({ ...VALID, title: 'Staging only', severity: 'SEV3', environment: 'NON_PRODUCTION', idempotencyKey: 'retry-4' });
      const errors = await refusedCreate({ ...VALID, title: 'Staging only', severity: 'SEV1', environment: 'NON_PRODUCTION', idempotencyKey: 'retry-4' });
      expect(errors).toEqual([expect.objectContaining({ code: 'IDEMPOTENCY_KEY_REUSED', field: ['idempotencyKey'] })]);
      expect(errors[0]!.message).toContain(first.ticket.number);
    });

    it('keeps keys per requester: another customer’s identical key files a separate ticket', async () => {
      const input = { ...VALID, title: 'Shared key', idempotencyKey: 'retry-3' };
      const mine = await create(input, acme);
      const colleague = await create(input, customerOf('acme', 'acme-colleague'));
      const theirs = await create(input, globex);
      expect(colleague.userErrors).toEqual([]);
      expect(theirs.userErrors).toEqual([]);
      expect(new Set([mine.ticket.id, colleague.ticket.id, theirs.ticket.id]).size).toBe(3);
      expect(theirs.ticket.organization.id).toBe(globexId);
    });

    it('answers 5 concurrent submits with one key with the same ticket and stores one row', async () => {
      await userIdOf(acme); // provision the user first, so only the filing races
      const input = { ...VALID, title: 'Double click', idempotencyKey: 'concurrent-1' };
      const before = await stored();
      const results = await Promise.all(Array.from({ length: 5 }, () => server.gql(CREATE, { input }, acme)));
      for (const result of results) {
        expect(result.errors).toBeUndefined();
        expect(result.data!.ticketCreate.userErrors).toEqual([]);
      }
      const ids = new Set(results.map((result) => result.data!.ticketCreate.ticket.id));
      expect(ids.size).toBe(1);
      const { counts, total } = await eventTypesOf([...ids][0]!);
      expect(counts.CREATED).toBe(1);
      expect(Math.max(...Object.values(counts))).toBe(1); // the losers recorded nothing
      expect(await stored()).toEqual({ tickets: before.tickets + 1, events: before.events + total });
      const em = server.orm.em.fork();
      expect(await em.count(Ticket, { idempotencyKey: 'concurrent-1' })).toBe(1);
    });
  });

  describe('related tickets', () => {
    it('files a new SEV1 linked to an existing ticket', async () => {
      const existing = await fileTicket(server, acme, { title: 'Slow reports' });
      const payload = await create({ ...VALID, severity: 'SEV1', title: 'Production down', relatedTicketId: existing.id });
      expect(payload.userErrors).toEqual([]);
      expect(payload.ticket.severity).toBe('SEV1');
      expect(payload.ticket.relatedTicket).toEqual({ id: existing.id, number: existing.number });
      const created = payload.ticket.timeline.nodes.find((e: any) => e.type === 'CREATED');
      expect(created.data).toEqual({ severity: 'SEV1', environment: 'PRODUCTION', category: 'INCIDENT', relatedTicketId: existing.id });
    });

    it('refuses an unknown relatedTicketId with NOT_FOUND', async () => {
      const errors = await refusedCreate({ ...VALID, relatedTicketId: toGlobalId('Ticket', randomUUID()) });
      expect(errors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['relatedTicketId'] })]);
    });

    it('refuses another organization’s ticket as relatedTicketId with NOT_FOUND', async () => {
      const theirs = await fileTicket(server, globex);
      const errors = await refusedCreate({ ...VALID, relatedTicketId: theirs.id });
      expect(errors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['relatedTicketId'] })]);
    });
  });

  describe('staff filing', () => {
    it('requires organizationId when staff file a ticket', async () => {
      const errors = await refusedCreate(VALID, ENGINEER);
      expect(errors).toEqual([expect.objectContaining({ code: 'REQUIRED', field: ['organizationId'] })]);
    });

    it('files the ticket in the given organization, requested by the engineer', async () => {
      const payload = await create({ ...VALID, organizationId: globexId }, ENGINEER);
      expect(payload.userErrors).toEqual([]);
      expect(payload.ticket.organization).toEqual({ id: globexId, slug: 'globex' });
      expect(payload.ticket.requester.id).toBe(await userIdOf(ENGINEER));
    });

    it('refuses an unknown organizationId with NOT_FOUND', async () => {
      const errors = await refusedCreate({ ...VALID, organizationId: toGlobalId('Organization', randomUUID()) }, ENGINEER);
      expect(errors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['organizationId'] })]);
    });
  });

  describe('ticketUpdateStatus', () => {
    it('moves a ticket through its lifecycle, recording each change', async () => {
      server.clock.set('2026-12-02T10:00:00Z');
      const engineerId = await userIdOf(ENGINEER);
      const { id } = await fileTicket(server, acme);
      const steps: [string, string][] = [
        ['NEW', 'IN_PROGRESS'],
        ['IN_PROGRESS', 'WAITING_ON_CUSTOMER'],
        ['WAITING_ON_CUSTOMER', 'IN_PROGRESS'],
        ['IN_PROGRESS', 'RESOLVED'],
        ['RESOLVED', 'CLOSED'],
      ];
      let ticket: any;
      for (const [index, [, to]] of steps.entries()) {
        server.clock.advance(60_000);
        const result = await updateStatus(id, to);
        expect(result.data!.ticketUpdateStatus.userErrors).toEqual([]);
        ticket = result.data!.ticketUpdateStatus.ticket;
        expect(ticket.status).toBe(to);
        expect(ticket.updatedAt).toBe(new Date(Date.parse('2026-12-02T10:00:00Z') + (index + 1) * 60_000).toISOString());
        if (to === 'RESOLVED') expect(ticket.resolvedAt).toBe(ticket.updatedAt);
      }
      expect(ticket.resolvedAt).toBe('2026-12-02T10:04:00.000Z');
      expect(ticket.closedAt).toBe('2026-12-02T10:05:00.000Z');
      const changes = ticket.timeline.nodes.filter((e: any) => e.type === 'STATUS_CHANGED');
      expect(changes.map((e: any) => e.data)).toEqual(steps.map(([from, to]) => ({ from, to })));
      for (const change of changes) expect(change.actor).toEqual({ id: engineerId });
      expect(core(ticket.timeline.nodes)).toHaveLength(1 + steps.length);
    });

    it('refuses any change of a CLOSED ticket with INVALID_TRANSITION', async () => {
      const { id } = await fileTicket(server, acme);
      await updateStatus(id, 'CLOSED');
      const before = await stored();
      for (const status of ['NEW', 'IN_PROGRESS', 'WAITING_ON_CUSTOMER', 'RESOLVED', 'CLOSED']) {
        const payload = (await updateStatus(id, status)).data!.ticketUpdateStatus;
        expect(payload.ticket).toBeNull();
        expect(payload.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_TRANSITION', field: ['status'] })]);
        expect(payload.userErrors[0].message).toMatch(/CLOSED/);
      }
      expect(await stored()).toEqual(before);
    });

    it('refuses a change to the same status with a message saying so', async () => {
      const { id } = await fileTicket(server, acme);
      await updateStatus(id, 'IN_PROGRESS');
      const before = await stored();
      const payload = (await updateStatus(id, 'IN_PROGRESS')).data!.ticketUpdateStatus;
      expect(payload.userErrors).toEqual([{ code: 'INVALID_TRANSITION', field: ['status'], message: 'The ticket is already IN_PROGRESS.' }]);
      expect(await stored()).toEqual(before);
    });

    it('refuses RESOLVED → WAITING_ON_CUSTOMER, naming the allowed statuses', async () => {
      const { id } = await fileTicket(server, acme);
      await updateStatus(id, 'RESOLVED');
      const payload = (await updateStatus(id, 'WAITING_ON_CUSTOMER')).data!.ticketUpdateStatus;
      expect(payload.userErrors[0].code).toBe('INVALID_TRANSITION');
      expect(payload.userErrors[0].message).toContain('IN_PROGRESS, CLOSED');
    });

    it('reopening a RESOLVED ticket clears resolvedAt', async () => {
      const { id } = await fileTicket(server, acme);
      await updateStatus(id, 'RESOLVED');
      const reopened = (await updateStatus(id, 'IN_PROGRESS')).data!.ticketUpdateStatus.ticket;
      expect(reopened.status).toBe('IN_PROGRESS');
      expect(reopened.resolvedAt).toBeNull();
    });

    it('lets a customer close its organization’s ticket', async () => {
      const { id } = await fileTicket(server, acme);
      const colleague = customerOf('acme', 'acme-closer');
      const payload = (await updateStatus(id, 'CLOSED', colleague)).data!.ticketUpdateStatus;
      expect(payload.userErrors).toEqual([]);
      expect(payload.ticket.status).toBe('CLOSED');
      expect(payload.ticket.closedAt).not.toBeNull();
      const change = payload.ticket.timeline.nodes.find((e: any) => e.type === 'STATUS_CHANGED');
      expect(change.data).toEqual({ from: 'NEW', to: 'CLOSED' });
      expect(change.actor).toEqual({ id: await userIdOf(colleague) });
    });

    it.each(['IN_PROGRESS', 'WAITING_ON_CUSTOMER', 'RESOLVED'])('refuses a customer setting %s with NOT_ALLOWED', async (status) => {
      const { id } = await fileTicket(server, acme);
      const before = await stored();
      const payload = (await updateStatus(id, status, acme)).data!.ticketUpdateStatus;
      expect(payload.ticket).toBeNull();
      expect(payload.userErrors).toEqual([expect.objectContaining({ code: 'NOT_ALLOWED', field: ['status'] })]);
      expect(await stored()).toEqual(before);
    });

    it('answers NOT_FOUND to a customer changing another organization’s ticket', async () => {
      const { id } = await fileTicket(server, globex);
      const before = await stored();
      const payload = (await updateStatus(id, 'CLOSED', acme)).data!.ticketUpdateStatus;
      expect(payload.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['ticketId'] })]);
      expect(await stored()).toEqual(before);
    });
  });

  describe('ticketAssign', () => {
    it('assigns to a manager, reassigns nothing when unchanged, and unassigns with null', async () => {
      const managerId = await userIdOf(MANAGER);
      const engineerId = await userIdOf(ENGINEER);
      const { id } = await fileTicket(server, acme);

      const assigned = (await assign(id, managerId)).data!.ticketAssign;
      expect(assigned.userErrors).toEqual([]);
      expect(assigned.ticket.assignee).toEqual({ id: managerId });
      const events = () => assigned.ticket.timeline.nodes.filter((e: any) => e.type === 'ASSIGNED');
      expect(events()).toEqual([
        expect.objectContaining({ actor: { id: engineerId }, data: { fromAssigneeId: null, toAssigneeId: managerId } }),
      ]);

      const same = (await assign(id, managerId)).data!.ticketAssign;
      expect(same.ticket.timeline.nodes.filter((e: any) => e.type === 'ASSIGNED')).toHaveLength(1);

      server.clock.advance(60_000); // events of one instant have no defined order
      const unassigned = (await assign(id, null)).data!.ticketAssign;
      expect(unassigned.userErrors).toEqual([]);
      expect(unassigned.ticket.assignee).toBeNull();
      expect(unassigned.ticket.timeline.nodes.filter((e: any) => e.type === 'ASSIGNED').map((e: any) => e.data)).toEqual([
        { fromAssigneeId: null, toAssigneeId: managerId },
        { fromAssigneeId: managerId, toAssigneeId: null },
      ]);
    });

    it('refuses a customer as assignee with INVALID', async () => {
      const customerId = await userIdOf(acme);
      const { id } = await fileTicket(server, acme);
      const before = await stored();
      const payload = (await assign(id, customerId)).data!.ticketAssign;
      expect(payload.ticket).toBeNull();
      expect(payload.userErrors).toEqual([expect.objectContaining({ code: 'INVALID', field: ['assigneeId'] })]);
      expect(await stored()).toEqual(before);
    });

    it('refuses an unknown assignee with NOT_FOUND', async () => {
      const { id } = await fileTicket(server, acme);
      const before = await stored();
      const payload = (await assign(id, toGlobalId('User', randomUUID()))).data!.ticketAssign;
      expect(payload.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['assigneeId'] })]);
      expect(await stored()).toEqual(before);
    });

    it('refuses customers with a FORBIDDEN error', async () => {
      const managerId = await userIdOf(MANAGER);
      const { id } = await fileTicket(server, acme);
      const before = await stored();
      const result = await assign(id, managerId, acme);
      expect(result.data).toBeNull();
      expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(await stored()).toEqual(before);
      const after = await server.gql(`query($id: ID) { ticket(id: $id) { assignee { id } } }`, { id }, ENGINEER);
      expect(after.data!.ticket.assignee).toBeNull();
    });
  });

  describe('ticket query', () => {
    it('finds a ticket by number and by id', async () => {
      const byNumber = await server.gql(GET, { number: 'RS-1001' }, ENGINEER);
      expect(byNumber.errors).toBeUndefined();
      expect(byNumber.data!.ticket).toMatchObject({ number: 'RS-1001', title: VALID.title });
      const byId = await server.gql(GET, { id: byNumber.data!.ticket.id }, acme);
      expect(byId.data!.ticket).toEqual(byNumber.data!.ticket);
    });

    it.each([
      ['both id and number', (id: string) => ({ id, number: 'RS-1001' })],
      ['neither id nor number', () => ({})],
    ])('answers BAD_USER_INPUT when given %s', async (_name, variables) => {
      const { id } = (await server.gql(GET, { number: 'RS-1001' }, ENGINEER)).data!.ticket;
      const result = await server.gql(GET, variables(id), ENGINEER);
      expect(result.data?.ticket ?? null).toBeNull();
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });

    it('answers NOT_FOUND to a customer asking for another organization’s ticket by number', async () => {
      const result = await server.gql(GET, { number: 'RS-1001' }, globex);
      expect(result.data?.ticket ?? null).toBeNull();
      expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    });
  });

  describe('concurrent status changes', () => {
    it('applies at most one change per version and records exactly the changes applied', async () => {
      await userIdOf(ENGINEER);
      for (let round = 0; round < 3; round += 1) {
        const { id, number } = await fileTicket(server, acme, { title: `Race ${round}` });
        const results = await Promise.all([updateStatus(id, 'IN_PROGRESS'), updateStatus(id, 'RESOLVED')]);
        let applied = 0;
        for (const result of results) {
          const payload = result.data?.ticketUpdateStatus;
          if (payload?.ticket) {
            expect(payload.userErrors).toEqual([]);
            applied += 1;
          } else if (payload) {
            expect(payload.userErrors.map((e: any) => e.code)).toEqual(['INVALID_TRANSITION']);
          } else {
            expect(result.errors?.[0]?.extensions?.code).toBe('CONFLICT');
          }
        }
        expect(applied).toBeGreaterThanOrEqual(1);

        const em = server.orm.em.fork();
        const ticket = await em.findOneOrFail(Ticket, { number: Number(number.slice(3)) });
        const changes = await em.find(TicketEvent, { ticket: ticket.id, type: TicketEventType.STATUS_CHANGED });
        expect(changes).toHaveLength(applied);
        expect(ticket.version).toBe(1 + applied);
        // The recorded changes chain from NEW to the ticket's current status, whatever order they won in.
        let status = 'NEW';
        const remaining = changes.map((event) => event.data as { from: string; to: string });
        while (remaining.length) {
          const next = remaining.findIndex((change) => change.from === status);
          expect(next, `a change from ${status}`).toBeGreaterThanOrEqual(0);
          status = remaining.splice(next, 1)[0]!.to;
        }
        expect(ticket.status).toBe(status);
        if (ticket.status === 'RESOLVED') expect(ticket.resolvedAt).not.toBeNull();
        else expect(ticket.resolvedAt ?? null).toBeNull();
      }
    });
  });

  it('refuses filing without signing in with UNAUTHENTICATED', async () => {
    const result = await server.gql(CREATE, { input: VALID });
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
