// npm start's demo: two organizations (globex on targets of minutes, round the clock), a user of each role with a
// token, and tickets filed the way the API files them, once; a globex ticket goes AT_RISK and BREACHED minutes later.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretKey } from '../src/auth/token';
import { configFromEnv } from '../src/config';
import { DemoUser, seedDemo } from '../src/db/demo';
import { ADMIN, createOrganization, customerOf, fileTicket, startTestServer, TEST_SECRET, TestServer } from './helpers/test-server';

const seed = (server: TestServer) =>
  seedDemo({ em: server.orm.em.fork(), realtime: server.realtime, config: configFromEnv({}), key: secretKey(TEST_SECRET), now: server.clock.now() });

const TICKETS = `{ tickets(first: 100, orderBy: { field: CREATED_AT, direction: ASC }) { totalCount edges { node {
  id number title severity environment status organization { slug } requester { name } assignee { name }
  sla { metric state target { minutes clock } startedAt atRiskAt dueAt cycles { metric } }
  timeline(first: 20) { edges { node { type } } }
} } } }`;

/** What the database holds, table by table: the seeding writes through the services, so all of these. */
async function rowCounts(server: TestServer): Promise<Record<string, number>> {
  const tables = ['organization', 'app_user', 'ticket', 'sla_cycle', 'ticket_event'];
  const counts = await Promise.all(
    tables.map(async (table) => {
      const [row] = await server.orm.em.fork().getConnection().execute(`select count(*)::int as n from ${table}`);
      return [table, row.n as number] as const;
    }),
  );
  return Object.fromEntries(counts);
}

