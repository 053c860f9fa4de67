// `npm start`: reads the config, starts PostgreSQL (embedded unless DATABASE_URL is set), migrates, serves,
// and shuts everything down cleanly on SIGTERM/SIGINT.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { secretKey } from './auth/token';
import { configFromEnv } from './config';
import { systemClock } from './context';
import { seedDemo } from './db/demo';
import { EmbeddedDatabase, startEmbeddedPostgres } from './db/embedded-postgres';
import { openDatabase } from './db/orm';
import { createServer } from './http/server';
import { OutboxWorker } from './notifications/outbox-worker';
import { createRealtime } from './realtime/pubsub';
import { SlaTimer } from './realtime/sla-timer';

/** Without AUTH_JWT_SECRET, development keeps a random secret under .data/ so printed tokens survive restarts. */
function developmentSecret(dataDir: string): string {
  const file = path.join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

async function main(): Promise<void> {
  const config = configFromEnv();
  const log = pino({ level: config.logLevel, redact: { paths: ['req.headers.authorization'], censor: '[redacted]' } });
  // npm runs scripts from the package's folder; .data/ belongs at the root the command was typed in.
  const dataDir = path.resolve(process.env.INIT_CWD ?? process.cwd(), config.dataDir);

  let embedded: EmbeddedDatabase | null = null;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    log.info({ dataDir }, 'DATABASE_URL is not set: starting an embedded PostgreSQL');
    embedded = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, 'postgres'),
      persistent: true,
      onError: (message) => log.debug({ postgres: String(message) }, 'postgres'),
    });
    databaseUrl = embedded.url;
  }
  const orm = await openDatabase({ url: databaseUrl, log });
  log.info('database migrated');

  if (!config.jwtSecret) log.warn('AUTH_JWT_SECRET is not set: using a development secret kept in .data/jwt-secret');
  const jwtKey = secretKey(config.jwtSecret ?? developmentSecret(dataDir));
  const showDemo = embedded !== null || process.env.ESCALATE_DEMO === 'true';
  const demoUsers = showDemo ? await seedDemo(orm.em.fork(), jwtKey, systemClock()) : [];

  const realtime = createRealtime({ redisUrl: config.redisUrl, log });
  const server = await createServer({ orm, config, log, jwtKey, realtime });
  const url = await server.listen(config.port);
  const slaTimer = new SlaTimer({ orm, realtime, clock: systemClock, log });
  slaTimer.start();
  // Delivers what an earlier process left in the outbox, then whatever transactions commit from now on.
  const outbox = new OutboxWorker({ orm, clock: systemClock, log, smtpUrl: config.smtpUrl, from: config.notificationsFrom });
  outbox.start();
  if (!config.smtpUrl) log.info('SMTP_URL is not set: notifications are kept in the outbox and logged, not sent');

  const lines = [``, `  Escalate is running.`, ``, `  Playground:  ${url}  (open it in a browser)`, ``];
  if (demoUsers.length) {
    lines.push(`  Demo tokens (organization "acme"); paste one into the playground's Headers as`);
    lines.push(`    { "Authorization": "Bearer <token>" }`, ``);
    for (const user of demoUsers) lines.push(`  ${user.role.padEnd(9)} ${user.name} <${user.email}>`, `    ${user.token}`, ``);
  }
  console.log(lines.join('\n'));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    try {
      await slaTimer.stop();
      await server.stop();
      await outbox.stop();
      await realtime.close();
      await orm.close();
      await embedded?.stop();
      log.info('stopped');
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, 'unclean shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
