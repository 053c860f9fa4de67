// Organizations are isolated from each other (SPEC §1): a customer never reads, changes or learns of another
// organization's data, by id, global id or number; it gets NOT_FOUND, never FORBIDDEN. Internal notes are staff-only.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../src/common/global-id';
import {
  createOrganization,
  customerOf,
  ENGINEER,
  fileTicket,
  GraphQLResponse,
  MANAGER,
  startTestServer,
  TestServer,
} from './helpers/test-server';

const ACME = customerOf('acme');
const GLOBEX = customerOf('globex');

const NO_TICKET = 'No ticket with that id exists or you cannot see it.';
const NO_OBJECT = 'No object with that id exists or you cannot see it.';

const TICKET_BY_ID = 'query($id: ID!) { ticket(id: $id) { id title } }';
const TICKET_BY_NUMBER = 'query($number: String!) { ticket(number: $number) { id title } }';
const NODE = 'query($id: ID!) { node(id: $id) { __typename id } }';
const NOTE_ADD = `mutation($input: NoteAddInput!) {
  noteAdd(input: $input) { note { id kind visibility } userErrors { code field message } } }`;
const TICKET_UPDATE_STATUS = `mutation($input: TicketUpdateStatusInput!) {
  ticketUpdateStatus(input: $input) { ticket { id status } userErrors { code field message } } }`;
const TICKET_CREATE = `mutation($input: TicketCreateInput!) {
  ticketCreate(input: $input) { ticket { id number relatedTicket { id } } userErrors { code field message } } }`;
/** Everything a ticket holds that a refused mutation could have changed. */
const TICKET_STATE = `query($id: ID!) { ticket(id: $id) {
  status closedAt updatedAt
  notes(first: 100) { totalCount nodes { id body visibility } }
  timeline(first: 100) { totalCount nodes { id type data } } } }`;

interface Filed {
  id: string;
  number: string;
  org: 'acme' | 'globex';
}

const ticketInput = { description: 'Something broke.', severity: 'SEV3', environment: 'PRODUCTION', category: 'INCIDENT' };

/** The one error of a response, as [code, message, path]. */
function theError(result: GraphQLResponse) {
  expect(result.errors?.length, JSON.stringify(result.errors)).toBe(1);
  const [error] = result.errors!;
  return [error!.extensions?.code, error!.message, error!.path];
}

