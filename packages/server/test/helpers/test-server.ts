// A real Escalate server on a free port over its own database, with a movable clock, a query counter and
// helpers to sign tokens and send GraphQL over HTTP.
import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { Logger, pino } from 'pino';
import { inject } from 'vitest';
import { secretKey, signToken } from '../../src/auth/token';
import { configFromEnv, CorsSettings, RateLimitSettings } from '../../src/config';
import { openDatabase } from '../../src/db/orm';
import { createServer, EscalateServer } from '../../src/http/server';
import { Metrics, MetricsEndpoint, serveMetrics } from '../../src/metrics';
import { OutboxWorker } from '../../src/notifications/outbox-worker';
import { QueryLimits } from '../../src/http/limits';
import { Role } from '../../src/users/user.entity';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { createRealtime, Realtime } from '../../src/realtime/pubsub';
import { SlaTimer } from '../../src/sla-cycles/sla-timer';
import { createTestDatabase } from './database';

export const TEST_SECRET = 'test-secret-of-at-least-thirty-two-characters';

/**
 * Time for the server under test: starts at a fixed instant and moves only when told; or, for tests in a browser
 * whose countdowns run on the wall clock (`realTime`), the wall clock's time, which `set` and `advance` shift.
 */
export class TestClock {
  private offsetMs = 0;
  constructor(
    private current = new Date('2026-12-01T15:00:00Z'),
    private readonly realTime = false,
  ) {}
  now = (): Date => (this.realTime ? new Date(Date.now() + this.offsetMs) : new Date(this.current));
  set(at: Date | string): void {
    if (this.realTime) this.offsetMs = new Date(at).getTime() - Date.now();
    else this.current = new Date(at);
  }
  advance(ms: number): void {
    if (this.realTime) this.offsetMs += ms;
    else this.current = new Date(this.current.getTime() + ms);
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
  /** A read-only token (`scope: "read"`). */
  readOnly?: boolean;
}

export interface TestServer {
  url: string;
  /** The HTTP server itself, to watch its connections and requests. */
  httpServer: Server;
  /** The database this server uses; pass it as `databaseUrl` to start a second instance on it. */
  databaseUrl: string;
  orm: MikroORM;
  clock: TestClock;
  /** The SLA timer: tick it by hand after moving the clock (or start it with `slaTimer: 'running'`). */
  slaTimer: SlaTimer;
  /** The notification outbox's worker: call `outbox.deliverDue()` by hand (or start it with `outbox: 'running'`). */
  outbox: OutboxWorker;
  /** Where its changes are published: a test may publish what no change would (a flood). */
  realtime: Realtime;
  /** SQL statements run so far; reset with `queries.length = 0`. */
  queries: string[];
  /** With the `metrics` option: where `GET /metrics` is served. */
  metricsUrl?: string;
  token(person: Person, options?: { expiresAt?: Date }): Promise<string>;
  /** Sends a GraphQL request; `as` signs a token for that person (or pass a raw token string). */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, as?: Person | string | null): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  limits?: QueryLimits;
  communityUrl?: string;
  /** Another instance's database, to run several instances on one database. */
  databaseUrl?: string;
  /** Fan events out through Redis (with a channel prefix shared by the instances of one test). */
  redis?: { url: string; channelPrefix: string };
  /** 'running': the timer ticks on its own; default 'manual': the test calls `slaTimer.tick()`. */
  slaTimer?: 'manual' | 'running';
  /** Where the outbox delivers (e.g. an smtp-server started by the test); unset: notifications are only logged. */
  smtpUrl?: string;
  /** 'running': the outbox worker polls on its own; default 'manual': the test calls `outbox.deliverDue()`. */
  outbox?: 'manual' | 'running';
  /** Rate limits to apply (default: none); with `redis`, counted in Redis. */
  rateLimits?: RateLimitSettings;
  /** TRUST_PROXY, read as the server reads it (e.g. '1'); unset: the connection's peer is the client. */
  trustProxy?: string;
  /** Which other origins may call it (default: none, as in production without CORS_ORIGINS). */
  cors?: Partial<CorsSettings>;
  /** The server's clock follows the wall clock (see TestClock). */
  realTime?: boolean;
  /** The port to listen on (default: any free one): a restarted server comes back where its clients were. */
  port?: number;
  /** Where the server logs (default: nowhere); a test reads its lines with a pino logger on a stream of its own. */
  log?: Logger;
  /** Count and serve metrics (a registry of this server's own) on another free port, with METRICS_TOKEN `token`. */
  metrics?: { token?: string };
  /** AUTH_JWT_SECRET_PREVIOUS: tokens signed with it are accepted too (tokens the helpers sign use TEST_SECRET). */
  previousJwtSecret?: string;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const url = options.databaseUrl ?? (await createTestDatabase(inject('databaseAdminUrl'), inject('templateDatabase')));
  const queries: string[] = [];
  const log = options.log ?? pino({ level: 'silent' });
  const orm = await openDatabase({ url, log, onQuery: (sql) => queries.push(sql), poolSize: 5 });
  const clock = new TestClock(undefined, options.realTime);
  const config = {
    ...configFromEnv({ TRUST_PROXY: options.trustProxy }),
    communityUrl: options.communityUrl ?? 'https://community.example.test/ideas',
    smtpUrl: options.smtpUrl,
    // Off unless a test asks: the suite itself makes thousands of requests from one address.
    rateLimits: options.rateLimits ?? { perIpPerMinute: 0, perUserPerMinute: 0, failedAuthCost: 10 },
    cors: { origins: [], localDevelopment: false, ...options.cors },
    redisUrl: options.rateLimits ? options.redis?.url : undefined,
  };
  const jwtKey = secretKey(TEST_SECRET);
  const previousJwtKey = options.previousJwtSecret ? secretKey(options.previousJwtSecret) : undefined;
  const realtime = createRealtime({ redisUrl: options.redis?.url, channelPrefix: options.redis?.channelPrefix ?? `test:${randomUUID()}:` });
  const metrics = options.metrics ? new Metrics({ orm, clock: clock.now, log }) : undefined;
  const metricsEndpoint: MetricsEndpoint | undefined = metrics
    ? await serveMetrics(metrics, { port: 0, host: '127.0.0.1', token: options.metrics?.token, log })
    : undefined;
  const server: EscalateServer = await createServer({ orm, config, log, jwtKey, previousJwtKey, clock: clock.now, limits: options.limits, realtime, metrics });
  const endpoint = await server.listen(options.port ?? 0, '127.0.0.1');
  const slaTimer = new SlaTimer({ orm, realtime, clock: clock.now, log, pollMs: 100, metrics });
  if (options.slaTimer === 'running') slaTimer.start();
  const outbox = new OutboxWorker({ orm, clock: clock.now, log, smtpUrl: options.smtpUrl, pollMs: 100 });
  if (options.outbox === 'running') outbox.start();

