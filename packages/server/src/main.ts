// `npm start`: reads the config, starts PostgreSQL (embedded unless DATABASE_URL is set), migrates, serves.
// SIGTERM/SIGINT stop it all in reverse order (lifecycle.ts); a start-up failure prints one line and exits 1,
// leaving nothing running.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { Logger, pino } from 'pino';
import { secretKey } from './auth/token';
import { Config, configFromEnv, MIN_SECRET_LENGTH, StartupError } from './config';
import { systemClock } from './context';
import { seedDemo } from './db/demo';
import { DataDirectoryBusyError, startEmbeddedPostgres } from './db/embedded-postgres';
import { openDatabase } from './db/orm';
import { createServer } from './http/server';
import { Lifecycle } from './lifecycle';
import { Metrics, serveMetrics } from './metrics';
import { OutboxWorker } from './notifications/outbox-worker';
import { createRealtime } from './realtime/pubsub';
import { SlaTimer } from './sla-cycles/sla-timer';
import { Role } from './users/user.entity';

/** Without AUTH_JWT_SECRET, development keeps a random secret under .data/ so printed tokens survive restarts. */
function developmentSecret(dataDir: string): string {
  const file = path.join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** DATABASE_URL without its password, for messages. */
function shown(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(not a URL)';
  }
}

/** Fails fast, in one line, when DATABASE_URL's server cannot be reached, instead of a driver's stack trace. */
async function checkReachable(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new StartupError(
      `Cannot connect to the database in DATABASE_URL (${shown(url)}): ${(error as Error).message || String(error)}. ` +
        'Check that PostgreSQL runs there and accepts this user, or unset DATABASE_URL to use the embedded one.',
    );
  } finally {
    await client.end().catch(() => {});
  }
}

async function start(config: Config, log: Logger, lifecycle: Lifecycle): Promise<void> {
  // npm runs scripts from the package's folder; .data/ belongs at the root the command was typed in.
  const dataDir = path.resolve(process.env.INIT_CWD ?? process.cwd(), config.dataDir);
  let databaseUrl = config.databaseUrl;
  if (databaseUrl) {
    await checkReachable(databaseUrl);
  } else {
    log.info({ dataDir }, 'DATABASE_URL is not set: starting an embedded PostgreSQL');
    const embedded = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), persistent: true }).catch((error: unknown) => {
      throw error instanceof DataDirectoryBusyError ? new StartupError(error.message) : error;
    });
    lifecycle.started('embedded PostgreSQL', () => embedded.stop());
    databaseUrl = embedded.url;
  }
  if (lifecycle.stopping) return;
  const orm = await openDatabase({ url: databaseUrl, log });
  lifecycle.started('database pool', () => orm.close());
  log.info('database migrated');

  if (!config.jwtSecret) log.warn('AUTH_JWT_SECRET is not set: using a development secret kept in .data/jwt-secret');
  else if (config.jwtSecret.length < MIN_SECRET_LENGTH) log.warn(`AUTH_JWT_SECRET is shorter than ${MIN_SECRET_LENGTH} characters`);
  const jwtKey = secretKey(config.jwtSecret ?? developmentSecret(dataDir));
  // A rotation: tokens signed with the secret being retired are accepted until it is unset; new ones use jwtKey.
  const previousJwtKey = config.jwtSecretPrevious ? secretKey(config.jwtSecretPrevious) : undefined;
  if (previousJwtKey) log.info('AUTH_JWT_SECRET_PREVIOUS is set: tokens signed with the previous secret are still accepted');
  const showDemo = config.databaseUrl === undefined || process.env.ESCALATE_DEMO === 'true';

  const realtime = createRealtime({ redisUrl: config.redisUrl, log });
  lifecycle.started('realtime', () => realtime.close());
  const demoUsers = showDemo ? await seedDemo({ em: orm.em.fork(), realtime, config, key: jwtKey, now: systemClock() }) : [];
  const metrics = config.metrics.port === undefined ? undefined : new Metrics({ orm, clock: systemClock, log });
  if (metrics) {
    // Up before the API and down after it: a shutdown's drain shows in the figures.
    const endpoint = await serveMetrics(metrics, { port: config.metrics.port!, token: config.metrics.token, log });
    lifecycle.started('metrics endpoint', () => endpoint.close());
    if (!config.metrics.token) log[config.production ? 'warn' : 'info']('METRICS_TOKEN is not set: anyone who can reach METRICS_PORT reads the metrics');
    log.info({ url: endpoint.url }, 'metrics served');
  }
  const server = await createServer({ orm, config, log, jwtKey, previousJwtKey, realtime, metrics });
  const slaTimer = new SlaTimer({ orm, realtime, clock: systemClock, log, metrics });
  const outbox = new OutboxWorker({ orm, realtime, clock: systemClock, log, smtpUrl: config.smtpUrl, from: config.notificationsFrom });
  // Stopped together, first: the listener closes and requests drain while the timer and the outbox finish the
  // claim in hand and take no more.
  lifecycle.started('server, SLA timer and outbox', () => Promise.all([server.stop(), slaTimer.stop(), outbox.stop()]));
  if (lifecycle.stopping) return;
  const url = await server.listen(config.port);
  slaTimer.start();
  // Delivers what an earlier process left in the outbox, then whatever transactions commit from now on.
  outbox.start();
  if (!config.smtpUrl) log.info('SMTP_URL is not set: notifications are kept in the outbox and logged, not sent');

  const lines = [``, `  Escalate is running.`, ``, `  Playground:   ${url}  (open it in a browser)`];
  const engineer = demoUsers.find((user) => user.role === Role.ENGINEER);
  // Signed in as the demo engineer: the token rides in the fragment, which the browser never sends.
  const wallScreen = new URL('/dashboard/', url).toString();
  lines.push(`  Wall screen:  ${engineer ? `${wallScreen}#token=${engineer.token}` : `${wallScreen}  (asks for a staff token)`}`, ``);
  if (demoUsers.length) {
    lines.push(`  Demo tokens (organizations "acme" and "globex"; globex's SLA targets are minutes long, so its`);
    lines.push(`  tickets go AT_RISK and BREACHED on the wall screen within minutes). Paste one into the playground's`);
    lines.push(`  Headers as { "Authorization": "Bearer <token>" }`, ``);
    for (const user of demoUsers) {
      const of = user.organization ? ` (${user.organization})` : '';
      lines.push(`  ${user.role.padEnd(9)} ${user.name} <${user.email}>${of}`, `    ${user.token}`, ``);
    }
  }
  console.log(lines.join('\n'));
  log.info({ url }, 'ready');
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = configFromEnv();
  } catch (error) {
    console.error(`escalate: ${(error as Error).message}`);
    process.exit(1);
  }
  // Request lines carry no headers (http/request-log.ts); the redaction guards against one logged by mistake.
  const log = pino({ level: config.logLevel, redact: { paths: ['req.headers.authorization', 'headers.authorization'], censor: '[redacted]' } });
  const lifecycle = new Lifecycle({ log });
  lifecycle.handleSignals(); // from the first moment: a signal during start-up stops what has started so far
  try {
    await start(config, log, lifecycle);
  } catch (error) {
    if (error instanceof StartupError) console.error(`escalate: ${error.message}`);
    else log.fatal({ err: error }, 'start-up failed');
    await lifecycle.stop();
    process.exit(1);
  }
}

void main();
