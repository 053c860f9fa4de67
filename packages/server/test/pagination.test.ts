// Listing tickets: cursor paging in every order, filters, search, and the bounds of `first` and `after`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganization, customerOf, ENGINEER, fileTicket, MANAGER, Person, startTestServer, TestServer } from './helpers/test-server';

const LIST = `query($first: Int, $after: String, $filter: TicketFilter, $orderBy: TicketOrder) {
  tickets(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { number title severity status createdAt updatedAt assignee { id } organization { slug } } }
  }
}`;

interface Row {
  number: string;
  title: string;
  severity: string;
  status: string;
  createdAt: string;
  updatedAt: string;
  assignee: { id: string } | null;
  organization: { slug: string };
}

const SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4'];
const TITLES: Record<number, string> = {
  4: 'Kafka consumer lag',
  9: 'kafka partitions stuck',
  13: 'CPU at 100% on node 3',
  17: 'CPU at 1000 percent',
  20: 'disk_full on db-2',
  21: 'diskXfull alert',
};
const numberOf = (i: number) => `RS-${1001 + i}`;
const asNumber = (number: string) => Number(number.slice(3));

describe('ticket pagination', () => {
  let server: TestServer;
  let engineerId: string;
  let alphaId: string;
  const alpha = customerOf('alpha');
  const beta = customerOf('beta');

  beforeAll(async () => {
    server = await startTestServer();
    alphaId = await createOrganization(server, 'alpha');
    await createOrganization(server, 'beta');
    engineerId = (await server.gql('{ me { id } }', {}, ENGINEER)).data!.me.id;

    server.clock.set('2026-12-07T09:00:00Z');
    const ids: string[] = [];
    for (let i = 0; i < 25; i += 1) {
      const ticket = await fileTicket(server, i % 3 === 2 ? beta : alpha, {
        title: TITLES[i] ?? `Ticket ${i}`,
        severity: SEVERITIES[i % 4],
      });
      expect(ticket.number).toBe(numberOf(i));
      ids.push(ticket.id);
      server.clock.advance(60_000);
    }
    // Later changes move updatedAt of some tickets past the newest createdAt.
    const mutate = async (query: string, input: Record<string, unknown>) => {
      server.clock.advance(60_000);
      const result = await server.gql(query, { input }, ENGINEER);
      expect(result.errors).toBeUndefined();
      expect(Object.values(result.data!)[0]).toMatchObject({ userErrors: [] });
    };
    const ASSIGN = `mutation($input: TicketAssignInput!) { ticketAssign(input: $input) { userErrors { code } } }`;
    const STATUS = `mutation($input: TicketUpdateStatusInput!) { ticketUpdateStatus(input: $input) { userErrors { code } } }`;
    for (const i of [15, 0, 10, 20, 5]) await mutate(ASSIGN, { ticketId: ids[i], assigneeId: engineerId });
    for (const [i, status] of [
      [2, 'IN_PROGRESS'],
      [1, 'IN_PROGRESS'],
      [3, 'RESOLVED'],
      [6, 'WAITING_ON_CUSTOMER'],
    ] as const) {
      await mutate(STATUS, { ticketId: ids[i], status });
    }
  });
  afterAll(() => server.close());

  const list = async (variables: Record<string, unknown>, as: Person = ENGINEER) => {
    const result = await server.gql(LIST, variables, as);
    expect(result.errors).toBeUndefined();
    return result.data!.tickets;
  };
  const numbers = (page: { edges: { node: Row }[] }) => page.edges.map((edge) => edge.node.number);

  /** Follows endCursor to the end, checking every page; returns the rows in order and the page count. */
  const pageThrough = async (variables: Record<string, unknown>, first: number, as: Person = ENGINEER) => {
    const rows: Row[] = [];
    let after: string | null = null;
    let total: number | null = null;
    for (let pages = 1; pages < 100; pages += 1) {
      const page: any = await list({ ...variables, first, after }, as);
      total ??= page.totalCount;
      expect(page.totalCount).toBe(total);
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      rows.push(...page.edges.map((edge: { node: Row }) => edge.node));
      if (page.edges.length) {
        expect(page.pageInfo.startCursor).toBe(page.edges[0].cursor);
        expect(page.pageInfo.endCursor).toBe(page.edges.at(-1).cursor);
      }
      if (!page.pageInfo.hasNextPage) {
        expect(rows.length).toBe(total);
        return { rows, pages, total: total! };
      }
      expect(page.edges).toHaveLength(first);
      after = page.pageInfo.endCursor;
    }
    throw new Error('paging did not end');
  };

  it('pages through 25 tickets newest first, 10 at a time, without duplicates or gaps', async () => {
    const pages: any[] = [];
    let after: string | null = null;
    for (let i = 0; i < 3; i += 1) {
      const page: any = await list({ first: 10, after });
      pages.push(page);
      after = page.pageInfo.endCursor;
    }
    expect(pages.map((page) => page.totalCount)).toEqual([25, 25, 25]);
    expect(pages.map((page) => page.edges.length)).toEqual([10, 10, 5]);
    expect(pages.map((page) => page.pageInfo.hasNextPage)).toEqual([true, true, false]);
    expect(pages.map((page) => page.pageInfo.hasPreviousPage)).toEqual([false, true, true]);
    const all = pages.flatMap(numbers);
    expect(all).toEqual(Array.from({ length: 25 }, (_, i) => numberOf(24 - i)));
    expect(new Set(all).size).toBe(25);
    const createdAt = pages.flatMap((page) => page.edges.map((edge: any) => edge.node.createdAt));
    expect(createdAt[0]).toBe('2026-12-07T09:24:00.000Z');
    expect(createdAt[24]).toBe('2026-12-07T09:00:00.000Z');
  });

  it('lists 20 by default and at most everything with first: 100', async () => {
    const byDefault = await list({});
    expect(byDefault.edges).toHaveLength(20);
    expect(byDefault.pageInfo.hasNextPage).toBe(true);
    const everything = await list({ first: 100 });
    expect(everything.edges).toHaveLength(25);
    expect(everything.pageInfo.hasNextPage).toBe(false);
    expect(everything.totalCount).toBe(25);
  });

  describe('orderBy', () => {
    const value = (row: Row, field: string) => (field === 'CREATED_AT' ? row.createdAt : field === 'UPDATED_AT' ? row.updatedAt : row.severity);
    const sorted = (rows: Row[], field: string, direction: string) => {
      const sign = direction === 'ASC' ? 1 : -1;
      return [...rows].sort((a, b) => {
        const [x, y] = [value(a, field), value(b, field)];
        const byField = x < y ? -1 : x > y ? 1 : 0;
        return sign * (byField || asNumber(a.number) - asNumber(b.number));
      });
    };

    it.each([
      ['CREATED_AT', 'ASC'],
      ['CREATED_AT', 'DESC'],
      ['UPDATED_AT', 'ASC'],
      ['UPDATED_AT', 'DESC'],
      ['SEVERITY', 'ASC'],
      ['SEVERITY', 'DESC'],
    ])('pages by %s %s in one consistent total order, ties broken by number', async (field, direction) => {
      const orderBy = { field, direction };
      const { rows, pages, total } = await pageThrough({ orderBy }, 7);
      expect(total).toBe(25);
      expect(pages).toBe(4);
      const got = rows.map((row) => row.number);
      expect(new Set(got).size).toBe(25);
      expect(got).toEqual(sorted(rows, field, direction).map((row) => row.number));
      expect(got).toEqual(numbers(await list({ orderBy, first: 100 })));
    });

    it('puts SEV1 first when ascending by severity, lowest number first among equals', async () => {
      const page = await list({ orderBy: { field: 'SEVERITY', direction: 'ASC' }, first: 8 });
      expect(page.edges.map((edge: any) => edge.node.severity)).toEqual([...Array(7).fill('SEV1'), 'SEV2']);
      expect(numbers(page).slice(0, 7)).toEqual([0, 4, 8, 12, 16, 20, 24].map(numberOf));
    });

    it('orders by updatedAt, with the latest-changed tickets first when descending', async () => {
      const page = await list({ orderBy: { field: 'UPDATED_AT', direction: 'DESC' }, first: 9 });
      // The status changes came last, then the assignments, in the order they were made.
      expect(numbers(page)).toEqual([6, 3, 1, 2, 5, 20, 10, 0, 15].map(numberOf));
    });
  });

  describe('filters', () => {
    const filtered = async (filter: Record<string, unknown>, as: Person = ENGINEER) => {
      const page = await list({ filter, first: 100 }, as);
      expect(page.totalCount).toBe(page.edges.length);
      return numbers(page).sort();
    };

    it('filters by any of several statuses', async () => {
      expect(await filtered({ status: ['IN_PROGRESS', 'RESOLVED'] })).toEqual([1, 2, 3].map(numberOf));
      expect(await filtered({ status: ['WAITING_ON_CUSTOMER'] })).toEqual([numberOf(6)]);
      expect(await filtered({ status: ['CLOSED'] })).toEqual([]);
    });

    it('filters by any of several severities', async () => {
      const expected = Array.from({ length: 25 }, (_, i) => i).filter((i) => i % 4 < 2).map(numberOf).sort();
      expect(expected).toHaveLength(13);
      expect(await filtered({ severity: ['SEV1', 'SEV2'] })).toEqual(expected);
    });

    it('combines filters and keeps totalCount across pages of a filtered list', async () => {
      expect(await filtered({ severity: ['SEV2'], status: ['IN_PROGRESS'] })).toEqual([numberOf(1)]);
      const { rows, total, pages } = await pageThrough({ filter: { severity: ['SEV1', 'SEV2'] } }, 5);
      expect(total).toBe(13);
      expect(pages).toBe(3);
      expect(rows.every((row) => row.severity === 'SEV1' || row.severity === 'SEV2')).toBe(true);
    });

    it('filters by assignee', async () => {
      expect(await filtered({ assigneeId: engineerId })).toEqual([0, 5, 10, 15, 20].map(numberOf));
      const managerId = (await server.gql('{ me { id } }', {}, MANAGER)).data!.me.id;
      expect(await filtered({ assigneeId: managerId })).toEqual([]);
    });

    it('filters by organization, and shows customers only their own tickets', async () => {
      const alphaTickets = Array.from({ length: 25 }, (_, i) => i).filter((i) => i % 3 !== 2).map(numberOf).sort();
      expect(await filtered({ organizationId: alphaId })).toEqual(alphaTickets);
      expect(await filtered({}, alpha)).toEqual(alphaTickets);
      const { total } = await pageThrough({}, 10, beta);
      expect(total).toBe(25 - alphaTickets.length);
    });

    it('searches title words case-insensitively', async () => {
      expect(await filtered({ search: 'KAFKA' })).toEqual([numberOf(4), numberOf(9)]);
      expect(await filtered({ search: '  kafka  ' })).toEqual([numberOf(4), numberOf(9)]);
      expect(await filtered({ search: 'no such words' })).toEqual([]);
    });

    it('finds a ticket by its number', async () => {
      expect(await filtered({ search: 'RS-1003' })).toEqual(['RS-1003']);
      expect(await filtered({ search: 'rs-1003' })).toEqual(['RS-1003']);
    });

    it('treats % and _ in a search literally', async () => {
      expect(await filtered({ search: '%' })).toEqual([numberOf(13)]);
      expect(await filtered({ search: '100%' })).toEqual([numberOf(13)]);
      expect(await filtered({ search: 'disk_full' })).toEqual([numberOf(20)]);
    });

    it('refuses a search over 200 characters with BAD_USER_INPUT', async () => {
      const result = await server.gql(LIST, { filter: { search: 'x'.repeat(201) } }, ENGINEER);
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });
  });

  describe('bounds', () => {
    it.each([0, -1, 101])('refuses first: %i with BAD_USER_INPUT', async (first) => {
      const result = await server.gql(LIST, { first }, ENGINEER);
      expect(result.data ?? null).toBeNull();
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });

    const forged = (values: unknown) => Buffer.from(JSON.stringify(values)).toString('base64url');
    const bySeverity = { field: 'SEVERITY', direction: 'ASC' };
    it.each([
      ['garbage', 'garbage', undefined],
      ['valid base64 of the wrong shape', forged({ a: 1 }), undefined],
      ['a cursor of another order', forged(['SEV3', 1003]), undefined],
      ['a forged cursor with an object', forged([{ $ne: 1 }, 1003]), undefined],
      ['a forged cursor with a fractional number', forged(['2026-12-07T09:00:00.000Z', 1003.5]), undefined],
      ['a forged severity cursor with a number', forged([3, 1003]), bySeverity],
      ['a forged severity cursor with an object', forged([{ $gt: 'SEV1' }, 1003]), bySeverity],
    ])('refuses after: %s with BAD_USER_INPUT', async (_name, after, orderBy) => {
      const result = await server.gql(LIST, { first: 5, after, orderBy }, ENGINEER);
      expect(result.data ?? null).toBeNull();
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });

    it('accepts first: 100', async () => {
      const result = await server.gql(LIST, { first: 100 }, ENGINEER);
      expect(result.errors).toBeUndefined();
      expect(result.data!.tickets.edges).toHaveLength(25);
    });
  });
});
