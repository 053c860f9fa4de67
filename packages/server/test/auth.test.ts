// Authentication and roles (SPEC §1): what answers without a token, how bad tokens are refused, just-in-time
// provisioning from the token's claims, and which roles may call which mutations.
import {
  buildClientSchema,
  getIntrospectionQuery,
  GraphQLInputType,
  IntrospectionQuery,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
} from 'graphql';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  createOrganization,
  customerOf,
  ENGINEER,
  fileTicket,
  GraphQLResponse,
  MANAGER,
  Person,
  startTestServer,
  TEST_SECRET,
  TestServer,
} from './helpers/test-server';
import { Role } from '../src/users/user.entity';

const INVALID_TOKEN = 'The token is not valid: it must be an HS256 JWT signed by the identity provider.';
const SIGN_IN = 'Sign in: send `Authorization: Bearer <token>`.';

const base64url = (value: object) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/** A sample value for a required input type, enough for the request to pass validation and reach the resolver. */
function sampleValue(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sampleValue(type.ofType);
  if (isListType(type)) return [];
  if (isEnumType(type)) return type.getValues()[0]!.value;
  if (isInputObjectType(type)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      if (isNonNullType(field.type)) value[field.name] = sampleValue(field.type);
    }
    return value;
  }
  if (isScalarType(type)) {
    const samples: Record<string, unknown> = { Int: 1, Float: 1, Boolean: false, DateTime: '2026-12-01T15:00:00Z', JSONObject: {} };
    return samples[type.name] ?? 'x';
  }
  throw new Error(`no sample for ${String(type)}`);
}