  const token = (person: Person, tokenOptions: { expiresAt?: Date } = {}) =>
    signToken(
      {
        sub: person.sub,
        role: person.role,
        org: person.org,
        name: person.name ?? person.sub,
        email: person.email ?? `${person.sub}@example.test`,
        readOnly: person.readOnly,
      },
      jwtKey,
      // A year by default: tests move the clock by days, and an expired token closes its subscriptions (4403).
      { now: clock.now(), expiresAt: tokenOptions.expiresAt ?? new Date(clock.now().getTime() + 365 * 24 * 3600_000) },
    );

  return {
    url: endpoint,
    httpServer: server.httpServer,
    databaseUrl: url,
    orm,
    clock,
    slaTimer,
    outbox,
    realtime,
    queries,
    metricsUrl: metricsEndpoint?.url,
    token,
    async gql(query, variables = {}, as = null) {
      const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
      if (as) headers.authorization = `Bearer ${typeof as === 'string' ? as : await token(as)}`;
      const response = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      const body = (await response.json()) as { data?: any; errors?: any };
      return { status: response.status, data: body.data, errors: body.errors, headers: response.headers };
    },
    async close() {
      await slaTimer.stop();
      await server.stop();
      await outbox.stop();
      await metricsEndpoint?.close();
      await realtime.close();
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