describe('isolation between organizations', () => {
  let server: TestServer;
  let acmeId: string;
  let globexId: string;
  /** Every ticket filed in this file, so that list expectations hold whatever order tests run in. */
  const filed: Filed[] = [];
  let acmeTicket: Filed;
  let globexTicket: Filed;
  let acmeNoteId: string;
  let acmeNoteEventId: string;
  let acmeCreatedEventId: string;
  let acmeCustomerId: string;

  const file = async (org: Filed['org'], title: string) => {
    const ticket = await fileTicket(server, customerOf(org), { title });
    const entry = { ...ticket, org };
    filed.push(entry);
    return entry;
  };
  const ticketState = async (id: string) => {
    const result = await server.gql(TICKET_STATE, { id }, ENGINEER);
    expect(result.errors).toBeUndefined();
    return result.data!.ticket;
  };
  const ids = (nodes: { id: string }[]) => nodes.map((node) => node.id).sort();
  const idsOf = (org?: Filed['org']) => filed.filter((t) => !org || t.org === org).map((t) => t.id).sort();

  beforeAll(async () => {
    server = await startTestServer();
    acmeId = await createOrganization(server, 'acme');
    globexId = await createOrganization(server, 'globex');
    acmeTicket = await file('acme', 'Acme reports fail');
    globexTicket = await file('globex', 'Globex login is slow');
    await file('acme', 'Acme exports are empty');
    await file('globex', 'Globex search times out');

    const note = await server.gql(NOTE_ADD, { input: { ticketId: acmeTicket.id, body: 'Any news?' } }, ACME);
    acmeNoteId = note.data!.noteAdd.note.id;
    const timeline = (await ticketState(acmeTicket.id)).timeline.nodes as { id: string; type: string; data: any }[];
    acmeCreatedEventId = timeline.find((event) => event.type === 'CREATED')!.id;
    acmeNoteEventId = timeline.find((event) => event.type === 'NOTE_ADDED' && event.data.noteId === acmeNoteId)!.id;
    acmeCustomerId = (await server.gql('{ me { id } }', {}, ACME)).data!.me.id;
  });
  afterAll(() => server.close());

  describe('reading another organization’s objects', () => {
    it('answers ticket(id:) for another organization’s ticket with NOT_FOUND, as for one that does not exist', async () => {
      const foreign = await server.gql(TICKET_BY_ID, { id: acmeTicket.id }, GLOBEX);
      expect(theError(foreign)).toEqual(['NOT_FOUND', NO_TICKET, ['ticket']]);
      expect(foreign.data).toEqual({ ticket: null });

      const missing = await server.gql(TICKET_BY_ID, { id: toGlobalId('Ticket', randomUUID()) }, GLOBEX);
      expect(theError(missing)).toEqual(theError(foreign));

      const own = await server.gql(TICKET_BY_ID, { id: globexTicket.id }, GLOBEX);
      expect(own.data).toEqual({ ticket: { id: globexTicket.id, title: 'Globex login is slow' } });
      const theirs = await server.gql(TICKET_BY_ID, { id: acmeTicket.id }, ACME);
      expect(theirs.data).toEqual({ ticket: { id: acmeTicket.id, title: 'Acme reports fail' } });
    });

    it('answers ticket(number:) for another organization’s ticket with NOT_FOUND, as for a number never issued', async () => {
      const foreign = await server.gql(TICKET_BY_NUMBER, { number: acmeTicket.number }, GLOBEX);
      expect(theError(foreign)).toEqual(['NOT_FOUND', NO_TICKET, ['ticket']]);
      expect(foreign.data).toEqual({ ticket: null });
      const bare = await server.gql(TICKET_BY_NUMBER, { number: acmeTicket.number.replace(/^RS-/, '') }, GLOBEX);
      expect(theError(bare)).toEqual(['NOT_FOUND', NO_TICKET, ['ticket']]);

      const missing = await server.gql(TICKET_BY_NUMBER, { number: 'RS-999999' }, GLOBEX);
      expect(theError(missing)).toEqual(theError(foreign));
      const own = await server.gql(TICKET_BY_NUMBER, { number: globexTicket.number }, GLOBEX);
      expect(own.data?.ticket.id).toBe(globexTicket.id);
    });

    it('answers node(id:) for another organization’s ticket with NOT_FOUND', async () => {
      const foreign = await server.gql(NODE, { id: acmeTicket.id }, GLOBEX);
      expect(theError(foreign)).toEqual(['NOT_FOUND', NO_OBJECT, ['node']]);
      expect(foreign.data).toEqual({ node: null });
      const missing = await server.gql(NODE, { id: toGlobalId('Ticket', randomUUID()) }, GLOBEX);
      expect(theError(missing)).toEqual(theError(foreign));
      const own = await server.gql(NODE, { id: globexTicket.id }, GLOBEX);
      expect(own.data).toEqual({ node: { __typename: 'Ticket', id: globexTicket.id } });
    });

    it('answers nodes(ids:) with null and a NOT_FOUND error at the index of another organization’s ticket', async () => {
      const result = await server.gql(
        'query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }',
        { ids: [globexTicket.id, acmeTicket.id, globexId] },
        GLOBEX,
      );
      expect(result.data?.nodes).toEqual([
        { __typename: 'Ticket', id: globexTicket.id },
        null,
        { __typename: 'Organization', id: globexId },
      ]);
      expect(theError(result)).toEqual(['NOT_FOUND', NO_OBJECT, ['nodes', 1]]);
    });

    it('answers node(id:) for another organization with NOT_FOUND', async () => {
      expect(theError(await server.gql(NODE, { id: acmeId }, GLOBEX))).toEqual(['NOT_FOUND', NO_OBJECT, ['node']]);
      const own = await server.gql('query($id: ID!) { node(id: $id) { ... on Organization { slug } } }', { id: globexId }, GLOBEX);
      expect(own.data).toEqual({ node: { slug: 'globex' } });
    });

    it('answers node(id:) for a note, a timeline event or a customer of another organization with NOT_FOUND', async () => {
      for (const [what, id] of [
        ['note', acmeNoteId],
        ['NOTE_ADDED event', acmeNoteEventId],
        ['CREATED event', acmeCreatedEventId],
        ['customer', acmeCustomerId],
      ]) {
        expect(theError(await server.gql(NODE, { id }, GLOBEX)), what).toEqual(['NOT_FOUND', NO_OBJECT, ['node']]);
        // Their own organization sees them (control).
        const own = await server.gql(NODE, { id }, ACME);
        expect(own.errors, what).toBeUndefined();
        expect(own.data?.node.id, what).toBe(id);
      }
    });

    it('lists only the customer’s own organization’s tickets, and counts only those', async () => {
      const result = await server.gql(
        '{ tickets(first: 100) { totalCount nodes { id organization { slug } } edges { node { id } } } }',
        {},
        GLOBEX,
      );
      expect(result.errors).toBeUndefined();
      const { totalCount, nodes, edges } = result.data!.tickets;
      expect(ids(nodes)).toEqual(idsOf('globex'));
      expect(ids(edges.map((edge: { node: { id: string } }) => edge.node))).toEqual(idsOf('globex'));
      expect(new Set(nodes.map((node: any) => node.organization.slug))).toEqual(new Set(['globex']));
      expect(totalCount).toBe(idsOf('globex').length);
      expect(totalCount).toBeGreaterThanOrEqual(2);
    });

    it('lists no tickets when a customer filters by another organization', async () => {
      const query = 'query($filter: TicketFilter) { tickets(first: 100, filter: $filter) { totalCount nodes { id } } }';
      const foreign = await server.gql(query, { filter: { organizationId: acmeId } }, GLOBEX);
      expect(foreign.errors).toBeUndefined();
      expect(foreign.data?.tickets).toEqual({ totalCount: 0, nodes: [] });

      const byNumber = await server.gql(query, { filter: { search: acmeTicket.number } }, GLOBEX);
      expect(byNumber.data?.tickets).toEqual({ totalCount: 0, nodes: [] });

      // The same filter finds acme's tickets for staff (control).
      const staff = await server.gql(query, { filter: { organizationId: acmeId } }, ENGINEER);
      expect(ids(staff.data!.tickets.nodes)).toEqual(idsOf('acme'));
    });

    it('lists only the customer’s own organization in organizations', async () => {
      const result = await server.gql('{ organizations(first: 100) { totalCount nodes { id slug } } }', {}, GLOBEX);
      expect(result.errors).toBeUndefined();
      expect(result.data?.organizations).toEqual({ totalCount: 1, nodes: [{ id: globexId, slug: 'globex' }] });
    });
  });

  describe('changing another organization’s tickets', () => {
    it('refuses noteAdd on another organization’s ticket with NOT_FOUND on ticketId and stores nothing', async () => {
      const before = await ticketState(acmeTicket.id);
      const result = await server.gql(NOTE_ADD, { input: { ticketId: acmeTicket.id, body: 'Sneaky note' } }, GLOBEX);
      expect(result.errors).toBeUndefined();
      expect(result.data?.noteAdd).toEqual({ note: null, userErrors: [{ code: 'NOT_FOUND', field: ['ticketId'], message: NO_TICKET }] });
      expect(await ticketState(acmeTicket.id)).toEqual(before);
    });

    it('refuses closing another organization’s ticket with NOT_FOUND on ticketId and leaves it open', async () => {
      const before = await ticketState(acmeTicket.id);
      expect(before.status).toBe('NEW');
      const result = await server.gql(TICKET_UPDATE_STATUS, { input: { ticketId: acmeTicket.id, status: 'CLOSED' } }, GLOBEX);
      expect(result.errors).toBeUndefined();
      expect(result.data?.ticketUpdateStatus).toEqual({
        ticket: null,
        userErrors: [{ code: 'NOT_FOUND', field: ['ticketId'], message: NO_TICKET }],
      });
      const after = await ticketState(acmeTicket.id);
      expect(after).toEqual(before);
      expect(after.closedAt).toBeNull();
    });

    it('refuses a new ticket related to another organization’s ticket with NOT_FOUND on relatedTicketId and stores nothing', async () => {
      const count = async () => (await server.gql('{ tickets { totalCount } }', {}, ENGINEER)).data!.tickets.totalCount;
      const before = await count();
      const title = 'Related to someone else';
      const result = await server.gql(TICKET_CREATE, { input: { ...ticketInput, title, relatedTicketId: acmeTicket.id } }, GLOBEX);
      expect(result.errors).toBeUndefined();
      expect(result.data?.ticketCreate).toEqual({
        ticket: null,
        userErrors: [{ code: 'NOT_FOUND', field: ['relatedTicketId'], message: 'No ticket of this organization with that id exists or you cannot see it.' }],
      });
      expect(await count()).toBe(before);
      const search = await server.gql('query($s: String) { tickets(filter: { search: $s }) { totalCount } }', { s: title }, ENGINEER);
      expect(search.data?.tickets.totalCount).toBe(0);

      // Related to its own ticket it is accepted (control).
      const own = await server.gql(TICKET_CREATE, { input: { ...ticketInput, title, relatedTicketId: globexTicket.id } }, GLOBEX);
      expect(own.data?.ticketCreate.userErrors).toEqual([]);
      expect(own.data?.ticketCreate.ticket.relatedTicket).toEqual({ id: globexTicket.id });
      filed.push({ id: own.data!.ticketCreate.ticket.id, number: own.data!.ticketCreate.ticket.number, org: 'globex' });
      expect(await count()).toBe(before + 1);
    });

    it('refuses a customer filing for another organization with NOT_FOUND on organizationId and stores nothing', async () => {
      const count = async () => (await server.gql('{ tickets { totalCount } }', {}, ENGINEER)).data!.tickets.totalCount;
      const before = await count();
      const result = await server.gql(TICKET_CREATE, { input: { ...ticketInput, title: 'Filed for acme', organizationId: acmeId } }, GLOBEX);
      expect(result.data?.ticketCreate.ticket).toBeNull();
      expect(result.data?.ticketCreate.userErrors.map((e: any) => [e.code, e.field])).toEqual([['NOT_FOUND', ['organizationId']]]);
      expect(await count()).toBe(before);
    });
  });

  describe('internal notes', () => {
    let ticket: Filed;
    let internalNoteId: string;

    beforeAll(async () => {
      ticket = await file('acme', 'Acme dashboard blank');
      await server.gql(NOTE_ADD, { input: { ticketId: ticket.id, body: 'Customer-visible question' } }, ACME);
      const added = await server.gql(
        NOTE_ADD,
        { input: { ticketId: ticket.id, body: 'Probably their proxy again', visibility: 'INTERNAL' } },
        ENGINEER,
      );
      expect(added.data?.noteAdd.userErrors).toEqual([]);
      expect(added.data?.noteAdd.note).toMatchObject({ kind: 'COMMENT', visibility: 'INTERNAL' });
      internalNoteId = added.data!.noteAdd.note.id;
    });

    it('leaves an internal note out of the customer’s notes and their count', async () => {
      const query = 'query($id: ID!) { ticket(id: $id) { notes(first: 100) { totalCount nodes { id body visibility } } } }';
      const staff = (await server.gql(query, { id: ticket.id }, ENGINEER)).data!.ticket.notes;
      const customer = (await server.gql(query, { id: ticket.id }, ACME)).data!.ticket.notes;
      expect(staff.totalCount).toBe(2);
      expect(staff.nodes.map((n: any) => n.id)).toContain(internalNoteId);
      expect(customer).toEqual({
        totalCount: 1,
        nodes: [{ id: expect.any(String), body: 'Customer-visible question', visibility: 'PUBLIC' }],
      });
    });

    it('answers node(id:) for an internal note with NOT_FOUND to the customer and the note to staff', async () => {
      expect(theError(await server.gql(NODE, { id: internalNoteId }, ACME))).toEqual(['NOT_FOUND', NO_OBJECT, ['node']]);
      const many = await server.gql('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: [internalNoteId] }, ACME);
      expect(many.data?.nodes).toEqual([null]);
      expect(theError(many)).toEqual(['NOT_FOUND', NO_OBJECT, ['nodes', 0]]);
      for (const staff of [ENGINEER, MANAGER]) {
        const result = await server.gql('query($id: ID!) { node(id: $id) { ... on Note { body visibility } } }', { id: internalNoteId }, staff);
        expect(result.data?.node, staff.sub).toEqual({ body: 'Probably their proxy again', visibility: 'INTERNAL' });
      }
    });

    it('hides the internal note’s NOTE_ADDED event from the customer’s timeline and shows it to staff', async () => {
      const query = 'query($id: ID!) { ticket(id: $id) { timeline(first: 100) { totalCount nodes { id type data } } } }';
      const staff = (await server.gql(query, { id: ticket.id }, ENGINEER)).data!.ticket.timeline;
      const customer = (await server.gql(query, { id: ticket.id }, ACME)).data!.ticket.timeline;

      const internalEvent = staff.nodes.find((event: any) => event.type === 'NOTE_ADDED' && event.data.noteId === internalNoteId);
      expect(internalEvent?.data).toEqual({ noteId: internalNoteId, kind: 'COMMENT', visibility: 'INTERNAL' });
      expect(customer.nodes.map((event: any) => event.id)).not.toContain(internalEvent.id);
      expect(JSON.stringify(customer)).not.toContain(internalNoteId);
      expect(customer.totalCount).toBe(staff.totalCount - 1);
      expect(customer.nodes).toEqual(staff.nodes.filter((event: any) => event.id !== internalEvent.id));
      // The customer's own public note is there (control).
      expect(customer.nodes.filter((event: any) => event.type === 'NOTE_ADDED')).toHaveLength(1);

      expect(theError(await server.gql(NODE, { id: internalEvent.id }, ACME))).toEqual(['NOT_FOUND', NO_OBJECT, ['node']]);
      const asStaff = await server.gql(NODE, { id: internalEvent.id }, ENGINEER);
      expect(asStaff.data?.node).toEqual({ __typename: 'TicketEvent', id: internalEvent.id });
    });

    it('refuses an internal note from a customer with NOT_ALLOWED on visibility and stores nothing', async () => {
      const before = await ticketState(ticket.id);
      const result = await server.gql(NOTE_ADD, { input: { ticketId: ticket.id, body: 'Let me in', visibility: 'INTERNAL' } }, ACME);
      expect(result.errors).toBeUndefined();
      expect(result.data?.noteAdd).toEqual({
        note: null,
        userErrors: [{ code: 'NOT_ALLOWED', field: ['visibility'], message: 'Customers add public notes only; leave visibility out.' }],
      });
      expect(await ticketState(ticket.id)).toEqual(before);
    });
  });

  describe('staff', () => {
    it.each([
      ['an engineer', ENGINEER],
      ['a manager', MANAGER],
    ])('%s sees both organizations’ tickets', async (_name, staff) => {
      const list = await server.gql('{ tickets(first: 100) { totalCount nodes { id organization { slug } } } }', {}, staff);
      expect(list.errors).toBeUndefined();
      expect(ids(list.data!.tickets.nodes)).toEqual(idsOf());
      expect(list.data?.tickets.totalCount).toBe(filed.length);
      expect(new Set(list.data!.tickets.nodes.map((node: any) => node.organization.slug))).toEqual(new Set(['acme', 'globex']));

      for (const { id, number } of [acmeTicket, globexTicket]) {
        expect((await server.gql(TICKET_BY_ID, { id }, staff)).data?.ticket.id).toBe(id);
        expect((await server.gql(TICKET_BY_NUMBER, { number }, staff)).data?.ticket.id).toBe(id);
        expect((await server.gql(NODE, { id }, staff)).data?.node.id).toBe(id);
      }
      const organizations = await server.gql('{ organizations { totalCount nodes { slug } } }', {}, staff);
      expect(organizations.data?.organizations).toEqual({ totalCount: 2, nodes: [{ slug: 'acme' }, { slug: 'globex' }] });
    });
  });
});