describe('the demo seed', () => {
  let server: TestServer;
  let users: DemoUser[];
  const tokenOf = (name: string) => users.find((user) => user.name === name)!.token;
  const tickets = async (token: string) => (await server.gql(TICKETS, {}, token)).data!.tickets;

  beforeAll(async () => {
    server = await startTestServer(); // its clock: Tuesday 2026-12-01 10:00 in New York, acme's business hours
    users = await seed(server);
  });
  afterAll(() => server.close());

  it('creates acme on the default policy and globex with its own targets of minutes on the calendar clock', async () => {
    const result = await server.gql(`{ organizations(first: 10) { edges { node { slug name policy { severity targetResponse clock } } } } }`, {}, ADMIN);
    expect(result.data!.organizations.edges.map(({ node }: any) => node)).toEqual([
      { slug: 'acme', name: 'Acme Corporation', policy: [] },
      {
        slug: 'globex',
        name: 'Globex Industries',
        policy: [
          { severity: 'SEV1', targetResponse: 'PT4M', clock: 'CALENDAR' },
          { severity: 'SEV2', targetResponse: 'PT8M', clock: 'CALENDAR' },
          { severity: 'SEV3', targetResponse: 'PT15M', clock: 'CALENDAR' },
          { severity: 'SEV4', targetResponse: 'PT30M', clock: 'CALENDAR' },
        ],
      },
    ]);
  });

  it('returns a working token for each demo user, acme’s four first and then globex’s customer', async () => {
    expect(users.map(({ name, role, organization }) => [name, role, organization])).toEqual([
      ['Casey Customer', 'CUSTOMER', 'acme'],
      ['Erin Engineer', 'ENGINEER', null],
      ['Morgan Manager', 'MANAGER', null],
      ['Alex Admin', 'ADMIN', null],
      ['Gale Globex', 'CUSTOMER', 'globex'],
    ]);
    for (const user of users) {
      const { data } = await server.gql(`{ me { name email role organization { slug } } }`, {}, user.token);
      expect(data!.me).toEqual({ name: user.name, email: user.email, role: user.role, organization: user.organization && { slug: user.organization } });
    }
  });

  it('files the demo tickets as their customers would: SLA cycles, a trail, two picked up by the demo engineer', async () => {
    const { totalCount, edges } = await tickets(tokenOf('Erin Engineer'));
    const filed = edges.map(({ node }: any) => node);
    expect(totalCount).toBe(8);
    expect(filed.filter((ticket: any) => ticket.organization.slug === 'acme')).toHaveLength(3);
    expect(new Set(filed.map((ticket: any) => ticket.severity))).toEqual(new Set(['SEV1', 'SEV2', 'SEV3', 'SEV4']));
    const now = server.clock.now().getTime();
    for (const ticket of filed) {
      expect(ticket.requester.name).toBe(ticket.organization.slug === 'acme' ? 'Casey Customer' : 'Gale Globex');
      if (ticket.severity === 'SEV1' || ticket.severity === 'SEV2') expect(ticket.environment).toBe('PRODUCTION');
      expect(ticket.sla).toMatchObject({ metric: 'FIRST_RESPONSE', state: 'ON_TRACK', startedAt: server.clock.now().toISOString(), cycles: [{ metric: 'FIRST_RESPONSE' }] });
      expect(ticket.timeline.edges.map(({ node }: any) => node.type)).toEqual(expect.arrayContaining(['CREATED', 'SLA_CYCLE_STARTED']));
      if (ticket.organization.slug === 'globex') {
        // Minutes, whatever the hour: due within half an hour of filing.
        expect(ticket.sla.target.clock).toBe('CALENDAR');
        expect(Date.parse(ticket.sla.dueAt) - now).toBeLessThanOrEqual(30 * 60_000);
      } else {
        expect(ticket.sla.target.minutes).toBeGreaterThanOrEqual(60);
      }
    }
    const pickedUp = filed.filter((ticket: any) => ticket.assignee);
    expect(pickedUp.map((ticket: any) => [ticket.assignee.name, ticket.status])).toEqual([
      ['Erin Engineer', 'IN_PROGRESS'],
      ['Erin Engineer', 'NEW'],
    ]);
    expect(pickedUp[0].timeline.edges.map(({ node }: any) => node.type)).toEqual(expect.arrayContaining(['ASSIGNED', 'STATUS_CHANGED']));
    expect(filed.filter((ticket: any) => !ticket.assignee).map((ticket: any) => ticket.status)).toEqual(Array(6).fill('NEW'));
  });

  it('shows each demo customer only its own organization’s tickets', async () => {
    const globex = await tickets(tokenOf('Gale Globex'));
    expect(globex.totalCount).toBe(5);
    expect(new Set(globex.edges.map(({ node }: any) => node.organization.slug))).toEqual(new Set(['globex']));
    expect((await tickets(tokenOf('Casey Customer'))).totalCount).toBe(3);
  });

  it('seeding again, as a restart does, creates nothing more and gives the same users tokens', async () => {
    const before = await rowCounts(server);
    server.clock.advance(1000);
    const again = await seed(server);
    expect(await rowCounts(server)).toEqual(before);
    expect(again.map(({ name }) => name)).toEqual(users.map(({ name }) => name));
    expect((await server.gql(`{ me { name } }`, {}, again[4]!.token)).data!.me).toEqual({ name: 'Gale Globex' });
    server.clock.advance(-1000);
  });

  it('a globex SEV1 goes AT_RISK three minutes after filing and BREACHED at four, as the SLA timer ticks', async () => {
    const { edges } = await tickets(tokenOf('Gale Globex'));
    const sev1 = edges.map(({ node }: any) => node).find((ticket: any) => ticket.severity === 'SEV1');
    const filedAt = server.clock.now().getTime();
    expect([Date.parse(sev1.sla.atRiskAt) - filedAt, Date.parse(sev1.sla.dueAt) - filedAt]).toEqual([3 * 60_000, 4 * 60_000]);
    const stateAt = async (at: string) => {
      server.clock.set(at);
      while ((await server.slaTimer.tick()) > 0);
      const { data } = await server.gql(`query($id: ID!) { ticket(id: $id) { sla { state } } }`, { id: sev1.id }, tokenOf('Erin Engineer'));
      return data!.ticket.sla.state;
    };
    expect(await stateAt(new Date(Date.parse(sev1.sla.atRiskAt) - 1000).toISOString())).toBe('ON_TRACK');
    expect(await stateAt(sev1.sla.atRiskAt)).toBe('AT_RISK');
    expect(await stateAt(sev1.sla.dueAt)).toBe('BREACHED');
    const { data } = await server.gql(`query($id: ID!) { ticket(id: $id) { timeline(first: 20) { edges { node { type data } } } } }`, { id: sev1.id }, tokenOf('Erin Engineer'));
    const transitions = data!.ticket.timeline.edges.map(({ node }: any) => node).filter((event: any) => event.type === 'SLA_STATE_CHANGED');
    expect(transitions).toHaveLength(2);
  });
});

describe('the demo seed on a database in use', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('files no demo tickets into an organization that has tickets already, and files globex’s', async () => {
    await createOrganization(server, 'acme');
    await fileTicket(server, customerOf('acme'));
    await seed(server);
    const { data } = await server.gql(`{ tickets(first: 100) { edges { node { title organization { slug } } } } }`, {}, ADMIN);
    const bySlug = (slug: string) => data!.tickets.edges.filter(({ node }: any) => node.organization.slug === slug);
    expect(bySlug('acme').map(({ node }: any) => node.title)).toEqual(['Reports fail']);
    expect(bySlug('globex')).toHaveLength(5);
  });
});

describe('the demo seed by two instances starting together', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('seeds once: one seeding waits for the other', async () => {
    await Promise.all([seed(server), seed(server)]);
    expect(await rowCounts(server)).toMatchObject({ organization: 2, app_user: 5, ticket: 8, sla_cycle: 8 });
  });
});
