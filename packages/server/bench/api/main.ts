// npm run bench:api [-- options]: Escalate side by side with PostGraphile 4 and the floor of the stack (node:http +
// pg, one statement per request) on one PostgreSQL and one generated dataset, in alternating rounds (A B C, C B A,
// …), each side its own process. Prints req/s, latency, server CPU and SQL statements per request and memory per
// job and side, with Escalate's ratios. See --help; the README's performance section has a run's output.
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { secretKey, signToken } from '../../src/auth/token';
import { Role } from '../../src/users/user.entity';
import { openBenchDatabase } from './database';
import { BenchUser, DatasetWriter } from './dataset';
import { JOB_SIDES, JobContext, JobName, JOBS, Measurement, RUN_JOB } from './jobs';
import { machine } from './process-stats';
import { report } from './report';
import { SIDE_LABELS, SideName } from './sides';

const HELP = `npm run bench:api -- [options]

  --tickets N          tickets in the generated dataset (default 20000), in --organizations (default 50)
  --jobs LIST          dashboard,create,fanout,burst (default: all)
  --sides LIST         escalate,postgraphile,floor (default: all)
  --rounds N           rounds per job, sides in turn A B C, C B A, … (default 3)
  --duration S         seconds of load per measurement (default 10), after --warmup S (default 3)
  --connections N      autocannon connections (default 32)
  --subscribers N      fan-out subscribers (default 1000)
  --burst N            cycles reaching AT_RISK at one moment (default 5000), --burst-lead S ahead (default 15)
  --idle S             seconds each side is watched idle after start (default 3)
  --json FILE          also write every measurement as JSON
  --cpu-prof DIR       write a V8 CPU profile of every side process into DIR
  --seed N             dataset seed (default 1)

DATABASE_URL: use that server (a fresh database is created and dropped); unset: an embedded PostgreSQL in a
throwaway folder, with pg_stat_statements. Needs the built server (npm run bench:api builds it when stale).`;

