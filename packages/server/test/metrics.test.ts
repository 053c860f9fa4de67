// What an operator's Prometheus scrapes from a real server: GET /metrics on a port of its own behind METRICS_TOKEN,
// and the figures moving with what the server does: GraphQL requests by operation, their duration and errors,
// sockets and subscriptions, the live log, the SLA timer's lag (time moved by the test clock), the outbox backlog,
// the connection pool and Node's own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv, StartupError } from '../src/config';
import { enqueueNotification } from '../src/notifications/enqueue';
import { NotificationKind } from '../src/notifications/notification.entity';
import { runInTransaction } from '../src/realtime/after-commit';
import { Scrape, scrape } from './helpers/prometheus';
import { connect, GUARD_MS, subscribe, ticketProbe } from './helpers/subscriptions';
import { createOrganization, customerOf, ENGINEER, fileTicket, startTestServer, TestServer } from './helpers/test-server';

const METRICS_TOKEN = 'a-scrape-token-for-the-tests';

/** How much each figure named moved between two scrapes. */
const moved = (before: Scrape, after: Scrape, name: string, labels: Record<string, string> = {}) => after.value(name, labels) - before.value(name, labels);

describe('metrics', () => {
  let server: TestServer;
  const customer = customerOf('acme');
  const read = () => scrape(server.metricsUrl!, METRICS_TOKEN);
  /** Scrapes until `holds` is true of a scrape (a socket's close reaches the server after the client's). */
  const readUntil = async (holds: (figures: Scrape) => boolean): Promise<Scrape> => {
    const giveUpAt = Date.now() + GUARD_MS;
    for (;;) {
      const figures = await read();
      if (holds(figures)) return figures;
      if (Date.now() > giveUpAt) throw new Error(`the figures never got there:\n${figures.text}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  beforeAll(async () => {
    server = await startTestServer({ metrics: { token: METRICS_TOKEN } });
    await createOrganization(server, 'acme'); // Monday–Friday 09:00–17:00 America/New_York
    await createOrganization(server, 'probe'); // the subscription's probe files its tickets there
  });
  afterAll(() => server.close());

  it('are served only with METRICS_TOKEN, only at GET /metrics, and never on the API’s port', async () => {
    const url = server.metricsUrl!;
    const without = await fetch(url);
    expect(without.status).toBe(401);
    expect(without.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
    expect((await fetch(url, { headers: { authorization: `Bearer ${METRICS_TOKEN}x` } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: METRICS_TOKEN } })).status).toBe(401);
    const scraped = await fetch(url, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await scraped.text()).toMatch(/^# HELP escalate_graphql_requests_total /m);
    expect((await fetch(new URL('/other', url), { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(404);
    const onTheApi = await fetch(new URL('/metrics', server.url));
    expect(await onTheApi.text()).not.toContain('escalate_graphql_requests_total');
  });

  it('count GraphQL requests by operation name, type and outcome, with their duration and errors by code', async () => {
    const before = await read();
    expect((await server.gql(`query Me { me { id } }`, {}, customer)).errors).toBeUndefined();
    expect((await server.gql(`query Me { me { id } }`, {}, ENGINEER)).errors).toBeUndefined();
    expect((await server.gql(`{ me { role } }`, {}, ENGINEER)).errors).toBeUndefined();
    expect((await server.gql(`query ${'A'.repeat(65)} { me { id } }`, {}, ENGINEER)).errors).toBeUndefined();
    const filed = await server.gql(
      `mutation FileTicket($input: TicketCreateInput!) { ticketCreate(input: $input) { ticket { id } userErrors { code } } }`,
      { input: { title: 'Reports fail', description: 'The nightly job fails.', severity: 'SEV3', environment: 'PRODUCTION', category: 'INCIDENT' } },
      customer,
    );
    expect(filed.data?.ticketCreate.userErrors).toEqual([]);
    expect((await server.gql(`query Broken { nope }`, {}, ENGINEER)).errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect((await server.gql(`query Me { me { id } }`, {}, 'not-a-token')).status).toBe(401);
    const after = await read();

    const requests = (operation: string, type: string, outcome: string) =>
      moved(before, after, 'escalate_graphql_requests_total', { operation, type, outcome });
    expect(requests('Me', 'query', 'ok')).toBe(2);
    expect(requests('anonymous', 'query', 'ok')).toBe(1);
    expect(requests('other', 'query', 'ok')).toBe(1); // a name over 64 characters is not a label
    expect(requests('FileTicket', 'mutation', 'ok')).toBe(1);
    // Refused before its operation was read: Apollo's validation, and the token check in front of Apollo.
    expect(requests('anonymous', 'unknown', 'GRAPHQL_VALIDATION_FAILED')).toBe(1);
    expect(requests('anonymous', 'unknown', 'UNAUTHENTICATED')).toBe(1);
    expect(moved(before, after, 'escalate_graphql_errors_total', { code: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);
    expect(moved(before, after, 'escalate_graphql_errors_total', { code: 'UNAUTHENTICATED' })).toBe(1);
    expect(moved(before, after, 'escalate_graphql_request_duration_seconds_count', { type: 'query' })).toBe(4);
    expect(moved(before, after, 'escalate_graphql_request_duration_seconds_count', { type: 'mutation' })).toBe(1);
    expect(moved(before, after, 'escalate_graphql_request_duration_seconds_bucket', { type: 'mutation', le: '+Inf' })).toBe(1);
    expect(moved(before, after, 'escalate_graphql_request_duration_seconds_sum', { type: 'mutation' })).toBeGreaterThan(0);
  });

  it('show open sockets and running subscriptions, and count the events delivered and the live log read', async () => {
    const before = await read();
    const client = connect(server.url, await server.token(ENGINEER));
    const changes = await subscribe(
      client,
      `subscription SlaWatch { slaStatusChanged { ticket { number } state } }`,
      {},
      ticketProbe(server, customerOf('probe'), (message: any) => message.slaStatusChanged.ticket.number),
    );
    const open = await read();
    expect(open.value('escalate_websocket_connections')).toBe(1);
    expect(open.value('escalate_subscriptions_running')).toBe(1);
    expect(moved(before, open, 'escalate_graphql_requests_total', { operation: 'SlaWatch', type: 'subscription', outcome: 'ok' })).toBe(1);
    // The probe's tickets were heard: each an SLA cycle started (and stopped) and delivered.
    expect(moved(before, open, 'escalate_subscription_events_delivered_total')).toBeGreaterThanOrEqual(1);
    expect(moved(before, open, 'escalate_live_log_events_read_total', { reader: 'tail' })).toBeGreaterThanOrEqual(1);
    expect(moved(before, open, 'escalate_live_log_messages_published_total', { topic: 'SLA_STATUS' })).toBeGreaterThanOrEqual(1);

    // Refused: counted once, by its code (graphql-ws hands onError the refusal too).
    const refused = await subscribe(client, `subscription Bad { nope }`);
    const refusedBy = Date.now() + GUARD_MS;
    while (!refused.errors.length && Date.now() < refusedBy) await new Promise((resolve) => setTimeout(resolve, 10));
    const afterRefusal = await read();
    expect(moved(open, afterRefusal, 'escalate_graphql_requests_total', { type: 'unknown', outcome: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);
    expect(moved(open, afterRefusal, 'escalate_graphql_errors_total', { code: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);
    expect(moved(open, afterRefusal, 'escalate_graphql_errors_total')).toBe(1); // and under no other code
    expect(afterRefusal.value('escalate_subscriptions_running')).toBe(1);

    await changes.close();
    const completed = await readUntil((figures) => figures.value('escalate_subscriptions_running') === 0);
    expect(completed.value('escalate_websocket_connections')).toBe(1);
    await client.dispose();
    await readUntil((figures) => figures.value('escalate_websocket_connections') === 0);
  });

  it('observe how late the SLA timer records a transition', async () => {
    server.clock.set('2026-12-08T15:00:00Z'); // Tue 10:00 New York
    while ((await server.slaTimer.tick()) > 0); // earlier tests' tickets fall due here, not below
    await fileTicket(server, customer, { severity: 'SEV3' }); // at risk from 13:00 New York, 18:00Z
    const before = await read();
    server.clock.set('2026-12-08T18:00:02.500Z');
    expect(await server.slaTimer.tick()).toBe(1);
    const after = await read();
    expect(moved(before, after, 'escalate_sla_timer_lag_seconds_count')).toBe(1);
    expect(moved(before, after, 'escalate_sla_timer_lag_seconds_sum')).toBeCloseTo(2.5, 6);
    expect(moved(before, after, 'escalate_sla_timer_lag_seconds_bucket', { le: '2' })).toBe(0);
    expect(moved(before, after, 'escalate_sla_timer_lag_seconds_bucket', { le: '5' })).toBe(1);
  });

  it('show the connection pool and Node’s own figures, event-loop lag among them', async () => {
    const idle = await read();
    expect(idle.value('escalate_db_pool_max')).toBe(5); // the test server's pool
    expect(idle.value('escalate_db_pool_waiting')).toBe(0);
    expect(idle.has('escalate_db_pool_connections_idle')).toBe(true);
    // A transaction holds a connection for as long as it runs.
    await server.orm.em.fork().transactional(async (em) => {
      await em.execute('select 1');
      expect((await read()).value('escalate_db_pool_connections_in_use')).toBeGreaterThanOrEqual(1);
    });
    for (const name of ['nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes']) {
      expect(idle.has(name), name).toBe(true);
    }
  });
});

describe('the outbox’s figures', () => {
  let server: TestServer;
  const METRICS_TOKEN_2 = 'another-scrape-token';
  const enqueue = (subject: string) =>
    runInTransaction(server.orm.em.fork(), server.realtime, async (em) =>
      enqueueNotification(em, { kind: NotificationKind.UPDATE_REQUESTED, to: ['someone@example.test'], subject, body: subject, ticketId: null }, server.clock.now())!.id,
    );

  beforeAll(async () => {
    server = await startTestServer({ metrics: { token: METRICS_TOKEN_2 } });
  });
  afterAll(() => server.close());

  it('are read on scrape in one statement, and not again for a few seconds however often it is scraped', async () => {
    server.clock.set('2026-12-01T15:00:00Z');
    await enqueue('the oldest');
    server.clock.set('2026-12-01T15:01:00Z');
    await enqueue('another');
    const given = await enqueue('given up');
    await server.orm.em.getConnection().execute(`update notification set status = 'FAILED' where id = ?`, [given]);
    server.clock.set('2026-12-01T15:10:00Z');

    server.queries.length = 0;
    const figures = await scrape(server.metricsUrl!, METRICS_TOKEN_2);
    expect(figures.value('escalate_outbox_pending')).toBe(2);
    expect(figures.value('escalate_outbox_failed')).toBe(1);
    expect(figures.value('escalate_outbox_oldest_pending_age_seconds')).toBe(600);
    const readsOfTheOutbox = () => server.queries.filter((sql) => /\bfrom notification\b/.test(sql)).length;
    expect(readsOfTheOutbox()).toBe(1);
    await scrape(server.metricsUrl!, METRICS_TOKEN_2);
    await scrape(server.metricsUrl!, METRICS_TOKEN_2);
    expect(readsOfTheOutbox()).toBe(1);
  });
});

describe('METRICS_PORT and METRICS_TOKEN', () => {
  it('are read from the environment; unset, nothing is served', () => {
    expect(configFromEnv({}).metrics).toEqual({ port: undefined, token: undefined });
    expect(configFromEnv({ METRICS_PORT: '9464', METRICS_TOKEN: 'secret' }).metrics).toEqual({ port: 9464, token: 'secret' });
  });

  it('refuse a port that is not one, or the API’s own, in a clear line', () => {
    expect(() => configFromEnv({ METRICS_PORT: 'metrics' })).toThrow(new StartupError("METRICS_PORT must be a TCP port number (0-65535), got 'metrics'."));
    expect(() => configFromEnv({ METRICS_PORT: '70000' })).toThrow(StartupError);
    expect(() => configFromEnv({ PORT: '4000', METRICS_PORT: '4000' })).toThrow(/METRICS_PORT must differ from PORT/);
    expect(() => configFromEnv({ METRICS_PORT: '4000' })).toThrow(/METRICS_PORT must differ from PORT/); // PORT's default
  });
});
