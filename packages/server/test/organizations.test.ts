// Organizations: creating them with the SPEC §4 input, default calendars, validation with field paths, updates, listing.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../src/common/global-id';
import { Organization } from '../src/organizations/organization.entity';
import { ADMIN, createOrganization, customerOf, ENGINEER, startTestServer, TestServer } from './helpers/test-server';

const ORGANIZATION = `
  id slug name region accountManagerEmail createdAt updatedAt
  calendar { timezone weeklyHours { day start end } holidays }
  policy { severity targetResponse clock }
`;
const CREATE = `mutation($input: OrganizationCreateInput!) {
  organizationCreate(input: $input) { organization { ${ORGANIZATION} } userErrors { code field message } }
}`;
const UPDATE = `mutation($input: OrganizationUpdateInput!) {
  organizationUpdate(input: $input) { organization { ${ORGANIZATION} } userErrors { code field message } }
}`;
const NODE = `query($id: ID!) { node(id: $id) { ... on Organization { ${ORGANIZATION} } } }`;

/** The input of SPEC §4, verbatim. */
const SPEC_INPUT = {
  slug: 'acme',
  name: 'Acme',
  region: 'US',
  accountManagerEmail: 'am@vendor.example',
  calendar: {
    timezone: 'America/New_York',
    weeklyHours: [
      { day: 'MONDAY', start: '09:00', end: '12:00' },
      { day: 'MONDAY', start: '13:00', end: '17:00' },
    ],
    holidays: ['2026-12-25'],
  },
  policy: [{ severity: 'SEV2', targetResponse: 'PT2H', clock: 'BUSINESS_HOURS' }],
};

const base = (slug: string) => ({ slug, name: `${slug} Ltd`, region: 'UK', accountManagerEmail: `am-${slug}@vendor.example` });
const calendar = (weeklyHours: { day: string; start: string; end: string }[], extra: Record<string, unknown> = {}) => ({
  timezone: 'Europe/London',
  weeklyHours,
  ...extra,
});

/** Enough hours for a valid calendar (at least an hour a week), so that a test sees only the problem it plants. */
const MONDAY_HOURS = [{ day: 'MONDAY', start: '09:00', end: '17:00' }];

