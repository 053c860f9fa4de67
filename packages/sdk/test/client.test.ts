// The SDK against a real server: typed methods, userErrors in payloads, every error class, pagination, custom
// documents, subscriptions and close(). Tests wait for events themselves, never for an amount of time.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import pg from 'pg';
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
  type ClientOptions,
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
import { fakeTime, GUARD_MS, pokeUntil, rejection, within } from './helpers.js';

const NEW_TICKET = { title: 'Export fails', description: 'It times out.', severity: 'SEV3', environment: 'PRODUCTION', category: 'INCIDENT' } as const;

describe('client', () => {
  let server: TestServer;
  const clients: EscalateClient[] = [];
  const clientFor = async (person: Person | null, options: { token?: string; sleep?: ClientOptions['sleep'] } = {}) => {
    const token = options.token ?? (person ? await server.token(person) : undefined);
    const client = createClient({ url: server.url, token, webSocketImpl: WebSocket, retry: { attempts: 2, baseDelayMs: 10 }, sleep: options.sleep });
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
      // Optimistic locking: two status changes that read the same version of a ticket; the one that writes second is
      // refused with CONFLICT. To make them overlap for sure, the test holds the ticket's row lock until both have
      // read the ticket and wait to write it, then lets them go.
      const manager = await clientFor(MANAGER);
      const { id } = await fileTicket(server, customerOf('acme'), { title: 'Race' });
      const ticketUuid = Buffer.from(id, 'base64').toString('utf8').replace(/^Ticket:/, '');
      const holder = new pg.Client({ connectionString: server.databaseUrl });
      const observer = new pg.Client({ connectionString: server.databaseUrl });
      await holder.connect();
      await observer.connect();
      let outcomes: PromiseSettledResult<unknown>[];
      try {
        await holder.query('begin');
        await holder.query('select id from ticket where id = $1 for update', [ticketUuid]);
        const { rows } = await holder.query<{ pid: number }>('select pg_backend_pid() as pid');
        const race = Promise.allSettled([
          engineer.ticketUpdateStatus({ input: { ticketId: id, status: 'IN_PROGRESS' } }),
          manager.ticketUpdateStatus({ input: { ticketId: id, status: 'RESOLVED' } }),
        ]);
        await until(async () => {
          const blocked = await observer.query('select pid from pg_stat_activity where $1 = any(pg_blocking_pids(pid))', [rows[0]!.pid]);
          return blocked.rowCount === 2;
        }, 'both changes waiting for the ticket');
        await holder.query('commit');
        outcomes = await race;
      } finally {
        await holder.end();
        await observer.end();
      }
      const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      const lost = outcomes.filter((outcome) => outcome.status === 'rejected').map((outcome) => outcome.reason as unknown);
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      const [conflict] = lost;
      expect(conflict).toBeInstanceOf(ConflictError);
      expect(conflict).toMatchObject({ code: 'CONFLICT', operationName: 'ticketUpdateStatus', variables: { input: { ticketId: id } } });
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
      const filedAt = server.clock.now().getTime();
      const { id, number } = await fileTicket(server, customer, { severity: 'SEV1' });
      await client.ticketUpdateStatus({ input: { ticketId: id, status: 'IN_PROGRESS' } });

      // The server must have the subscription before the clock moves: pause and resume the ticket's SLA (each a
      // change the subscription hears) until one is heard. Time stands still meanwhile, so the pauses cost nothing.
      const iterator = client.subscribe.slaStatusChanged({ organizationId })[Symbol.asyncIterator]();
      const statuses: TicketStatus[] = ['WAITING_ON_CUSTOMER', 'IN_PROGRESS'];
      let status: TicketStatus = 'IN_PROGRESS';
      const heard = await pokeUntil(
        iterator.next(),
        async (step) => {
          status = statuses[step % 2]!;
          await client.ticketUpdateStatus({ input: { ticketId: id, status } });
        },
        'an SLA pause or resume',
      );
      expect(heard.value?.slaStatusChanged).toMatchObject({ metric: 'FIRST_RESPONSE', ticket: { id } });
      if (status !== 'IN_PROGRESS') await client.ticketUpdateStatus({ input: { ticketId: id, status: 'IN_PROGRESS' } });

      server.clock.advance(50 * 60_000); // SEV1: 1 hour round the clock, AT_RISK at 75%
      await server.slaTimer.tick();
      // Pauses and resumes not taken yet come first; the change caused by time is the first AT_RISK.
      let event = await within(iterator.next(), 'slaStatusChanged');
      while (!event.done && event.value.slaStatusChanged.state !== 'AT_RISK') event = await within(iterator.next(), 'slaStatusChanged AT_RISK');
      expect(event.value?.slaStatusChanged).toMatchObject({
        metric: 'FIRST_RESPONSE',
        previousState: 'ON_TRACK',
        state: 'AT_RISK',
        at: new Date(filedAt + 45 * 60_000).toISOString(),
        ticket: { id, number },
      });
      expect(event.value?.slaStatusChanged.ticket.organization.id).toBe(organizationId);
      expect(await iterator.return!()).toEqual({ done: true, value: undefined });
    });

    it('throws a NotFoundError from the iterator for a ticket that does not exist', async () => {
      const ticketId = Buffer.from('Ticket:00000000-0000-0000-0000-000000000000').toString('base64');
      const error = await rejection(
        within(
          (async () => {
            for await (const _event of engineer.subscribe.ticketEvents({ ticketId })) throw new Error('no event expected');
          })(),
          'ticketEvents',
        ),
      );
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error).toMatchObject({ code: 'NOT_FOUND', operationName: 'ticketEvents', variables: { ticketId } });
    });

    it('throws an AuthenticationError from the iterator for a bad token, without reconnecting', async () => {
      const time = fakeTime('held');
      const bad = await clientFor(null, { token: 'not-a-jwt', sleep: time.sleep });
      const error = await rejection(
        within(
          (async () => {
            for await (const _change of bad.subscribe.ticketStatusChanged()) throw new Error('no event expected');
          })(),
          'bad token subscription',
        ),
      );
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error).toMatchObject({ operationName: 'ticketStatusChanged' });
      expect(time.delays).toEqual([]); // it never waited to reconnect
    });
  });

  it('close() ends the socket; the client can still be used afterwards', async () => {
    const client = await clientFor(ENGINEER);
    const { id } = await fileTicket(server, customerOf('acme'));
    const iterator = client.subscribe.ticketStatusChanged({ ticketId: id })[Symbol.asyncIterator]();
    // Open for sure: an event has come through it.
    const statuses: TicketStatus[] = ['IN_PROGRESS', 'WAITING_ON_CUSTOMER'];
    await pokeUntil(iterator.next(), (step) => engineer.ticketUpdateStatus({ input: { ticketId: id, status: statuses[step % 2]! } }), 'an event before close()');
    const pending = iterator.next();
    await client.close();
    // A subscription open at close() ends, instead of hanging, once it has handed over any events already received.
    let outcome = await within(pending, 'pending next() after close()');
    while (!outcome.done) {
      expect(outcome.value.ticketStatusChanged.ticket.id).toBe(id);
      outcome = await within(iterator.next(), 'next() after close()');
    }
    expect(outcome).toEqual({ done: true, value: undefined });
    expect((await client.me()).me.role).toBe('ENGINEER');
    await client.close();
  });
});

/** Polls `condition` until it holds: for a state the test cannot be told about, only look at. Fails after GUARD_MS. */
async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const giveUpAt = Date.now() + GUARD_MS;
  while (!(await condition())) {
    if (Date.now() > giveUpAt) throw new Error(`${what}: not within ${GUARD_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