describe('auth', () => {
  let server: TestServer;
  let acmeId: string;

  /** POSTs `{ __typename }` (or `query`) with a raw Authorization header. */
  async function post(authorization: string | null, query = '{ __typename }') {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
    if (authorization !== null) headers.authorization = authorization;
    const response = await fetch(server.url, { method: 'POST', headers, body: JSON.stringify({ query }) });
    return { status: response.status, body: (await response.json()) as { data?: any; errors?: any[] } };
  }

  /** Signs claims as given (no defaults), with a choice of secret and algorithm. */
  async function signRaw(claims: Record<string, unknown>, options: { secret?: string; alg?: string; expiresAt?: Date } = {}) {
    const now = Math.floor(server.clock.now().getTime() / 1000);
    const expiresAt = options.expiresAt ? Math.floor(options.expiresAt.getTime() / 1000) : now + 3600;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' })
      .setIssuedAt(now)
      .setExpirationTime(expiresAt)
      .sign(new TextEncoder().encode(options.secret ?? TEST_SECRET));
  }

  async function userRows(sub: string): Promise<{ id: string; name: string; email: string; role: string }[]> {
    return server.orm.em.fork().getConnection().execute('select id, name, email, role from app_user where sub = ?', [sub]);
  }

  const onlyErrorCode = (result: GraphQLResponse) => {
    expect(result.errors?.length, JSON.stringify(result.errors)).toBe(1);
    return result.errors![0]!.extensions?.code;
  };

  beforeAll(async () => {
    server = await startTestServer();
    acmeId = await createOrganization(server, 'acme');
  });
  afterAll(() => server.close());

  describe('without a token', () => {
    it('answers __typename', async () => {
      const result = await server.gql('{ __typename }');
      expect(result.status).toBe(200);
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({ __typename: 'Query' });
    });

    it('answers introspection', async () => {
      const result = await server.gql('{ __schema { queryType { name } mutationType { name } } }');
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({ __schema: { queryType: { name: 'Query' }, mutationType: { name: 'Mutation' } } });
    });

    it('answers severityLevels with the default policy', async () => {
      const result = await server.gql(
        '{ severityLevels { severity businessImpact allowedEnvironments targetResponse target { minutes clock label } } }',
      );
      expect(result.errors).toBeUndefined();
      expect(result.data?.severityLevels).toEqual([
        {
          severity: 'SEV1',
          businessImpact: 'Critical',
          allowedEnvironments: ['PRODUCTION'],
          targetResponse: 'PT1H',
          target: { minutes: 60, clock: 'CALENDAR', label: '1 hour' },
        },
        {
          severity: 'SEV2',
          businessImpact: 'High',
          allowedEnvironments: ['PRODUCTION'],
          targetResponse: 'PT2H',
          target: { minutes: 120, clock: 'BUSINESS_HOURS', label: '2 business hours' },
        },
        {
          severity: 'SEV3',
          businessImpact: 'Low/Minor',
          allowedEnvironments: ['PRODUCTION', 'NON_PRODUCTION'],
          targetResponse: 'PT4H',
          target: { minutes: 240, clock: 'BUSINESS_HOURS', label: '4 business hours' },
        },
        {
          severity: 'SEV4',
          businessImpact: 'Minimum/No Impact',
          allowedEnvironments: ['PRODUCTION', 'NON_PRODUCTION'],
          targetResponse: 'PT8H',
          target: { minutes: 480, clock: 'BUSINESS_HOURS', label: '8 business hours' },
        },
      ]);
    });

    it('answers supportLines with the six lines of the seed', async () => {
      const result = await server.gql('{ supportLines { region country number } }');
      expect(result.errors).toBeUndefined();
      expect(result.data?.supportLines).toEqual([
        { region: 'AU', country: 'Australia', number: '+61 (285) 03-4159' },
        { region: 'BR', country: 'Brazil', number: '+55 (852) 180-9791' },
        { region: 'CA', country: 'Canada', number: '+1 (873)-800-0941' },
        { region: 'DE', country: 'Germany', number: '+49 (7071) 704-9200' },
        { region: 'UK', country: 'United Kingdom', number: '+44 (147) 273-0312' },
        { region: 'US', country: 'United States', number: '+1 (202)-831-2671' },
      ]);
    });

    // Non-null fields take `data` down with them; nullable ones answer null.
    it.each([
      ['me', '{ me { id } }', null],
      ['tickets', '{ tickets(first: 5) { totalCount } }', null],
      ['ticket by number', '{ ticket(number: "RS-1001") { id } }', { ticket: null }],
      ['ticket by id', '{ ticket(id: "VGlja2V0OjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMA") { id } }', { ticket: null }],
      ['node', '{ node(id: "VGlja2V0OjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMA") { id } }', { node: null }],
      ['nodes', '{ nodes(ids: []) { id } }', null],
      ['organizations', '{ organizations { totalCount } }', null],
    ])('refuses %s with UNAUTHENTICATED', async (name, query, data) => {
      const result = await server.gql(query);
      expect(onlyErrorCode(result)).toBe('UNAUTHENTICATED');
      expect(result.errors![0]!.message).toBe(SIGN_IN);
      expect(result.errors![0]!.path).toEqual([name.split(' ')[0]]);
      expect(result.data).toEqual(data);
    });

    it('refuses a signed-out query that mixes public and private fields, answering the public part', async () => {
      const result = await server.gql('{ ticket(number: "RS-1001") { id } supportLines { region } }');
      expect(onlyErrorCode(result)).toBe('UNAUTHENTICATED');
      expect(result.errors![0]!.path).toEqual(['ticket']);
      expect(result.data?.ticket).toBeNull();
      expect(result.data?.supportLines).toHaveLength(6);
    });

    it('refuses every mutation with UNAUTHENTICATED and changes nothing', async () => {
      const introspection = await server.gql<IntrospectionQuery>(getIntrospectionQuery());
      const schema = buildClientSchema(introspection.data!);
      const mutations = Object.values(schema.getMutationType()!.getFields());
      expect(mutations.map((m) => m.name)).toEqual(
        expect.arrayContaining(['ticketCreate', 'ticketUpdateStatus', 'ticketAssign', 'noteAdd', 'organizationCreate', 'organizationUpdate']),
      );
      const before = await server.gql('{ organizations { totalCount } tickets { totalCount } }', {}, ADMIN);

      for (const mutation of mutations) {
        const input = mutation.args.find((arg) => arg.name === 'input');
        expect(input, `${mutation.name} takes one \`input\``).toBeDefined();
        const result = await server.gql(
          `mutation($input: ${String(input!.type)}) { ${mutation.name}(input: $input) { __typename } }`,
          { input: sampleValue(input!.type) },
        );
        expect(result.errors?.map((e) => e.extensions?.code), mutation.name).toEqual(['UNAUTHENTICATED']);
        expect(result.errors![0]!.path, mutation.name).toEqual([mutation.name]);
        expect(result.data, mutation.name).toBeNull();
      }

      const after = await server.gql('{ organizations { totalCount } tickets { totalCount } }', {}, ADMIN);
      expect(after.data).toEqual(before.data);
    });

    it('treats an empty Authorization header as no token', async () => {
      const { body } = await post('', '{ me { id } }');
      expect(body.errors?.map((e) => [e.extensions?.code, e.message])).toEqual([['UNAUTHENTICATED', SIGN_IN]]);
      expect(await post('')).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
    });
  });

  describe('bad tokens are refused with HTTP 401, even for queries that need none', () => {
    const refused = (response: { status: number; body: { data?: unknown; errors?: any[] } }, message: string) => {
      expect(response.status).toBe(401);
      expect(response.body.data).toBeUndefined();
      expect(response.body.errors).toEqual([{ message, extensions: { code: 'UNAUTHENTICATED' } }]);
    };

    it('accepts a well-formed token (control)', async () => {
      const token = await signRaw({ sub: 'control-1', role: 'engineer' });
      const { status, body } = await post(`Bearer ${token}`, '{ me { role } }');
      expect(status).toBe(200);
      expect(body).toEqual({ data: { me: { role: 'ENGINEER' } } });
    });

    it('refuses a token signed with another secret', async () => {
      const token = await signRaw({ sub: 'wrong-secret', role: 'admin' }, { secret: 'another-secret-of-at-least-thirty-two-chars' });
      refused(await post(`Bearer ${token}`), INVALID_TOKEN);
    });

    it('refuses an unsigned token (alg: none)', async () => {
      const now = Math.floor(server.clock.now().getTime() / 1000);
      const token = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: 'unsigned', role: 'admin', iat: now, exp: now + 3600 })}.`;
      refused(await post(`Bearer ${token}`), INVALID_TOKEN);
      expect(await userRows('unsigned')).toEqual([]);
    });

    it('refuses a token signed with the right secret but another algorithm (HS512)', async () => {
      const token = await signRaw({ sub: 'hs512', role: 'admin' }, { alg: 'HS512' });
      refused(await post(`Bearer ${token}`), INVALID_TOKEN);
    });

    it('refuses an expired token', async () => {
      const token = await server.token(ADMIN, { expiresAt: new Date(server.clock.now().getTime() - 1000) });
      refused(await post(`Bearer ${token}`), 'The token has expired; sign in again.');
    });

    it('refuses a token that expires as the clock moves past it', async () => {
      const token = await server.token(ENGINEER, { expiresAt: new Date(server.clock.now().getTime() + 60_000) });
      expect((await post(`Bearer ${token}`)).status).toBe(200);
      server.clock.advance(61_000);
      refused(await post(`Bearer ${token}`), 'The token has expired; sign in again.');
    });

    it('refuses a token it accepted before once it is changed, in its claims or its signature', async () => {
      const token = await server.token(ENGINEER);
      expect((await post(`Bearer ${token}`)).status).toBe(200);
      const [header, payload, signature] = token.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      const promoted = Buffer.from(JSON.stringify({ ...claims, role: 'admin' }), 'utf8').toString('base64url');
      refused(await post(`Bearer ${header}.${promoted}.${signature}`), INVALID_TOKEN);
      const resigned = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
      refused(await post(`Bearer ${header}.${payload}.${resigned}`), INVALID_TOKEN);
      expect((await post(`Bearer ${token}`)).status).toBe(200);
    });

    it('refuses a token that never expires (no exp claim)', async () => {
      const forever = await new SignJWT({ role: 'admin' })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject('forever')
        .sign(new TextEncoder().encode(TEST_SECRET));
      refused(await post(`Bearer ${forever}`), INVALID_TOKEN);
    });

    it('refuses a garbage token', async () => {
      refused(await post('Bearer not-a-jwt'), INVALID_TOKEN);
      refused(await post('Bearer a.b.c'), INVALID_TOKEN);
    });

    it.each(['Basic abc', 'Bearer', 'Bearer a b', 'Token abc'])('refuses the Authorization header %j', async (header) => {
      refused(await post(header), 'The Authorization header must be `Bearer <token>`.');
    });

    it('refuses a customer token without an org claim', async () => {
      const token = await signRaw({ sub: 'orgless', role: 'customer', name: 'No Org' });
      refused(await post(`Bearer ${token}`), 'A customer’s token must carry its organization’s slug in the `org` claim.');
      expect(await userRows('orgless')).toEqual([]);
    });

    it.each(['superuser', 'ADMIN', 'Admin', 'constructor', 'toString', '__proto__'])(
      'refuses the role claim %j',
      async (role) => {
        const token = await signRaw({ sub: `role-${role}`, role, org: 'acme' });
        refused(await post(`Bearer ${token}`), 'The token’s `role` claim must be one of customer, engineer, manager, admin.');
        expect(await userRows(`role-${role}`)).toEqual([]);
      },
    );

    it('refuses a token without a role claim', async () => {
      const token = await signRaw({ sub: 'roleless' });
      refused(await post(`Bearer ${token}`), 'The token’s `role` claim must be one of customer, engineer, manager, admin.');
    });

    it('refuses a customer of an organization that does not exist', async () => {
      const token = await server.token(customerOf('nowhere'));
      refused(await post(`Bearer ${token}`), "The token's organization 'nowhere' is not known to Escalate; ask an admin to create it.");
      expect(await userRows('customer-nowhere')).toEqual([]);
    });
  });

  describe('just-in-time provisioning', () => {
    const ME = '{ me { id name email role createdAt lastSeenAt organization { id slug } } }';

    it('creates a customer on the first request with a new sub, in the organization of its token', async () => {
      const jane: Person = { sub: 'jit-jane', role: Role.CUSTOMER, org: 'acme', name: 'Jane Doe', email: 'jane@acme.example' };
      expect(await userRows('jit-jane')).toEqual([]);
      const result = await server.gql(ME, {}, jane);
      expect(result.errors).toBeUndefined();
      const now = server.clock.now().toISOString();
      expect(result.data?.me).toEqual({
        id: expect.any(String),
        name: 'Jane Doe',
        email: 'jane@acme.example',
        role: 'CUSTOMER',
        createdAt: now,
        lastSeenAt: now,
        organization: { id: acmeId, slug: 'acme' },
      });
      const rows = await userRows('jit-jane');
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ name: 'Jane Doe', email: 'jane@acme.example', role: 'CUSTOMER' });
    });

    it('creates staff without an organization, ignoring an org claim', async () => {
      const result = await server.gql(ME, {}, { sub: 'jit-sam', role: Role.MANAGER, org: 'acme', name: 'Sam Staff', email: 'sam@vendor.example' });
      expect(result.errors).toBeUndefined();
      expect(result.data?.me).toMatchObject({ name: 'Sam Staff', email: 'sam@vendor.example', role: 'MANAGER', organization: null });
    });

    it('fills in name and email from the sub when the token has none', async () => {
      const token = await signRaw({ sub: 'jit-bare', role: 'engineer' });
      const result = await server.gql('{ me { name email role } }', {}, token);
      expect(result.data?.me).toEqual({ name: 'jit-bare', email: 'jit-bare@unknown.invalid', role: 'ENGINEER' });
    });

    it('rewrites the user at once when a later token carries changed claims, keeping its id and createdAt', async () => {
      const first: Person = { sub: 'jit-rita', role: Role.CUSTOMER, org: 'acme', name: 'Rita Old', email: 'rita@acme.example' };
      const created = (await server.gql(ME, {}, first)).data!.me;

      // Within the viewer cache's 60 seconds: the same claims are not written again, changed ones are.
      server.clock.advance(5_000);
      const renamed = await server.gql(ME, {}, { ...first, name: 'Rita New', email: 'rita.new@acme.example' });
      expect(renamed.errors).toBeUndefined();
      expect(renamed.data?.me).toEqual({
        ...created,
        name: 'Rita New',
        email: 'rita.new@acme.example',
        lastSeenAt: server.clock.now().toISOString(),
      });
      expect(await userRows('jit-rita')).toEqual([
        { id: expect.any(String), name: 'Rita New', email: 'rita.new@acme.example', role: 'CUSTOMER' },
      ]);

      // And back again: the cache must not hold on to the previous claims either.
      server.clock.advance(1_000);
      const back = await server.gql('{ me { name email } }', {}, first);
      expect(back.data?.me).toEqual({ name: 'Rita Old', email: 'rita@acme.example' });
    });

    it('takes the role of the latest token', async () => {
      const person: Person = { sub: 'jit-promoted', role: Role.ENGINEER, name: 'Pat' };
      expect((await server.gql('{ me { role } }', {}, person)).data?.me.role).toBe('ENGINEER');
      expect((await server.gql('{ me { role } }', {}, { ...person, role: Role.ADMIN })).data?.me.role).toBe('ADMIN');
      const refused = await server.gql(
        'mutation($input: OrganizationCreateInput!) { organizationCreate(input: $input) { userErrors { code } } }',
        { input: { slug: 'demoted-try', name: 'D', region: 'US', accountManagerEmail: 'am@vendor.example' } },
        { ...person, role: Role.ENGINEER },
      );
      expect(onlyErrorCode(refused)).toBe('FORBIDDEN');
    });

    it('writes unchanged claims back at most once a minute (lastSeenAt)', async () => {
      const person: Person = { sub: 'jit-steady', role: Role.ENGINEER, name: 'Steady' };
      const firstSeen = server.clock.now().toISOString();
      expect((await server.gql(ME, {}, person)).data?.me.lastSeenAt).toBe(firstSeen);
      server.clock.advance(30_000);
      expect((await server.gql(ME, {}, person)).data?.me.lastSeenAt).toBe(firstSeen);
      server.clock.advance(31_000);
      const later = await server.gql(ME, {}, person);
      expect(later.data?.me.lastSeenAt).toBe(server.clock.now().toISOString());
      expect(later.data?.me.createdAt).toBe(firstSeen);
      expect(await userRows('jit-steady')).toHaveLength(1);
    });
  });

  describe('roles', () => {
    const ORGANIZATION_CREATE = `mutation($input: OrganizationCreateInput!) {
      organizationCreate(input: $input) { organization { id slug } userErrors { code field message } } }`;
    const organizationInput = (slug: string) => ({ slug, name: `${slug} Ltd`, region: 'UK', accountManagerEmail: `am-${slug}@vendor.example` });
    const TICKET_ASSIGN = `mutation($input: TicketAssignInput!) {
      ticketAssign(input: $input) { ticket { assignee { id } } userErrors { code field message } } }`;

    it('refuses organizationCreate to a customer with FORBIDDEN and creates nothing', async () => {
      const result = await server.gql(ORGANIZATION_CREATE, { input: organizationInput('by-customer') }, customerOf('acme'));
      expect(onlyErrorCode(result)).toBe('FORBIDDEN');
      expect(result.errors![0]!.message).toBe('Only admin users may use `organizationCreate`.');
      expect(result.data).toBeNull();
      const slugs = await server.gql('{ organizations(first: 100) { nodes { slug } } }', {}, ADMIN);
      expect(slugs.data?.organizations.nodes.map((o: { slug: string }) => o.slug)).not.toContain('by-customer');
    });

    it('refuses organizationCreate to an engineer and a manager with FORBIDDEN', async () => {
      for (const staff of [ENGINEER, MANAGER]) {
        const result = await server.gql(ORGANIZATION_CREATE, { input: organizationInput(`by-${staff.sub}`) }, staff);
        expect(onlyErrorCode(result), staff.sub).toBe('FORBIDDEN');
        expect(result.errors![0]!.message).toBe('Only admin users may use `organizationCreate`.');
      }
    });

    it('refuses organizationUpdate to a customer with FORBIDDEN', async () => {
      const result = await server.gql(
        'mutation($input: OrganizationUpdateInput!) { organizationUpdate(input: $input) { organization { name } } }',
        { input: { organizationId: acmeId, name: 'Hijacked' } },
        customerOf('acme'),
      );
      expect(onlyErrorCode(result)).toBe('FORBIDDEN');
      expect(result.errors![0]!.message).toBe('Only admin users may use `organizationUpdate`.');
      const organization = await server.gql('query($id: ID!) { node(id: $id) { ... on Organization { name } } }', { id: acmeId }, ADMIN);
      expect(organization.data?.node.name).toBe('acme Inc.');
    });

    it('lets an admin create an organization', async () => {
      const result = await server.gql(ORGANIZATION_CREATE, { input: organizationInput('initech') }, ADMIN);
      expect(result.errors).toBeUndefined();
      expect(result.data?.organizationCreate).toEqual({ organization: { id: expect.any(String), slug: 'initech' }, userErrors: [] });
      // Its customers can sign in from now on.
      const me = await server.gql('{ me { organization { slug } } }', {}, customerOf('initech'));
      expect(me.data?.me.organization.slug).toBe('initech');
    });

    it('refuses ticketAssign to a customer with FORBIDDEN, even on its own ticket, and leaves it unassigned', async () => {
      const ticket = await fileTicket(server, customerOf('acme'));
      const engineer = (await server.gql('{ me { id } }', {}, ENGINEER)).data!.me.id;
      const result = await server.gql(TICKET_ASSIGN, { input: { ticketId: ticket.id, assigneeId: engineer } }, customerOf('acme'));
      expect(onlyErrorCode(result)).toBe('FORBIDDEN');
      expect(result.errors![0]!.message).toBe('Only engineer, manager, admin users may use `ticketAssign`.');
      const check = await server.gql('query($id: ID!) { ticket(id: $id) { assignee { id } } }', { id: ticket.id }, ENGINEER);
      expect(check.data?.ticket.assignee).toBeNull();

      // An engineer may (control).
      const assigned = await server.gql(TICKET_ASSIGN, { input: { ticketId: ticket.id, assigneeId: engineer } }, ENGINEER);
      expect(assigned.data?.ticketAssign).toEqual({ ticket: { assignee: { id: engineer } }, userErrors: [] });
    });
  });
});
