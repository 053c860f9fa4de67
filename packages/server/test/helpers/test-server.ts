// A real Escalate server on a free port over its own database, with a movable clock, a query counter and
// helpers to sign tokens and send GraphQL over HTTP.
import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { pino } from 'pino';
import { inject } from 'vitest';
import { secretKey, signToken } from '../../src/auth/token';
import { configFromEnv } from '../../src/config';
import { openDatabase } from '../../src/db/orm';
import { createServer, EscalateServer } from '../../src/http/server';
import { QueryLimits } from '../../src/http/limits';
import { Role } from '../../src/users/user.entity';
import { createTestDatabase } from './database';

export const TEST_SECRET = 'test-secret-of-at-least-thirty-two-characters';

/** Time for the server under test: starts at a fixed instant and moves only when told. */
export class TestClock {
  constructor(private current = new Date('2026-12-01T15:00:00Z')) {}
  now = (): Date => new Date(this.current);
  set(at: Date | string): void {
    this.current = new Date(at);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; [key: string]: unknown } }[];
  headers: Headers;
}

export interface Person {
  sub: string;
  role: Role;
  org?: string | null;
  name?: string;
  email?: string;
}

export interface TestServer {
  url: string;
  orm: MikroORM;
  clock: TestClock;
  /** SQL statements run so far; reset with `queries.length = 0`. */
  queries: string[];
  token(person: Person, options?: { expiresAt?: Date }): Promise<string>;
  /** Sends a GraphQL request; `as` signs a token for that person (or pass a raw token string). */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, as?: Person | string | null): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

export async function startTestServer(options: { limits?: QueryLimits; communityUrl?: string } = {}): Promise<TestServer> {
  const url = await createTestDatabase(inject('databaseAdminUrl'), inject('templateDatabase'));
  const queries: string[] = [];
  const log = pino({ level: 'silent' });
  const orm = await openDatabase({ url, log, onQuery: (sql) => queries.push(sql), poolSize: 5 });
  const clock = new TestClock();
  const config = { ...configFromEnv({}), communityUrl: options.communityUrl ?? 'https://community.example.test/ideas' };
  const jwtKey = secretKey(TEST_SECRET);
  const server: EscalateServer = await createServer({ orm, config, log, jwtKey, clock: clock.now, limits: options.limits });
  const endpoint = await server.listen(0, '127.0.0.1');

  const token = (person: Person, tokenOptions: { expiresAt?: Date } = {}) =>
    signToken(
      { sub: person.sub, role: person.role, org: person.org, name: person.name ?? person.sub, email: person.email ?? `${person.sub}@example.test` },
      jwtKey,
      { now: clock.now(), expiresAt: tokenOptions.expiresAt ?? new Date(clock.now().getTime() + 3600_000) },
    );

  return {
    url: endpoint,
    orm,
    clock,
    queries,
    token,
    async gql(query, variables = {}, as = null) {
      const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
      if (as) headers.authorization = `Bearer ${typeof as === 'string' ? as : await token(as)}`;
      const response = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      const body = (await response.json()) as { data?: any; errors?: any };
      return { status: response.status, data: body.data, errors: body.errors, headers: response.headers };
    },
    async close() {
      await server.stop();
      await orm.close();
    },
  };
}

export const ADMIN: Person = { sub: 'admin-1', role: Role.ADMIN, name: 'Ada Admin' };
export const ENGINEER: Person = { sub: 'engineer-1', role: Role.ENGINEER, name: 'Eve Engineer' };
export const MANAGER: Person = { sub: 'manager-1', role: Role.MANAGER, name: 'Max Manager' };
export const customerOf = (org: string, sub = `customer-${org}`): Person => ({ sub, role: Role.CUSTOMER, org, name: `Customer of ${org}` });

/** Creates an organization through the API (as an admin) and returns its global id. */
export async function createOrganization(server: TestServer, slug: string, extra: Record<string, unknown> = {}): Promise<string> {
  const result = await server.gql(
    `mutation($input: OrganizationCreateInput!) { organizationCreate(input: $input) { organization { id } userErrors { code field message } } }`,
    { input: { slug, name: `${slug} Inc.`, region: 'US', accountManagerEmail: `am-${slug}@vendor.example`, ...extra } },
    ADMIN,
  );
  const payload = result.data?.organizationCreate;
  if (!payload?.organization) throw new Error(`organizationCreate failed: ${JSON.stringify(result)}`);
  return payload.organization.id;
}

/** Files a ticket through the API and returns it (id, number). */
export async function fileTicket(
  server: TestServer,
  as: Person,
  input: Record<string, unknown> = {},
): Promise<{ id: string; number: string }> {
  const result = await server.gql(
    `mutation($input: TicketCreateInput!) { ticketCreate(input: $input) { ticket { id number } userErrors { code field message } } }`,
    { input: { title: 'Reports fail', description: 'The nightly report job fails.', severity: 'SEV3', environment: 'PRODUCTION', category: 'INCIDENT', ...input } },
    as,
  );
  const ticket = result.data?.ticketCreate?.ticket;
  if (!ticket) throw new Error(`ticketCreate failed: ${JSON.stringify(result)}`);
  return ticket;
}
