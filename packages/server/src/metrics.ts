// What an operator's Prometheus scrapes: `GET /metrics` on a port of its own (METRICS_PORT), behind a bearer token
// when METRICS_TOKEN is set. Counters and histograms are bumped where things happen (a GraphQL request, a
// subscription, an SLA transition), a label lookup or two each; what lives elsewhere (the outbox's backlog in
// PostgreSQL, the connection pool) is read when scraped. Each Metrics object has a registry of its own, never
// prom-client's global one, so that test servers side by side each count their own.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { MikroORM } from '@mikro-orm/postgresql';
import { Logger } from 'pino';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { listenOn } from './common/listen';
import { Clock } from './context';
import { OutboxBacklog, outboxBacklog } from './notifications/outbox-worker';

export type OperationType = 'query' | 'mutation' | 'subscription';

/** A GraphQL operation as the metrics count it. */
export interface OperationOutcome {
  /** The operation's name; null for an anonymous one, or when the request was refused before it was read. */
  name: string | null;
  /** Null when the request was refused before its operation was known. */
  type: OperationType | null;
  /** `ok`, or the code of the error that decided it (INTERNAL_SERVER_ERROR when one of ours is among them). */
  outcome: string;
}

/** An operation name becomes a label only in this form; anything else is counted as `other`. */
const OPERATION_NAME = /^[A-Za-z0-9_]{1,64}$/;
/** Distinct operation names kept as labels: past this many, a new name (a client inventing them) is `other`. */
const MAX_OPERATION_NAMES = 200;
/** The outbox's backlog is read at most this often, however many scrapers ask. */
const OUTBOX_READ_EVERY_MS = 5_000;

const REQUEST_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** The timer aims to record a transition within a second of its moment: the buckets are finest there. */
const SLA_LAG_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600];

/** tarn.js's pool, which knex (under MikroORM) keeps its connections in. */
interface ConnectionPool {
  max: number;
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

export interface MetricsOptions {
  orm: MikroORM;
  clock: Clock;
  log: Logger;
  /** Default: a new one. */
  registry?: Registry;
}

export class Metrics {
  readonly registry: Registry;
  private readonly requests: Counter<'operation' | 'type' | 'outcome'>;
  private readonly requestSeconds: Histogram<'type'>;
  private readonly errors: Counter<'code'>;
  private readonly sockets: Gauge;
  private readonly subscriptions: Gauge;
  private readonly subscriptionEvents: Counter;
  private readonly liveLogEvents: Counter<'reader'>;
  private readonly liveLogMessages: Counter<'topic'>;
  private readonly slaLag: Histogram;
  private readonly operationNames = new Set<string>();
  private backlog: { readAt: number; value: Promise<OutboxBacklog | null> } | null = null;

  constructor(private readonly options: MetricsOptions) {
    const registry = (this.registry = options.registry ?? new Registry());
    const registers = [registry];
    collectDefaultMetrics({ register: registry });

    this.requests = new Counter({
      name: 'escalate_graphql_requests_total',
      help: 'GraphQL operations answered (HTTP requests, and operations started over WebSocket), by operation name (anonymous; other past 200 names), type (unknown when refused before it was read) and outcome (ok, or the error code).',
      labelNames: ['operation', 'type', 'outcome'],
      registers,
    });
    this.requestSeconds = new Histogram({
      name: 'escalate_graphql_request_duration_seconds',
      help: 'Time to answer a GraphQL request over HTTP, from its arrival to the last byte of the response, by operation type.',
      labelNames: ['type'],
      buckets: REQUEST_SECONDS_BUCKETS,
      registers,
    });
    this.errors = new Counter({
      name: 'escalate_graphql_errors_total',
      help: 'GraphQL errors sent, by extensions.code (INTERNAL_SERVER_ERROR: ours; the others: a client’s).',
      labelNames: ['code'],
      registers,
    });
    this.sockets = new Gauge({ name: 'escalate_websocket_connections', help: 'WebSocket connections open now.', registers });
    this.subscriptions = new Gauge({ name: 'escalate_subscriptions_running', help: 'GraphQL subscriptions running now, on every socket.', registers });
    this.subscriptionEvents = new Counter({
      name: 'escalate_subscription_events_delivered_total',
      help: 'Events sent to subscribers over WebSocket (one per subscriber per event).',
      registers,
    });
    this.liveLogEvents = new Counter({
      name: 'escalate_live_log_events_read_total',
      help: 'Ticket events read from the live log: by the tail (live, once per instance) or by a replay (a subscription resumed from a cursor).',
      labelNames: ['reader'],
      registers,
    });
    this.liveLogMessages = new Counter({
      name: 'escalate_live_log_messages_published_total',
      help: 'Messages the live log’s tail handed to this instance’s subscriptions, by topic.',
      labelNames: ['topic'],
      registers,
    });
    this.slaLag = new Histogram({
      name: 'escalate_sla_timer_lag_seconds',
      help: 'Seconds between the moment an SLA transition (AT_RISK, BREACHED) fell due and the SLA timer recording it.',
      buckets: SLA_LAG_BUCKETS,
      registers,
    });

    const read = (name: string, help: string, value: () => number | Promise<number>) =>
      new Gauge({
        name,
        help,
        registers,
        async collect() {
          this.set(await value());
        },
      });
    read('escalate_outbox_pending', 'Notifications waiting in the outbox for a (further) delivery attempt (NaN: the database could not be read).', async () => (await this.outbox())?.pending ?? NaN);
    read('escalate_outbox_failed', 'Notifications given up after their last attempt (status FAILED), all time.', async () => (await this.outbox())?.failed ?? NaN);
    read('escalate_outbox_oldest_pending_age_seconds', 'Age of the oldest notification still waiting in the outbox; 0 when none waits.', async () => {
      const backlog = await this.outbox();
      if (!backlog) return NaN;
      return backlog.oldestPendingAt ? Math.max(0, (this.options.clock().getTime() - backlog.oldestPendingAt.getTime()) / 1000) : 0;
    });
    read('escalate_db_pool_connections_in_use', 'Database connections lent out now.', () => this.pool()?.numUsed() ?? 0);
    read('escalate_db_pool_connections_idle', 'Database connections open and idle.', () => this.pool()?.numFree() ?? 0);
    read('escalate_db_pool_waiting', 'Requests for a database connection waiting for one (the pool is exhausted while this stays above 0).', () => this.pool()?.numPendingAcquires() ?? 0);
    read('escalate_db_pool_max', 'The most database connections the pool opens.', () => this.pool()?.max ?? 0);
  }