describe('organizations', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const create = async (input: Record<string, unknown>) => (await server.gql(CREATE, { input }, ADMIN)).data!.organizationCreate;
  const update = async (input: Record<string, unknown>) => (await server.gql(UPDATE, { input }, ADMIN)).data!.organizationUpdate;
  const count = () => server.orm.em.fork().count(Organization, {});
  /** Sends a refused organizationCreate, checks that nothing was stored, and returns the user errors. */
  const refused = async (input: Record<string, unknown>) => {
    const before = await count();
    const payload = await create(input);
    expect(payload.organization).toBeNull();
    expect(await count()).toBe(before);
    return payload.userErrors.map((error: any) => ({ code: error.code, field: error.field }));
  };

  describe('organizationCreate', () => {
    it('stores the SPEC §4 input and reads it back identically', async () => {
      server.clock.set('2026-12-01T12:00:00Z');
      const payload = await create(SPEC_INPUT);
      expect(payload.userErrors).toEqual([]);
      const expected = {
        slug: 'acme',
        name: 'Acme',
        region: 'US',
        accountManagerEmail: 'am@vendor.example',
        calendar: SPEC_INPUT.calendar,
        policy: SPEC_INPUT.policy,
        createdAt: '2026-12-01T12:00:00.000Z',
        updatedAt: '2026-12-01T12:00:00.000Z',
      };
      expect(payload.organization).toMatchObject(expected);
      const read = await server.gql(NODE, { id: payload.organization.id }, ADMIN);
      expect(read.data!.node).toEqual(payload.organization);

      const row = await server.orm.em.fork().findOneOrFail(Organization, { slug: 'acme' });
      expect(row.calendar).toEqual(SPEC_INPUT.calendar);
      expect(row.policy).toEqual(SPEC_INPUT.policy);
    });

    it.each([
      ['US', 'America/New_York'],
      ['DE', 'Europe/Berlin'],
      ['AU', 'Australia/Sydney'],
    ])('gives a %s organization without a calendar Monday–Friday 09:00–17:00 in %s', async (region, timezone) => {
      const payload = await create({ ...base(`default-${region.toLowerCase()}`), region });
      expect(payload.userErrors).toEqual([]);
      expect(payload.organization.calendar).toEqual({
        timezone,
        weeklyHours: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'].map((day) => ({ day, start: '09:00', end: '17:00' })),
        holidays: [],
      });
      expect(payload.organization.policy).toEqual([]);
    });

    it('accepts 24:00 as the end of a day', async () => {
      const payload = await create({ ...base('night-shift'), calendar: calendar([{ day: 'SATURDAY', start: '18:00', end: '24:00' }]) });
      expect(payload.userErrors).toEqual([]);
      expect(payload.organization.calendar.weeklyHours).toEqual([{ day: 'SATURDAY', start: '18:00', end: '24:00' }]);
    });

    it.each([
      ['uppercase letters', 'Acme-Corp'],
      ['a single character', 'a'],
      ['a leading dash', '-acme'],
      ['a trailing dash', 'acme-'],
      ['an underscore', 'acme_corp'],
    ])('refuses a slug with %s as INVALID', async (_name, slug) => {
      expect(await refused({ ...base('x'), slug })).toEqual([{ code: 'INVALID', field: ['slug'] }]);
    });

    it('refuses a 51-character slug as TOO_LONG and accepts 50 characters', async () => {
      expect(await refused({ ...base('x'), slug: 'a'.repeat(51) })).toContainEqual({ code: 'TOO_LONG', field: ['slug'] });
      expect((await create({ ...base('x'), slug: 'a'.repeat(50) })).userErrors).toEqual([]);
    });

    it('refuses a taken slug as TAKEN', async () => {
      await createOrganization(server, 'taken');
      expect(await refused({ ...base('taken') })).toEqual([{ code: 'TAKEN', field: ['slug'] }]);
    });

    it.each(['not-an-email', 'am@vendor', 'a m@vendor.example', ''])('refuses the account manager email %j', async (email) => {
      const errors = await refused({ ...base('bad-email'), accountManagerEmail: email });
      expect(errors).toEqual([{ code: email ? 'INVALID' : 'REQUIRED', field: ['accountManagerEmail'] }]);
    });

    it.each([
      ['an unknown time zone', { ...calendar(MONDAY_HOURS), timezone: 'Mars/Olympus_Mons' }, ['calendar', 'timezone']],
      ['a 25:00 start', calendar([{ day: 'MONDAY', start: '25:00', end: '26:00' }]), ['calendar', 'weeklyHours', '0', 'start']],
      ['a 24:00 start', calendar([{ day: 'MONDAY', start: '24:00', end: '24:00' }]), ['calendar', 'weeklyHours', '0', 'start']],
      ['a 9:00 start', calendar([{ day: 'MONDAY', start: '9:00', end: '17:00' }]), ['calendar', 'weeklyHours', '0', 'start']],
      ['a 24:30 end', calendar([{ day: 'MONDAY', start: '09:00', end: '24:30' }]), ['calendar', 'weeklyHours', '0', 'end']],
      [
        'an end before the start',
        calendar([
          { day: 'MONDAY', start: '09:00', end: '17:00' },
          { day: 'TUESDAY', start: '17:00', end: '09:00' },
        ]),
        ['calendar', 'weeklyHours', '1', 'end'],
      ],
      ['an end equal to the start', calendar([{ day: 'MONDAY', start: '09:00', end: '09:00' }]), ['calendar', 'weeklyHours', '0', 'end']],
      [
        'overlapping intervals on one day',
        calendar([
          { day: 'MONDAY', start: '09:00', end: '13:00' },
          { day: 'MONDAY', start: '12:00', end: '17:00' },
        ]),
        ['calendar', 'weeklyHours', '1'],
      ],
      ['the holiday 2026-13-01', calendar(MONDAY_HOURS, { holidays: ['2026-12-25', '2026-13-01'] }), ['calendar', 'holidays', '1']],
      ['the holiday 2026-02-30', calendar(MONDAY_HOURS, { holidays: ['2026-02-30'] }), ['calendar', 'holidays', '0']],
    ])('refuses a calendar with %s as INVALID at its path', async (_name, badCalendar, field) => {
      expect(await refused({ ...base('bad-calendar'), calendar: badCalendar })).toEqual([{ code: 'INVALID', field }]);
    });

    it('accepts adjacent intervals on one day and the same hours on different days', async () => {
      const payload = await create({
        ...base('adjacent'),
        calendar: calendar([
          { day: 'TUESDAY', start: '09:00', end: '17:00' },
          { day: 'MONDAY', start: '12:00', end: '17:00' },
          { day: 'MONDAY', start: '09:00', end: '12:00' },
        ]),
      });
      expect(payload.userErrors).toEqual([]);
      expect(payload.organization.calendar.weeklyHours).toEqual([
        { day: 'MONDAY', start: '09:00', end: '12:00' },
        { day: 'MONDAY', start: '12:00', end: '17:00' },
        { day: 'TUESDAY', start: '09:00', end: '17:00' },
      ]);
    });

    it('refuses a policy giving one severity twice', async () => {
      const policy = [
        { severity: 'SEV2', targetResponse: 'PT2H', clock: 'BUSINESS_HOURS' },
        { severity: 'SEV2', targetResponse: 'PT4H', clock: 'CALENDAR' },
      ];
      expect(await refused({ ...base('dup-policy'), policy })).toEqual([{ code: 'INVALID', field: ['policy', '1'] }]);
    });

    it.each(['P1M', 'PT0S', 'abc', '', '-PT1H', 'P91D'])('refuses the targetResponse %j as INVALID', async (targetResponse) => {
      const policy = [{ severity: 'SEV3', targetResponse, clock: 'BUSINESS_HOURS' }];
      expect(await refused({ ...base('bad-target'), policy })).toEqual([{ code: 'INVALID', field: ['policy', '0', 'targetResponse'] }]);
    });

    it.each(['PT20S', 'P1D', 'PT1H30M'])('accepts the targetResponse %j', async (targetResponse) => {
      const slug = `target-${targetResponse.toLowerCase()}`;
      const payload = await create({ ...base(slug), policy: [{ severity: 'SEV1', targetResponse, clock: 'CALENDAR' }] });
      expect(payload.userErrors).toEqual([]);
      expect(payload.organization.policy).toEqual([{ severity: 'SEV1', targetResponse, clock: 'CALENDAR' }]);
    });

    it.each([
      ['PT90M', 'PT1H30M'],
      ['PT24H', 'P1D'],
      ['PT0.5M', 'PT30S'],
      [' PT2H ', 'PT2H'],
    ])('stores the targetResponse %j as seconds and reads it back as %j', async (targetResponse, shown) => {
      const slug = `shown-${shown.toLowerCase()}`;
      const payload = await create({ ...base(slug), policy: [{ severity: 'SEV1', targetResponse, clock: 'CALENDAR' }] });
      expect(payload.organization.policy).toEqual([{ severity: 'SEV1', targetResponse: shown, clock: 'CALENDAR' }]);
    });

    it('reports every problem of one input at once', async () => {
      const errors = await refused({
        slug: 'Bad Slug',
        name: ' ',
        region: 'DE',
        accountManagerEmail: 'nobody',
        calendar: { timezone: 'Nowhere/Land', weeklyHours: [{ day: 'MONDAY', start: '10:00', end: '09:00' }], holidays: ['soon'] },
        policy: [{ severity: 'SEV1', targetResponse: 'PT0S', clock: 'CALENDAR' }],
      });
      expect(errors).toEqual([
        { code: 'INVALID', field: ['slug'] },
        { code: 'REQUIRED', field: ['name'] },
        { code: 'INVALID', field: ['accountManagerEmail'] },
        { code: 'INVALID', field: ['calendar', 'timezone'] },
        { code: 'INVALID', field: ['calendar', 'weeklyHours', '0', 'end'] },
        { code: 'INVALID', field: ['calendar', 'holidays', '0'] },
        { code: 'INVALID', field: ['policy', '0', 'targetResponse'] },
      ]);
    });

    it('refuses non-admins with FORBIDDEN and stores nothing', async () => {
      const before = await count();
      const result = await server.gql(CREATE, { input: base('by-engineer') }, ENGINEER);
      expect(result.data).toBeNull();
      expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(await count()).toBe(before);
    });
  });

  describe('organizationUpdate', () => {
    it('changes name, calendar and policy, replacing them whole', async () => {
      server.clock.set('2026-12-01T12:00:00Z');
      const created = await create({ ...base('updatable'), policy: [{ severity: 'SEV3', targetResponse: 'PT4H', clock: 'BUSINESS_HOURS' }] });
      server.clock.set('2026-12-02T08:30:00Z');
      const newCalendar = {
        timezone: 'Europe/Berlin',
        weeklyHours: [{ day: 'SUNDAY', start: '00:00', end: '24:00' }],
        holidays: ['2027-01-01'],
      };
      const newPolicy = [
        { severity: 'SEV1', targetResponse: 'PT30M', clock: 'CALENDAR' },
        { severity: 'SEV2', targetResponse: 'PT1H', clock: 'CALENDAR' },
      ];
      const payload = await update({ organizationId: created.organization.id, name: 'Renamed', calendar: newCalendar, policy: newPolicy });
      expect(payload.userErrors).toEqual([]);
      expect(payload.organization).toMatchObject({
        id: created.organization.id,
        slug: 'updatable',
        name: 'Renamed',
        region: 'UK',
        accountManagerEmail: 'am-updatable@vendor.example',
        calendar: newCalendar,
        policy: newPolicy,
        createdAt: '2026-12-01T12:00:00.000Z',
        updatedAt: '2026-12-02T08:30:00.000Z',
      });
      const read = await server.gql(NODE, { id: created.organization.id }, ADMIN);
      expect(read.data!.node).toEqual(payload.organization);
    });

    it('keeps omitted fields and clears the policy with []', async () => {
      const created = await create({ ...base('clearable'), policy: [{ severity: 'SEV4', targetResponse: 'P1D', clock: 'BUSINESS_HOURS' }] });
      const payload = await update({ organizationId: created.organization.id, policy: [] });
      expect(payload.userErrors).toEqual([]);
      expect(payload.organization.policy).toEqual([]);
      expect(payload.organization.name).toBe(created.organization.name);
      expect(payload.organization.calendar).toEqual(created.organization.calendar);
      const row = await server.orm.em.fork().findOneOrFail(Organization, { slug: 'clearable' });
      expect(row.policy).toEqual([]);
    });

    it('answers an unknown organizationId with NOT_FOUND', async () => {
      for (const organizationId of [toGlobalId('Organization', randomUUID()), 'nonsense', toGlobalId('Ticket', randomUUID())]) {
        const payload = await update({ organizationId, name: 'Ghost' });
        expect(payload.organization).toBeNull();
        expect(payload.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['organizationId'] })]);
      }
    });

    it('refuses an invalid change and leaves the organization as it was', async () => {
      const created = await create({ ...base('unchanged') });
      const payload = await update({
        organizationId: created.organization.id,
        name: 'Should not stick',
        calendar: calendar([{ day: 'MONDAY', start: '09:00', end: '08:00' }]),
      });
      expect(payload.organization).toBeNull();
      expect(payload.userErrors.map((e: any) => [e.code, e.field])).toEqual([['INVALID', ['calendar', 'weeklyHours', '0', 'end']]]);
      const read = await server.gql(NODE, { id: created.organization.id }, ADMIN);
      expect(read.data!.node).toEqual(created.organization);
    });
  });

  describe('organizations query', () => {
    const LIST = `query($first: Int, $after: String) { organizations(first: $first, after: $after) {
      totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { slug } }
    } }`;

    it('pages an admin through all organizations by slug', async () => {
      for (const slug of ['zz-last', 'aa-first', 'mm-middle']) await createOrganization(server, slug);
      const all = (await server.orm.em.fork().find(Organization, {}, { fields: ['slug'] })).map((o) => o.slug).sort();
      expect(all.length).toBeGreaterThan(6);
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      for (;;) {
        const result = await server.gql(LIST, { first: 3, after }, ADMIN);
        expect(result.errors).toBeUndefined();
        const page: any = result.data!.organizations;
        pages += 1;
        expect(page.totalCount).toBe(all.length);
        expect(page.edges.length).toBeLessThanOrEqual(3);
        expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
        seen.push(...page.edges.map((edge: any) => edge.node.slug));
        if (!page.pageInfo.hasNextPage) break;
        expect(page.edges).toHaveLength(3);
        after = page.pageInfo.endCursor;
      }
      expect(seen).toEqual(all);
      expect(pages).toBe(Math.ceil(all.length / 3));
    });

    it('shows a customer its own organization only', async () => {
      const result = await server.gql(LIST, { first: 10 }, customerOf('mm-middle'));
      expect(result.data!.organizations.totalCount).toBe(1);
      expect(result.data!.organizations.edges.map((edge: any) => edge.node.slug)).toEqual(['mm-middle']);
    });

    it('refuses first: 0 and garbage or forged cursors with BAD_USER_INPUT', async () => {
      expect((await server.gql(LIST, { first: 0 }, ADMIN)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      const forged = (values: unknown) => Buffer.from(JSON.stringify(values)).toString('base64url');
      for (const after of ['garbage', forged([1]), forged([{ a: 1 }]), forged(['a', 'b'])]) {
        expect((await server.gql(LIST, { after }, ADMIN)).errors?.[0]?.extensions?.code, after).toBe('BAD_USER_INPUT');
      }
    });
  });
});
