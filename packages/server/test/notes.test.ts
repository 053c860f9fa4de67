// Notes: who may write which kind and visibility, what a note does to the ticket's status, and paging a ticket's notes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketEvent } from '../src/events/ticket-event.entity';
import { Note } from '../src/notes/note.entity';
import { Ticket } from '../src/tickets/ticket.entity';
import { createOrganization, customerOf, ENGINEER, fileTicket, MANAGER, Person, startTestServer, TestServer } from './helpers/test-server';

const NOTE_ADD = `mutation($input: NoteAddInput!) {
  noteAdd(input: $input) {
    note { id body kind visibility createdAt author { id } ticket { id status } }
    userErrors { code field message }
  }
}`;
const TICKET = `query($id: ID) { ticket(id: $id) {
  status
  timeline(first: 50) { totalCount nodes { type at data actor { id } } }
} }`;

/** The events about the ticket itself; SLA bookkeeping events come and go with the SLA rules, tested elsewhere. */
const CORE_TYPES = new Set(['CREATED', 'STATUS_CHANGED', 'SEVERITY_CHANGED', 'ASSIGNED', 'NOTE_ADDED']);
const core = (events: { type: string }[]) => events.filter((event) => CORE_TYPES.has(event.type));

describe('notes', () => {
  let server: TestServer;
  const customer = customerOf('acme');

  beforeAll(async () => {
    server = await startTestServer();
    await createOrganization(server, 'acme');
  });
  afterAll(() => server.close());

  const addNote = async (input: Record<string, unknown>, as: Person) => (await server.gql(NOTE_ADD, { input }, as)).data!.noteAdd;
  const setStatus = async (ticketId: string, status: string) => {
    const result = await server.gql(
      `mutation($input: TicketUpdateStatusInput!) { ticketUpdateStatus(input: $input) { userErrors { code } } }`,
      { input: { ticketId, status } },
      ENGINEER,
    );
    expect(result.data!.ticketUpdateStatus.userErrors).toEqual([]);
  };
  const ticketAs = async (id: string, as: Person = ENGINEER) => (await server.gql(TICKET, { id }, as)).data!.ticket;
  const userIdOf = async (person: Person): Promise<string> => (await server.gql('{ me { id } }', {}, person)).data!.me.id;
  const stored = async () => {
    const em = server.orm.em.fork();
    return { tickets: await em.count(Ticket, {}), notes: await em.count(Note, {}), events: await em.count(TicketEvent, {}) };
  };
  /** Sends a refused noteAdd, checks nothing was stored and the ticket kept its status; returns the user errors. */
  const refused = async (input: { ticketId: string } & Record<string, unknown>, as: Person) => {
    const before = await stored();
    const statusBefore = (await ticketAs(input.ticketId)).status;
    const payload = await addNote(input, as);
    expect(payload.note).toBeNull();
    expect(await stored()).toEqual(before);
    expect((await ticketAs(input.ticketId)).status).toBe(statusBefore);
    return payload.userErrors as { code: string; field: string[] | null; message: string }[];
  };

  describe('customer notes', () => {
    it('adds a public COMMENT by default, with a NOTE_ADDED event', async () => {
      server.clock.set('2026-12-03T09:00:00Z');
      const customerId = await userIdOf(customer);
      const ticket = await fileTicket(server, customer);
      server.clock.advance(5 * 60_000);
      const payload = await addNote({ ticketId: ticket.id, body: '  Still failing this morning.  ' }, customer);
      expect(payload.userErrors).toEqual([]);
      expect(payload.note).toMatchObject({
        body: 'Still failing this morning.',
        kind: 'COMMENT',
        visibility: 'PUBLIC',
        createdAt: '2026-12-03T09:05:00.000Z',
        author: { id: customerId },
        ticket: { id: ticket.id, status: 'NEW' },
      });
      const { timeline } = await ticketAs(ticket.id, customer);
      expect(core(timeline.nodes).map((e) => e.type)).toEqual(['CREATED', 'NOTE_ADDED']);
      expect(core(timeline.nodes)[1]).toEqual({
        type: 'NOTE_ADDED',
        at: '2026-12-03T09:05:00.000Z',
        actor: { id: customerId },
        data: { noteId: payload.note.id, kind: 'COMMENT', visibility: 'PUBLIC' },
      });
    });

    it('adds an UPDATE_REQUEST when asked', async () => {
      const ticket = await fileTicket(server, customer);
      const payload = await addNote({ ticketId: ticket.id, body: 'Any news?', kind: 'UPDATE_REQUEST' }, customer);
      expect(payload.userErrors).toEqual([]);
      expect(payload.note).toMatchObject({ kind: 'UPDATE_REQUEST', visibility: 'PUBLIC' });
      const event = (await ticketAs(ticket.id)).timeline.nodes.find((e: any) => e.type === 'NOTE_ADDED');
      expect(event.data).toEqual({ noteId: payload.note.id, kind: 'UPDATE_REQUEST', visibility: 'PUBLIC' });
    });

    it('refuses a customer RESPONSE with NOT_ALLOWED on kind', async () => {
      const ticket = await fileTicket(server, customer);
      const errors = await refused({ ticketId: ticket.id, body: 'I answer myself', kind: 'RESPONSE' }, customer);
      expect(errors).toEqual([expect.objectContaining({ code: 'NOT_ALLOWED', field: ['kind'] })]);
    });

    it('refuses a customer SEVERITY_CHANGE_REQUEST note, pointing to severityChangeRequest', async () => {
      const ticket = await fileTicket(server, customer);
      const errors = await refused({ ticketId: ticket.id, body: 'Make it SEV1', kind: 'SEVERITY_CHANGE_REQUEST' }, customer);
      expect(errors).toEqual([expect.objectContaining({ code: 'NOT_ALLOWED', field: ['kind'] })]);
      expect(errors[0]!.message).toContain('severityChangeRequest');
    });

    it('refuses a customer INTERNAL note with NOT_ALLOWED on visibility', async () => {
      const ticket = await fileTicket(server, customer);
      const errors = await refused({ ticketId: ticket.id, body: 'Secret', visibility: 'INTERNAL' }, customer);
      expect(errors).toEqual([expect.objectContaining({ code: 'NOT_ALLOWED', field: ['visibility'] })]);
    });

    it('answers NOT_FOUND for another organization’s ticket', async () => {
      await createOrganization(server, 'globex');
      const ticket = await fileTicket(server, customer);
      const errors = await refused({ ticketId: ticket.id, body: 'Hello' }, customerOf('globex'));
      expect(errors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['ticketId'] })]);
    });
  });

  describe('staff notes', () => {
    it('makes a public staff note a RESPONSE even when COMMENT is asked', async () => {
      const engineerId = await userIdOf(ENGINEER);
      const ticket = await fileTicket(server, customer);
      const payload = await addNote({ ticketId: ticket.id, body: 'Looking into it.', kind: 'COMMENT' }, ENGINEER);
      expect(payload.userErrors).toEqual([]);
      expect(payload.note).toMatchObject({ kind: 'RESPONSE', visibility: 'PUBLIC', author: { id: engineerId } });
    });

    it('makes an internal staff note a COMMENT, hidden from the customer', async () => {
      const ticket = await fileTicket(server, customer);
      server.clock.advance(60_000);
      const payload = await addNote({ ticketId: ticket.id, body: 'Probably the cache.', visibility: 'INTERNAL' }, MANAGER);
      expect(payload.userErrors).toEqual([]);
      expect(payload.note).toMatchObject({ kind: 'COMMENT', visibility: 'INTERNAL' });
      // An internal note is not a response: the ticket stays NEW.
      expect(payload.note.ticket.status).toBe('NEW');
      const staffView = await ticketAs(ticket.id);
      expect(core(staffView.timeline.nodes).map((e) => e.type)).toEqual(['CREATED', 'NOTE_ADDED']);
      expect((core(staffView.timeline.nodes)[1] as any).data).toEqual({ noteId: payload.note.id, kind: 'COMMENT', visibility: 'INTERNAL' });
      const customerView = await ticketAs(ticket.id, customer);
      expect(core(customerView.timeline.nodes).map((e) => e.type)).toEqual(['CREATED']);
      expect(customerView.timeline.totalCount).toBe(staffView.timeline.totalCount - 1);
      expect(customerView.timeline.nodes).toHaveLength(customerView.timeline.totalCount);
    });

    it('refuses an internal RESPONSE with INVALID on kind', async () => {
      const ticket = await fileTicket(server, customer);
      const errors = await refused({ ticketId: ticket.id, body: 'Hmm', visibility: 'INTERNAL', kind: 'RESPONSE' }, ENGINEER);
      expect(errors).toEqual([expect.objectContaining({ code: 'INVALID', field: ['kind'] })]);
    });

    it.each(['UPDATE_REQUEST', 'SEVERITY_CHANGE_REQUEST'])('refuses a staff %s note with NOT_ALLOWED on kind', async (kind) => {
      const ticket = await fileTicket(server, customer);
      const errors = await refused({ ticketId: ticket.id, body: 'Update?', kind }, ENGINEER);
      expect(errors).toEqual([expect.objectContaining({ code: 'NOT_ALLOWED', field: ['kind'] })]);
    });
  });

  describe('status changes by notes', () => {
    it('moves a NEW ticket to IN_PROGRESS on a staff response', async () => {
      server.clock.set('2026-12-04T12:00:00Z');
      const engineerId = await userIdOf(ENGINEER);
      const ticket = await fileTicket(server, customer);
      server.clock.advance(10 * 60_000);
      const payload = await addNote({ ticketId: ticket.id, body: 'We are on it.' }, ENGINEER);
      expect(payload.note.ticket.status).toBe('IN_PROGRESS');
      const { status, timeline } = await ticketAs(ticket.id);
      expect(status).toBe('IN_PROGRESS');
      const change = timeline.nodes.filter((e: any) => e.type === 'STATUS_CHANGED');
      expect(change).toEqual([
        { type: 'STATUS_CHANGED', at: '2026-12-04T12:10:00.000Z', actor: { id: engineerId }, data: { from: 'NEW', to: 'IN_PROGRESS' } },
      ]);
      expect(core(timeline.nodes).map((e) => e.type).sort()).toEqual(['CREATED', 'NOTE_ADDED', 'STATUS_CHANGED']);
    });

    it('moves a WAITING_ON_CUSTOMER ticket back to IN_PROGRESS on a customer note', async () => {
      const customerId = await userIdOf(customer);
      const ticket = await fileTicket(server, customer);
      await setStatus(ticket.id, 'WAITING_ON_CUSTOMER');
      server.clock.advance(60_000); // events of one instant have no defined order
      const payload = await addNote({ ticketId: ticket.id, body: 'Here are the logs.' }, customer);
      expect(payload.userErrors).toEqual([]);
      expect(payload.note.ticket.status).toBe('IN_PROGRESS');
      const changes = (await ticketAs(ticket.id)).timeline.nodes.filter((e: any) => e.type === 'STATUS_CHANGED');
      expect(changes.map((e: any) => e.data)).toEqual([
        { from: 'NEW', to: 'WAITING_ON_CUSTOMER' },
        { from: 'WAITING_ON_CUSTOMER', to: 'IN_PROGRESS' },
      ]);
      expect(changes[1].actor).toEqual({ id: customerId });
    });

    it('leaves a RESOLVED ticket RESOLVED on a customer note', async () => {
      const ticket = await fileTicket(server, customer);
      await setStatus(ticket.id, 'RESOLVED');
      const payload = await addNote({ ticketId: ticket.id, body: 'Thanks!' }, customer);
      expect(payload.note.ticket.status).toBe('RESOLVED');
    });
  });

  describe('refused notes', () => {
    it('refuses a note on a CLOSED ticket with NOT_ALLOWED', async () => {
      const ticket = await fileTicket(server, customer);
      await setStatus(ticket.id, 'CLOSED');
      for (const as of [customer, ENGINEER]) {
        const errors = await refused({ ticketId: ticket.id, body: 'One more thing' }, as);
        expect(errors).toEqual([expect.objectContaining({ code: 'NOT_ALLOWED', field: ['ticketId'] })]);
        expect(errors[0]!.message).toContain('closed');
      }
    });

    it.each([
      ['an empty body', '', 'REQUIRED'],
      ['a whitespace body', ' \n\t ', 'REQUIRED'],
      ['a body over 10000 characters', 'b'.repeat(10_001), 'TOO_LONG'],
    ])('refuses %s', async (_name, body, code) => {
      const ticket = await fileTicket(server, customer);
      const errors = await refused({ ticketId: ticket.id, body }, ENGINEER);
      expect(errors).toEqual([expect.objectContaining({ code, field: ['body'] })]);
    });

    it('accepts a body of exactly 10000 characters', async () => {
      const ticket = await fileTicket(server, customer);
      const payload = await addNote({ ticketId: ticket.id, body: 'b'.repeat(10_000) }, customer);
      expect(payload.userErrors).toEqual([]);
      expect(payload.note.body).toHaveLength(10_000);
    });
  });

  describe('Ticket.notes', () => {
    const NOTES = `query($id: ID, $first: Int, $after: String) { ticket(id: $id) {
      notes(first: $first, after: $after) {
        totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { body visibility createdAt } }
      }
    } }`;

    it('pages notes oldest first with totalCount; customers see public notes only', async () => {
      server.clock.set('2026-12-05T08:00:00Z');
      const ticket = await fileTicket(server, customer);
      const written: { body: string; visibility: string }[] = [];
      for (let i = 0; i < 5; i += 1) {
        server.clock.advance(60_000);
        const as = i % 2 === 0 ? customer : ENGINEER;
        const visibility = i === 3 ? 'INTERNAL' : 'PUBLIC';
        const payload = await addNote({ ticketId: ticket.id, body: `Note ${i}`, visibility }, as);
        expect(payload.userErrors).toEqual([]);
        written.push({ body: `Note ${i}`, visibility });
      }

      const pageThrough = async (as: Person) => {
        const bodies: string[] = [];
        let after: string | null = null;
        for (let pages = 1; ; pages += 1) {
          const result = await server.gql(NOTES, { id: ticket.id, first: 2, after }, as);
          expect(result.errors).toBeUndefined();
          const notes: any = result.data!.ticket.notes;
          expect(notes.totalCount).toBe(as === ENGINEER ? 5 : 4);
          expect(notes.pageInfo.hasPreviousPage).toBe(after !== null);
          expect(notes.pageInfo.endCursor).toBe(notes.edges.at(-1).cursor);
          bodies.push(...notes.edges.map((edge: any) => edge.node.body));
          if (!notes.pageInfo.hasNextPage) return { bodies, pages };
          after = notes.pageInfo.endCursor;
        }
      };
      expect(await pageThrough(ENGINEER)).toEqual({ bodies: ['Note 0', 'Note 1', 'Note 2', 'Note 3', 'Note 4'], pages: 3 });
      expect(await pageThrough(customer)).toEqual({ bodies: ['Note 0', 'Note 1', 'Note 2', 'Note 4'], pages: 2 });
    });

    it('refuses first: 0 and a garbage cursor with BAD_USER_INPUT', async () => {
      const ticket = await fileTicket(server, customer);
      const zero = await server.gql(NOTES, { id: ticket.id, first: 0 }, ENGINEER);
      expect(zero.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      const forged = (values: unknown) => Buffer.from(JSON.stringify(values)).toString('base64url');
      for (const after of ['garbage', forged(['x', 'y']), forged([1, 2]), forged(['2026-12-05', '00000000-0000-0000-0000-000000000000'])]) {
        const result = await server.gql(NOTES, { id: ticket.id, first: 2, after }, ENGINEER);
        expect(result.errors?.[0]?.extensions?.code, after).toBe('BAD_USER_INPUT');
      }
    });
  });
});
