// The SDK against a real server: typed methods, userErrors in payloads, every error class, pagination, custom
// documents, subscriptions and close().
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOrganization,
  customerOf,
  ENGINEER,
  fileTicket,
  MANAGER,
  Person,
  startTestServer,
  TestServer,
} from '../../server/test/helpers/test-server.js';
import {
  AuthenticationError,
  ConflictError,
  createClient,
  EscalateClient,
  EscalateError,
  ForbiddenError,
  NotFoundError,
  TicketsDocument,
  ValidationError,
  type TicketStatus,
} from '../src/index.js';
import { pokeUntil, rejection, within } from './helpers.js';

const NEW_TICKET = { title: 'Export fails', description: 'It times out.', severity: 'SEV3', environment: 'PRODUCTION', category: 'INCIDENT' } as const;

describe('client', () => {
  let server: TestServer;
  const clients: EscalateClient[] = [];
  const clientFor = async (person: Person | null, options: { token?: string } = {}) => {
    const token = options.token ?? (person ? await server.token(person) : undefined);
    const client = createClient({ url: server.url, token, webSocketImpl: WebSocket, retry: { attempts: 2, baseDelayMs: 10 } });
    clients.push(client);
    return client;
  };
  let acme: EscalateClient;
  let engineer: EscalateClient;

  beforeAll(async () => {
    server = await startTestServer();
    await createOrganization(server, 'acme');
    acme = await clientFor(customerOf('acme'));
    engineer = await clientFor(ENGINEER);
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await server?.close();
  });

  describe('typed methods', () => {
    it('files a ticket and finds it in the list and by number', async () => {
      const created = await acme.ticketCreate({ input: NEW_TICKET });
      expect(created.ticketCreate.userErrors).toEqual([]);
      const ticket = created.ticketCreate.ticket!;
      expect(ticket).toMatchObject({ title: 'Export fails', severity: 'SEV3', status: 'NEW', organization: { slug: 'acme' } });
      expect(ticket.number).toMatch(/^RS-\d+$/);
      expect(ticket.sla.metric).toBe('FIRST_RESPONSE');

      const list = await acme.tickets({ first: 5 });
      expect(list.tickets.edges.map((edge) => edge.node.number)).toContain(ticket.number);

      const byNumber = await engineer.ticket({ number: ticket.number });
      expect(byNumber.ticket).toMatchObject({ id: ticket.id, number: ticket.number, phoneEscalation: { ticketNumber: ticket.number } });
    });

    it('returns userErrors in the payload instead of throwing', async () => {
      const refused = await acme.ticketCreate({ input: { ...NEW_TICKET, severity: 'SEV1', environment: 'NON_PRODUCTION' } });
      expect(refused.ticketCreate.ticket).toBeNull();
      expect(refused.ticketCreate.userErrors.map((error) => error.code)).toEqual(['ENVIRONMENT_NOT_ALLOWED']);
      expect(refused.ticketCreate.userErrors[0]!.message).toEqual(expect.any(String));

      const enhancement = await acme.ticketCreate({ input: { ...NEW_TICKET, category: 'ENHANCEMENT' } });
      expect(enhancement.ticketCreate.userErrors).toEqual([
        expect.objectContaining({ code: 'ENHANCEMENT_REDIRECT', url: 'https://community.example.test/ideas' }),
      ]);
    });

    it('adds notes: a customer comment and an engineer response', async () => {
      const { id } = await fileTicket(server, customerOf('acme'));
      const comment = await acme.noteAdd({ input: { ticketId: id, body: 'Still failing.' } });
      expect(comment.noteAdd.userErrors).toEqual([]);
      expect(comment.noteAdd.note).toMatchObject({ body: 'Still failing.', kind: 'COMMENT', visibility: 'PUBLIC', author: { role: 'CUSTOMER' } });

      const response = await engineer.noteAdd({ input: { ticketId: id, body: 'Looking into it.' } });
      expect(response.noteAdd.note).toMatchObject({ kind: 'RESPONSE', author: { name: ENGINEER.name, role: 'ENGINEER' } });

      const empty = await acme.noteAdd({ input: { ticketId: id, body: '   ' } });
      expect(empty.noteAdd.note).toBeNull();
      expect(empty.noteAdd.userErrors.length).toBeGreaterThan(0);
    });

    it('answers me, with the organization of a customer', async () => {
      const me = await acme.me();
      expect(me.me).toMatchObject({ name: 'Customer of acme', role: 'CUSTOMER', organization: { slug: 'acme', name: 'acme Inc.' } });
      expect((await engineer.me()).me).toMatchObject({ name: ENGINEER.name, role: 'ENGINEER', organization: null });
    });

    it('answers public queries without a token', async () => {
      const anonymous = await clientFor(null);
      const levels = await anonymous.severityLevels();
      expect(levels.severityLevels.map((level) => level.severity)).toEqual(['SEV1', 'SEV2', 'SEV3', 'SEV4']);
    });

    it('takes the token from getToken on every request', async () => {
      let token: string | null = null;
      const client = createClient({ url: server.url, getToken: () => token });
      clients.push(client);
      await expect(client.me()).rejects.toBeInstanceOf(AuthenticationError);
      token = await server.token(MANAGER);
      expect((await client.me()).me.role).toBe('MANAGER');
    });
  });

  describe('typed errors, with the operation, its variables and any partial data', () => {
    it('AuthenticationError for a bad token (HTTP 401)', async () => {
      const bad = await clientFor(null, { token: 'not-a-jwt' });
      const error = await rejection(bad.tickets({ first: 3 }));
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error).toBeInstanceOf(EscalateError);
      expect(error).toMatchObject({ name: 'AuthenticationError', code: 'UNAUTHENTICATED', status: 401, operationName: 'tickets', variables: { first: 3 } });
      expect((error as Error).message).toMatch(/^tickets: /);
    });

    it('AuthenticationError for a private query without a token', async () => {
      const anonymous = await clientFor(null);
      const error = await rejection(anonymous.me());
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error).toMatchObject({ code: 'UNAUTHENTICATED', operationName: 'me', variables: {} });
    });

    it('ForbiddenError for a customer creating an organization', async () => {
      const input = { slug: 'sneaky', name: 'Sneaky', region: 'US', accountManagerEmail: 'am@vendor.example' } as const;
      const error = await rejection(acme.organizationCreate({ input }));
      expect(error).toBeInstanceOf(ForbiddenError);
      expect(error).toMatchObject({ code: 'FORBIDDEN', operationName: 'organizationCreate', variables: { input } });
    });

    it('NotFoundError for an unknown ticket number, with the partial data', async () => {
      const error = await rejection(engineer.ticket({ number: 'RS-999999' }));
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error).toMatchObject({ code: 'NOT_FOUND', operationName: 'ticket', variables: { number: 'RS-999999' } });
      const { data, errors } = error as NotFoundError;
      expect(data).toEqual({ ticket: null });
      expect(errors[0]!.path).toEqual(['ticket']);
    });

    it('ValidationError for a page larger than 100', async () => {
      const error = await rejection(engineer.tickets({ first: 101 }));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ code: 'BAD_USER_INPUT', operationName: 'tickets', variables: { first: 101 } });

      const Count: TypedDocumentNode<{ tickets: { totalCount: number } }, { first: number }> = parse(
        'query ticketCount($first: Int) { tickets(first: $first) { totalCount } }',
      );
      const tooMany = await rejection(engineer.request(Count, { first: 101 }));
      expect(tooMany).toBeInstanceOf(ValidationError);
      expect(tooMany).toMatchObject({ code: 'BAD_USER_INPUT', operationName: 'ticketCount', variables: { first: 101 } });
    });

    it('ValidationError for a document that does not validate', async () => {
      const error = await rejection(engineer.request(parse('query broken { nope }')));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', operationName: 'broken' });
    });

    it('ConflictError for the loser of two concurrent changes to one ticket', async () => {
      // Optimistic locking: two status changes racing on one version; one wins, the other is a CONFLICT (or, when
      // they happen to run one after the other, an INVALID_TRANSITION user error). Race until a CONFLICT is seen.
      const manager = await clientFor(MANAGER);
      let conflict: unknown = null;
      for (let round = 0; round < 30 && !conflict; round += 1) {
        const { id } = await fileTicket(server, customerOf('acme'), { title: `Race ${round}` });
        const race = (client: EscalateClient, status: TicketStatus) => client.ticketUpdateStatus({ input: { ticketId: id, status } });
        const results = await Promise.allSettled([race(engineer, 'IN_PROGRESS'), race(manager, 'RESOLVED'), race(engineer, 'WAITING_ON_CUSTOMER')]);
        const won = results.filter((result) => result.status === 'fulfilled' && result.value.ticketUpdateStatus.ticket !== null);
        expect(won.length).toBeGreaterThanOrEqual(1);
        for (const result of results) {
          if (result.status === 'fulfilled') continue;
          expect(result.reason).toBeInstanceOf(ConflictError);
          conflict = result.reason;
        }
      }
      expect(conflict, 'no CONFLICT in 30 rounds of racing status changes').toBeInstanceOf(ConflictError);
      expect(conflict).toMatchObject({ code: 'CONFLICT', operationName: 'ticketUpdateStatus', variables: { input: { ticketId: expect.any(String) } } });
      expect((conflict as ConflictError).message).toMatch(/^ticketUpdateStatus: /);
    });
  });

  describe('paginate', () => {
    it('pages through every ticket, three pages of two, in order and without duplicates', async () => {
      await createOrganization(server, 'paging');
      const customer = customerOf('paging');
      for (let index = 1; index <= 5; index += 1) await fileTicket(server, customer, { title: `Paged ${index}` });
      const client = await clientFor(customer);

      const pages: string[][] = [];
      for await (const page of client.paginate.tickets({ first: 2 })) {
        expect(page.totalCount).toBe(5);
        pages.push(page.edges.map((edge) => edge.node.title));
      }
      expect(pages).toEqual([
        ['Paged 5', 'Paged 4'],
        ['Paged 3', 'Paged 2'],
        ['Paged 1'],
      ]);
      // The same order as one big page.
      const all = await client.tickets({ first: 50 });
      expect(pages.flat()).toEqual(all.tickets.edges.map((edge) => edge.node.title));

      // Filters and order pass through to every page.
      const ascending: string[] = [];
      for await (const page of client.paginate.tickets({ first: 2, orderBy: { field: 'CREATED_AT', direction: 'ASC' } })) {
        ascending.push(...page.edges.map((edge) => edge.node.title));
      }
      expect(ascending).toEqual(['Paged 1', 'Paged 2', 'Paged 3', 'Paged 4', 'Paged 5']);
    });

    it('stops early on break, and pages through a ticket’s notes', async () => {
      const { id } = await fileTicket(server, customerOf('acme'));
      for (let index = 1; index <= 5; index += 1) await acme.noteAdd({ input: { ticketId: id, body: `Note ${index}` } });

      const bodies: string[] = [];
      let pageCount = 0;
      for await (const page of acme.paginate.ticketNotes({ id, first: 2 })) {
        pageCount += 1;
        bodies.push(...page.edges.map((edge) => edge.node.body));
      }
      expect(pageCount).toBe(3);
      expect(bodies).toEqual(['Note 1', 'Note 2', 'Note 3', 'Note 4', 'Note 5']);

      const firstPageOnly: number[] = [];
      for await (const page of acme.paginate.ticketNotes({ id, first: 2 })) {
        firstPageOnly.push(page.edges.length);
        break;
      }
      expect(firstPageOnly).toEqual([2]);
    });

    it('ends at once for a ticket that is not visible', async () => {
      await createOrganization(server, 'other');
      const { id } = await fileTicket(server, customerOf('other'));
      const error = await rejection((async () => {
        for await (const _page of acme.paginate.ticketNotes({ id, first: 2 })) throw new Error('no page expected');
      })());
      expect(error).toBeInstanceOf(NotFoundError);
    });
  });

  describe('request', () => {
    it('runs a hand-written TypedDocumentNode with typed variables and result', async () => {
      const { number } = await fileTicket(server, customerOf('acme'), { title: 'Custom document' });
      const TicketTitle: TypedDocumentNode<{ ticket: { number: string; title: string; status: TicketStatus } | null }, { number: string }> = parse(
        'query ticketTitle($number: String!) { ticket(number: $number) { number title status } }',
      );
      const result = await engineer.request(TicketTitle, { number });
      const title: string | undefined = result.ticket?.title;
      expect(title).toBe('Custom document');
      expect(result.ticket).toEqual({ number, title: 'Custom document', status: 'NEW' });
    });

    it('runs the exported generated documents', async () => {
      const result = await acme.request(TicketsDocument, { first: 1 });
      expect(result.tickets.edges).toHaveLength(1);
    });
  });

  describe('subscriptions', () => {
    it('delivers a status change to a for-await loop, and break unsubscribes', async () => {
      const { id, number } = await fileTicket(server, customerOf('acme'));
      const received = (async () => {
        for await (const change of acme.subscribe.ticketStatusChanged({ ticketId: id })) {
          return change.ticketStatusChanged; // leaving the loop unsubscribes
        }
        throw new Error('the subscription ended without an event');
      })();
      const statuses: TicketStatus[] = ['IN_PROGRESS', 'WAITING_ON_CUSTOMER'];
      const change = await pokeUntil(
        received,
        async (step) => {
          const result = await engineer.ticketUpdateStatus({ input: { ticketId: id, status: statuses[step % 2]! } });
          expect(result.ticketUpdateStatus.userErrors).toEqual([]);
        },
        'ticketStatusChanged',
      );
      expect(change).toMatchObject({ ticket: { id, number }, actor: { name: ENGINEER.name } });
      expect(statuses).toContain(change.to);
    });

    it('delivers an SLA change caused by time alone: for await (… of client.subscribe.slaStatusChanged({ organizationId }))', async () => {
      const organizationId = await createOrganization(server, 'watch');
      const customer = customerOf('watch');
      const client = await clientFor(ENGINEER);
      const { id, number } = await fileTicket(server, customer, { severity: 'SEV1' });

      const iterator = client.subscribe.slaStatusChanged({ organizationId })[Symbol.asyncIterator]();
      const next = iterator.next();
      // Make sure the shared socket is up and the server has the subscription before the clock moves: a status
      // change heard on the same socket (subscribed after it) proves it.
      const probe = (async () => {
        for await (const change of client.subscribe.ticketStatusChanged({ ticketId: id })) return change;
      })();
      const statuses: TicketStatus[] = ['IN_PROGRESS', 'WAITING_ON_CUSTOMER'];
      await pokeUntil(probe, (step) => client.ticketUpdateStatus({ input: { ticketId: id, status: statuses[step % 2]! } }), 'probe');
      await client.ticketUpdateStatus({ input: { ticketId: id, status: 'IN_PROGRESS' } });

      // Events of the status changes come first, if any; wait for the one caused by time.
      server.clock.advance(50 * 60_000); // SEV1: 1 hour round the clock, AT_RISK at 75%
      await server.slaTimer.tick();
      let event = (await within(next, 3000, 'slaStatusChanged')).value;
      for (let guard = 0; guard < 10 && event?.slaStatusChanged.state !== 'AT_RISK'; guard += 1) {
        event = (await within(iterator.next(), 3000, 'slaStatusChanged')).value;
      }
      expect(event?.slaStatusChanged).toMatchObject({ metric: 'FIRST_RESPONSE', previousState: 'ON_TRACK', state: 'AT_RISK', ticket: { id, number } });
      expect(event?.slaStatusChanged.ticket.organization.id).toBe(organizationId);
      expect(await iterator.return!()).toEqual({ done: true, value: undefined });
    });

    it('throws a NotFoundError from the iterator for a ticket that does not exist', async () => {
      const ticketId = Buffer.from('Ticket:00000000-0000-0000-0000-000000000000').toString('base64');
      const error = await rejection(
        within(
          (async () => {
            for await (const _event of engineer.subscribe.ticketEvents({ ticketId })) throw new Error('no event expected');
          })(),
          5000,
          'ticketEvents',
        ),
      );
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error).toMatchObject({ code: 'NOT_FOUND', operationName: 'ticketEvents', variables: { ticketId } });
    });

    it('throws an AuthenticationError from the iterator for a bad token, without reconnecting forever', async () => {
      const bad = await clientFor(null, { token: 'not-a-jwt' });
      const error = await rejection(
        within(
          (async () => {
            for await (const _change of bad.subscribe.ticketStatusChanged()) throw new Error('no event expected');
          })(),
          5000,
          'bad token subscription',
        ),
      );
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error).toMatchObject({ operationName: 'ticketStatusChanged' });
    });
  });

  it('close() ends the socket; the client can still be used afterwards', async () => {
    const client = await clientFor(ENGINEER);
    const { id } = await fileTicket(server, customerOf('acme'));
    const iterator = client.subscribe.ticketStatusChanged({ ticketId: id })[Symbol.asyncIterator]();
    const pending = iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await client.close();
    // A subscription open at close() ends, instead of hanging.
    const outcome = await within(pending.then((result) => result, (error: unknown) => error), 3000, 'pending next() after close()');
    expect(outcome).toEqual({ done: true, value: undefined });
    expect((await client.me()).me.role).toBe('ENGINEER');
    await client.close();
  });
});