  /** A GraphQL operation answered; `seconds` for HTTP requests (a subscription has no duration to speak of). */
  graphqlRequest(operation: OperationOutcome, seconds?: number): void {
    const type = operation.type ?? 'unknown';
    this.requests.inc({ operation: this.operationLabel(operation.name), type, outcome: operation.outcome });
    if (seconds !== undefined) this.requestSeconds.observe({ type }, seconds);
  }

  graphqlError(code: string): void {
    this.errors.inc({ code });
  }

  socketOpened(): void {
    this.sockets.inc();
  }

  socketClosed(): void {
    this.sockets.dec();
  }

  subscriptionsStarted(count = 1): void {
    this.subscriptions.inc(count);
  }

  subscriptionsEnded(count = 1): void {
    this.subscriptions.dec(count);
  }

  subscriptionEventDelivered(): void {
    this.subscriptionEvents.inc();
  }

  liveLogRead(reader: 'tail' | 'replay', events: number): void {
    if (events > 0) this.liveLogEvents.inc({ reader }, events);
  }

  liveLogPublished(topic: string): void {
    this.liveLogMessages.inc({ topic });
  }

  /** The SLA timer recorded a transition that fell due `lagSeconds` ago. */
  slaTransitionRecorded(lagSeconds: number): void {
    this.slaLag.observe(Math.max(0, lagSeconds));
  }

  /** The Prometheus text exposition of every figure. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  private operationLabel(name: string | null): string {
    if (!name) return 'anonymous';
    if (this.operationNames.has(name)) return name;
    if (this.operationNames.size >= MAX_OPERATION_NAMES || !OPERATION_NAME.test(name)) return 'other';
    this.operationNames.add(name);
    return name;
  }

  /** The outbox's backlog, read once for the three gauges and then reused for a few seconds; null when it failed. */
  private outbox(): Promise<OutboxBacklog | null> {
    const now = performance.now();
    if (!this.backlog || now - this.backlog.readAt >= OUTBOX_READ_EVERY_MS) {
      const value = outboxBacklog(this.options.orm).catch((error: unknown) => {
        this.options.log.warn({ err: error }, 'metrics: the outbox could not be read');
        return null;
      });
      this.backlog = { readAt: now, value };
    }
    return this.backlog.value;
  }

  private pool(): ConnectionPool | undefined {
    return (this.options.orm.em.getConnection().getKnex().client as { pool?: ConnectionPool }).pool;
  }
}

export interface MetricsEndpointOptions {
  port: number;
  /** Default: every interface, for a Prometheus elsewhere on the network. */
  host?: string;
  /** METRICS_TOKEN: when set, a scrape without `Authorization: Bearer <token>` gets 401. */
  token?: string | undefined;
  log: Logger;
}

export interface MetricsEndpoint {
  /** e.g. `http://localhost:9464/metrics`. */
  url: string;
  close(): Promise<void>;
}

/** Serves `GET /metrics` on its own port; nothing else is served there. */
export async function serveMetrics(metrics: Metrics, options: MetricsEndpointOptions): Promise<MetricsEndpoint> {
  const { token, log } = options;
  // Compared as digests: equal lengths for timingSafeEqual, and the time taken says nothing of the token.
  const expected = token === undefined ? null : digest(token);
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: the metrics are at GET /metrics\n');
      return;
    }
    if (expected && !timingSafeEqual(digest(bearer(request.headers.authorization)), expected)) {
      response.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer realm="metrics"' }).end('Send Authorization: Bearer <METRICS_TOKEN>\n');
      return;
    }
    metrics.scrape().then(
      (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(request.method === 'HEAD' ? undefined : text),
      (error: unknown) => {
        log.error({ err: error }, 'metrics: the scrape failed');
        response.writeHead(500, { 'content-type': 'text/plain' }).end('The metrics could not be collected\n');
      },
    );
  });
  const { port, host = '0.0.0.0' } = options;
  const url = await listenOn(server, port, host, {
    inUse: `METRICS_PORT ${port} is already in use by another program: choose another port.`,
    privileged: `METRICS_PORT ${port} needs privileges this process does not have: choose a port above 1023.`,
  });
  return {
    url: `${url}/metrics`,
    close: () =>
      new Promise<void>((closed) => {
        server.close(() => closed());
        server.closeAllConnections(); // a scraper's keep-alive connection would hold close() open
      }),
  };
}

function bearer(authorization: string | undefined): string {
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1] ?? '';
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