function options() {
  const { values } = parseArgs({
    options: {
      tickets: { type: 'string', default: '20000' },
      organizations: { type: 'string', default: '50' },
      jobs: { type: 'string', default: JOBS.join(',') },
      sides: { type: 'string', default: 'escalate,postgraphile,floor' },
      rounds: { type: 'string', default: '3' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '32' },
      subscribers: { type: 'string', default: '1000' },
      burst: { type: 'string', default: '5000' },
      'burst-lead': { type: 'string', default: '15' },
      idle: { type: 'string', default: '3' },
      json: { type: 'string' },
      'cpu-prof': { type: 'string' },
      seed: { type: 'string', default: '1' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const number = (name: keyof typeof values, min: number) => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value < min) throw new Error(`--${name} must be a number of at least ${min}, got '${values[name]}'.`);
    return value;
  };
  const list = <T extends string>(name: 'jobs' | 'sides', known: readonly T[]): T[] => {
    const given = values[name]!.split(',').map((item) => item.trim()).filter(Boolean);
    const unknown = given.filter((item) => !known.includes(item as T));
    if (unknown.length) throw new Error(`--${name}: unknown ${unknown.join(', ')} (known: ${known.join(', ')}).`);
    return given as T[];
  };
  return {
    tickets: number('tickets', 50),
    organizations: number('organizations', 1),
    jobs: list<JobName>('jobs', JOBS),
    sides: list<SideName>('sides', ['escalate', 'postgraphile', 'floor']),
    rounds: number('rounds', 1),
    durationSeconds: number('duration', 1),
    warmupSeconds: number('warmup', 0),
    connections: number('connections', 1),
    subscribers: number('subscribers', 1),
    burst: number('burst', 1),
    burstLeadSeconds: number('burst-lead', 1),
    idleSeconds: number('idle', 1),
    json: values.json ?? null,
    cpuProfileDir: values['cpu-prof'] ? path.resolve(process.env.INIT_CWD ?? process.cwd(), values['cpu-prof']) : null,
    seed: number('seed', 0),
  };
}

/** Wall screens sign in as a hundred or so users, each with many sockets. */
const SOCKETS_PER_USER = 100;

async function tokenFor(user: Pick<BenchUser, 'sub' | 'name' | 'email' | 'role' | 'org'>, secret: string): Promise<string> {
  return signToken({ sub: user.sub, name: user.name, email: user.email, role: user.role, org: user.org }, secretKey(secret), { expiresAt: new Date(Date.now() + 24 * 3600_000) });
}

/** The commit the built server comes from, and whether src/ had changes on top (others' work in the checkout). */
function checkout(): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: path.resolve(__dirname, '..', '..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    return `${git('log', '-1', '--format=%h %s').slice(0, 100)}${git('status', '--porcelain', '--', 'src') ? ', with uncommitted changes under src/' : ''}`;
  } catch {
    return 'an unknown commit (no git)';
  }
}

async function main(): Promise<void> {
  const settings = options();
  if (!existsSync(path.resolve(__dirname, '..', '..', 'dist', 'main.js'))) throw new Error('dist/main.js is missing: run `npm run build -w @escalate/server` (npm run bench:api does).');
  if (settings.cpuProfileDir) mkdirSync(settings.cpuProfileDir, { recursive: true });
  const host = machine();
  const log = (line: string) => console.log(line);
  log(`Escalate API bench, ${host.date}`);
  log(`machine: ${host.cpuModel}, ${host.cores} cores, ${host.memoryGb} GB; ${host.os}; Node ${host.node}`);
  log(`server: dist/ built from ${checkout()}`);

  const started = performance.now();
  const db = await openBenchDatabase(process.env.DATABASE_URL);
  let writer: DatasetWriter | null = null;
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('error', (error) => log(`bench connection: ${error.message}`));
  const stop = async () => {
    await pool.end().catch(() => {});
    await writer?.close().catch(() => {});
    await db.close();
  };
  process.once('SIGINT', () => {
    log('\ninterrupted: dropping the bench database');
    void stop().finally(() => process.exit(130));
  });
  try {
    log(`PostgreSQL ${db.serverVersion}, ${db.where}; database ${db.name} (dropped at the end); SQL counted with ${db.statementSource === 'pg_stat_statements' ? 'pg_stat_statements (calls)' : 'pg_stat_database.xact_commit: transactions, not statements (pg_stat_statements is not loaded)'}`);
    writer = await DatasetWriter.open(db.url, settings.seed);
    const dataset = await writer.write({ tickets: settings.tickets, organizations: settings.organizations, seed: settings.seed });
    const { counts } = dataset;
    log(
      `dataset: ${counts.tickets.toLocaleString('en-US')} tickets (${dataset.openTickets.toLocaleString('en-US')} open) in ${dataset.organizations.length} organizations, ` +
        `${counts.notes.toLocaleString('en-US')} notes, ${counts.events.toLocaleString('en-US')} events, ${counts.cycles.toLocaleString('en-US')} SLA cycles, ` +
        `${counts.users} users; largest organization ${dataset.largest.slug} with ${dataset.largest.tickets.toLocaleString('en-US')} tickets; written in ${dataset.seconds.toFixed(1)} s`,
    );
    const jwtSecret = randomBytes(32).toString('base64url');
    const walls = await Promise.all(
      Array.from({ length: Math.ceil(settings.subscribers / SOCKETS_PER_USER) }, (_, index) =>
        tokenFor({ sub: `bench-wall-${index + 1}`, name: `Wall screen ${index + 1}`, email: `wall-${index + 1}@vendor.example`, role: Role.ENGINEER, org: null }, jwtSecret),
      ),
    );
    const context: JobContext = {
      db,
      pool,
      dataset,
      writer,
      settings: { databaseUrl: db.url, jwtSecret, subscribersPerUser: SOCKETS_PER_USER, maxSocketsPerUser: settings.subscribers + 1000, cpuProfileDir: settings.cpuProfileDir },
      options: settings,
      tokens: { staff: await tokenFor(dataset.engineers[0]!, jwtSecret), customer: await tokenFor(dataset.largest.customer, jwtSecret), walls },
      log,
    };
    log(
      `load: autocannon, ${settings.connections} connections, ${settings.durationSeconds} s after ${settings.warmupSeconds} s of warm-up; ${settings.rounds} rounds, sides in turn; ` +
        `Escalate with LOG_LEVEL=warn, NODE_ENV=production, rate limits off`,
    );
    const measurements: Measurement[] = [];
    for (const job of settings.jobs) {
      const sides = JOB_SIDES[job].filter((side) => settings.sides.includes(side));
      for (let round = 0; round < settings.rounds; round += 1) {
        for (const side of round % 2 ? [...sides].reverse() : sides) {
          const jobStarted = performance.now();
          const results = await RUN_JOB[job](context, side, round);
          measurements.push(...results);
          const shown = results
            .filter((result) => result.job !== 'idle')
            .map((result) => `${result.variant}: ${Object.entries(result.values).slice(0, 3).map(([name, value]) => `${name} ${value === null ? '—' : Number(value.toFixed(2))}`).join(', ')}${result.problems.length ? ` (${result.problems.length} problems)` : ''}`)
            .join('; ');
          log(`  ${job}, round ${round + 1}, ${SIDE_LABELS[side]}: ${shown} [${((performance.now() - jobStarted) / 1000).toFixed(0)} s]`);
        }
      }
    }
    const { largest } = dataset;
    const titles = {
      'dashboard/staff': `dashboard read, staff: tickets(first: 50) with organization, requester, assignee, notes(first: 3) with authors, sla { state dueAt } (${counts.tickets.toLocaleString('en-US')} tickets)`,
      'dashboard/customer': `the same as a customer of ${largest.slug} (${largest.tickets.toLocaleString('en-US')} tickets; public notes only)`,
      create: 'ticketCreate as a customer, SEV1–SEV4 in turn, a new idempotency key each',
      fanout: `one status change → ${settings.subscribers.toLocaleString('en-US')} staff subscribers (ticketStatusChanged with the ticket's sla; the floor: one JSON to N sockets), from the mutation's send to each receipt`,
      burst: `${settings.burst.toLocaleString('en-US')} SLA cycles reaching AT_RISK at one moment ${settings.burstLeadSeconds} s ahead, one slaStatusChanged subscriber`,
      idle: 'each side just started, idle (median over every start)',
    };
    const { text, summaries } = report(measurements, titles, db.statementSource);
    log(text);
    log(`\nSQL statements per request are net of the side's idle rate; server CPU is the side process's utime + stime; PostgreSQL CPU is the whole server's.`);
    log(`total ${((performance.now() - started) / 60_000).toFixed(1)} min`);
    if (settings.json) {
      const file = path.resolve(process.env.INIT_CWD ?? process.cwd(), settings.json);
      writeFileSync(file, JSON.stringify({ machine: host, database: { version: db.serverVersion, where: db.where, statements: db.statementSource }, dataset: { ...dataset, engineers: undefined }, settings, summaries, measurements }, null, 2));
      log(`measurements written to ${file}`);
    }
    if (settings.cpuProfileDir) log(`CPU profiles in ${settings.cpuProfileDir}`);
  } finally {
    await stop();
  }
}

main().catch((error: unknown) => {
  console.error(`bench:api: ${(error as Error).stack ?? error}`);
  process.exit(1);
});
