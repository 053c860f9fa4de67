// The jobs, each run on one side in one round against a freshly started side process: what is measured and how.
// Every job first measures the side idle for a few seconds (statements and CPU a second, memory), and subtracts that
// idle rate of statements from what a job counts per request.
import autocannon from 'autocannon';
import { ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { toGlobalId } from '../../src/common/global-id';
import { BenchDatabase } from './database';
import { Dataset, DatasetWriter } from './dataset';
import { cpuTicks, rssBytes, TICKS_PER_SECOND, watchRss } from './process-stats';
import { createRequests, dashboardRequest, send, SideRequest, SLA_SUBSCRIPTION, STATUS_SUBSCRIPTION, statusChangeRequest } from './requests';
import { Side, SideName, SideSettings, startSide } from './sides';

export const JOBS = ['dashboard', 'create', 'fanout', 'burst'] as const;
export type JobName = (typeof JOBS)[number];

/** Which sides each job runs on: PostGraphile answers reads only (no SLA engine, no subscriptions here). */
export const JOB_SIDES: Record<JobName, SideName[]> = {
  dashboard: ['escalate', 'postgraphile', 'floor'],
  create: ['escalate', 'floor'],
  fanout: ['escalate', 'floor'],
  burst: ['escalate', 'floor'],
};

export interface JobOptions {
  durationSeconds: number;
  warmupSeconds: number;
  idleSeconds: number;
  connections: number;
  subscribers: number;
  burst: number;
  /** Seconds between the burst's cycles being written and their at-risk moment. */
  burstLeadSeconds: number;
}

export interface JobContext {
  db: BenchDatabase;
  pool: pg.Pool;
  dataset: Dataset;
  writer: DatasetWriter;
  settings: SideSettings;
  options: JobOptions;
  tokens: { staff: string; customer: string; walls: string[] };
  log(line: string): void;
}

/** One figure set of one job variant on one side in one round. */
export interface Measurement {
  job: JobName | 'idle';
  variant: string;
  side: SideName;
  round: number;
  values: Record<string, number | null>;
  problems: string[];
}

const MB = 1024 * 1024;
const ticksToMs = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: number[], fraction: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

interface Window {
  seconds: number;
  /** The time over which `statements` were counted (longer than `seconds` when counts arrive late). */
  statementSeconds: number;
  cpuMs: number;
  dbCpuMs: number | null;
  statements: number;
  rssPeakMb: number;
}

/** Runs `work` while watching the side: its CPU and peak memory, PostgreSQL's CPU, the statements in the database. */
async function measured<T>(context: JobContext, side: Side, work: () => Promise<T>): Promise<{ result: T; window: Window }> {
  const stopRss = watchRss(side.pid);
  const [cpuBefore, dbBefore, statementsBefore] = [cpuTicks(side.pid), await context.db.cpuTicks(), await context.db.statements()];
  const started = performance.now();
  const result = await work();
  const seconds = (performance.now() - started) / 1000;
  const [cpuAfter, dbAfter] = [cpuTicks(side.pid), await context.db.cpuTicks()];
  // Backends report transaction counts when idle, at most once a second: wait for the window's last ones.
  const lag = context.db.statementSource === 'xact_commit' ? 1100 : 0;
  if (lag) await sleep(lag);
  const statementsAfter = await context.db.statements();
  return {
    result,
    window: {
      seconds,
      statementSeconds: seconds + lag / 1000,
      cpuMs: cpuBefore !== null && cpuAfter !== null ? ticksToMs(cpuAfter - cpuBefore) : NaN,
      dbCpuMs: dbBefore !== null && dbAfter !== null ? ticksToMs(dbAfter - dbBefore) : null,
      statements: statementsAfter - statementsBefore,
      rssPeakMb: stopRss() / MB,
    },
  };
}

/** A side started for one job and round, with its idle figures taken first. */
async function withSide(context: JobContext, name: SideName, round: number, run: (side: Side, idleStatementsPerSecond: number) => Promise<Measurement[]>): Promise<Measurement[]> {
  const side = await startSide(name, context.settings);
  try {
    await sleep(1000);
    const { window } = await measured(context, side, () => sleep(context.options.idleSeconds * 1000));
    const idle: Measurement = {
      job: 'idle',
      variant: 'idle, just started',
      side: name,
      round,
      values: {
        statementsPerSecond: window.statements / window.statementSeconds,
        cpuMsPerSecond: window.cpuMs / window.seconds,
        rssMb: (rssBytes(side.pid) ?? 0) / MB,
      },
      problems: [],
    };
    return [idle, ...(await run(side, window.statements / window.statementSeconds))];
  } finally {
    const crash = side.crash();
    await side.stop();
    if (crash) context.log(`  ${name} had exited: ${crash}`);
  }
}

let sent = 0;
const uniqueId = () => `${process.pid}-${Date.now().toString(36)}-${(sent += 1)}`;

/** autocannon at `connections` for the job's duration after a warm-up; figures per request. */
async function load(context: JobContext, side: Side, requests: SideRequest[], idleStatementsPerSecond: number): Promise<Record<string, number | null>> {
  const { connections, durationSeconds, warmupSeconds } = context.options;
  const base = {
    url: side.base,
    connections,
    timeout: 30,
    requests: requests.map(({ method, path, headers, body }) => ({
      method,
      path,
      headers,
      ...(body === undefined ? {} : { body }),
      // A fresh `[<id>]` in each request's body (autocannon's own idReplacement sends nothing here).
      ...(body?.includes('[<id>]') ? { setupRequest: (request: object) => ({ ...request, body: body.replace('[<id>]', uniqueId()) }) } : {}),
    })),
  };
  if (warmupSeconds > 0) await autocannon({ ...base, duration: warmupSeconds });
  const { result, window } = await measured(context, side, () => autocannon({ ...base, duration: durationSeconds }));
  const done = result.requests.total;
  const perRequest = (value: number | null) => (value === null || done === 0 ? null : value / done);
  return {
    requestsPerSecond: done / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    cpuMsPerRequest: perRequest(window.cpuMs),
    dbCpuMsPerRequest: perRequest(window.dbCpuMs),
    statementsPerRequest: perRequest(Math.max(0, window.statements - idleStatementsPerSecond * window.statementSeconds)),
    rssPeakMb: window.rssPeakMb,
    requests: done,
    failed: result.errors + result.timeouts + result.non2xx,
  };
}

export async function dashboardJob(context: JobContext, name: SideName, round: number): Promise<Measurement[]> {
  return withSide(context, name, round, async (side, idleRate) => {
    const measurements: Measurement[] = [];
    for (const viewer of ['staff', 'customer'] as const) {
      const request = dashboardRequest(name, viewer, context.dataset, context.tokens);
      const problems: string[] = [];
      let values: Record<string, number | null> = {};
      try {
        const { bytes } = await send(side.base, request);
        values = { ...(await load(context, side, [request], idleRate)), responseKb: bytes / 1024 };
        // The page's time alone, one request at a time: what the table's size does to it.
        const times: number[] = [];
        for (let n = 0; n < 10; n += 1) times.push((await send(side.base, request)).ms);
        values.singleRequestMs = times.sort((a, b) => a - b)[5]!;
      } catch (error) {
        problems.push((error as Error).message);
      }
      measurements.push({ job: 'dashboard', variant: viewer, side: name, round, values, problems });
    }
    return measurements;
  });
}

export async function createJob(context: JobContext, name: SideName, round: number): Promise<Measurement[]> {
  return withSide(context, name, round, async (side, idleRate) => {
    const requests = createRequests(name, context.dataset, context.tokens);
    const problems: string[] = [];
    let values: Record<string, number | null> = {};
    try {
      await send(side.base, requests[0]!);
      values = await load(context, side, requests, idleRate);
    } catch (error) {
      problems.push((error as Error).message);
    } finally {
      // The table stays the size it was for the next job and side.
      await context.writer.removeTickets(`idempotency_key like 'bench-create-%'`);
    }
    return [{ job: 'create', variant: 'ticketCreate', side: name, round, values, problems }];
  });
}

/** Subscriber processes: a few thousand sockets each, so that no single client process is the bottleneck. */
class Subscribers {
  private readonly children: ChildProcess[];

  constructor(count: number) {
    this.children = Array.from({ length: count }, () => fork(path.join(__dirname, 'subscriber-process.mjs'), [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }

  private answer<T>(child: ChildProcess, type: string, timeoutMs: number): Promise<T | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(null), timeoutMs);
      const onMessage = (message: { type: string }) => message.type === type && done(message as T);
      const done = (value: T | null) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(value);
      };
      child.on('message', onMessage);
    });
  }

  async connect(url: string, mode: 'graphql' | 'plain', tokens: string[], query: string): Promise<{ open: number; failed: number }> {
    const share = Math.ceil(tokens.length / this.children.length);
    const answers = await Promise.all(
      this.children.map((child, index) => {
        const mine = tokens.slice(index * share, (index + 1) * share);
        const answer = this.answer<{ open: number; failed: number }>(child, 'connected', 600_000);
        child.send({ type: 'connect', url, mode, tokens: mine, query });
        return answer;
      }),
    );
    return answers.reduce((sum: { open: number; failed: number }, answer) => ({ open: sum.open + (answer?.open ?? 0), failed: sum.failed + (answer?.failed ?? 0) }), { open: 0, failed: 0 });
  }

  /** Each socket's first message whose `key` is `value`, after `trigger`: receipt times (epoch ms) and refusals. */
  async expect(key: string, value: string, timeoutMs: number, trigger: () => Promise<void>): Promise<{ times: number[]; errors: number; closes: number }> {
    const answers = this.children.map((child) => this.answer<{ times: number[]; errors: number; closes: number }>(child, 'received', timeoutMs));
    for (const child of this.children) child.send({ type: 'expect', key, value });
    await trigger();
    const late = this.children.map((child) => this.answer<{ times: number[]; errors: number; closes: number }>(child, 'received', timeoutMs + 5_000));
    const results = await Promise.all(
      answers.map(async (answer, index) => {
        const result = await answer;
        if (result) return result;
        this.children[index]!.send({ type: 'report' });
        return late[index]!;
      }),
    );
    return results.reduce((sum: { times: number[]; errors: number; closes: number }, result) => ({ times: sum.times.concat(result?.times ?? []), errors: sum.errors + (result?.errors ?? 0), closes: sum.closes + (result?.closes ?? 0) }), { times: [], errors: 0, closes: 0 });
  }

  count(key: string, value: string, ids: string[]): void {
    for (const child of this.children) child.send({ type: 'count', key, value, ids });
  }

  async counted(): Promise<{ distinct: number; last: number | null }> {
    const answers = this.children.map((child) => this.answer<{ distinct: number; last: number | null }>(child, 'counted', 10_000));
    for (const child of this.children) child.send({ type: 'report' });
    const results = await Promise.all(answers);
    return { distinct: results.reduce((sum, result) => sum + (result?.distinct ?? 0), 0), last: Math.max(0, ...results.map((result) => result?.last ?? 0)) || null };
  }

  async close(): Promise<void> {
    await Promise.all(
      this.children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.send({ type: 'close' });
            setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
          }),
      ),
    );
  }
}

const epochNow = () => performance.timeOrigin + performance.now();

/** One status change seen by N subscribers: latency from the mutation's send to each socket's receipt. */
export async function fanoutJob(context: JobContext, name: SideName, round: number): Promise<Measurement[]> {
  return withSide(context, name, round, async (side) => {
    const { subscribers: n } = context.options;
    const { walls } = context.tokens;
    const perUser = context.settings.subscribersPerUser;
    const clients = new Subscribers(Math.max(2, Math.ceil(n / 2500)));
    const problems: string[] = [];
    const values: Record<string, number | null> = {};
    try {
      const rssBefore = rssBytes(side.pid) ?? 0;
      const url = name === 'escalate' ? `${side.base.replace('http', 'ws')}/graphql` : `${side.base.replace('http', 'ws')}/ws`;
      const tokens = Array.from({ length: n }, (_, index) => walls[Math.floor(index / perUser)] ?? '');
      const { open, failed } = await clients.connect(url, name === 'escalate' ? 'graphql' : 'plain', tokens, STATUS_SUBSCRIPTION);
      if (failed) problems.push(`${failed} of ${n} subscribers could not connect`);
      await sleep(1000);
      const rssConnected = rssBytes(side.pid) ?? 0;
      Object.assign(values, { subscribers: open, rssConnectedMb: rssConnected / MB, kbPerSubscriber: open ? (rssConnected - rssBefore) / 1024 / open : null });
      const timeoutMs = Math.max(60_000, n * 10);
      const change = async () => {
        const { rows } = await context.pool.query<{ status: string }>('select status from ticket where id = $1', [context.dataset.fanoutTicketId]);
        const to = rows[0]?.status === 'IN_PROGRESS' ? 'WAITING_ON_CUSTOMER' : 'IN_PROGRESS';
        let sentAt = 0;
        const received = await clients.expect('to', to, timeoutMs, async () => {
          sentAt = epochNow();
          await send(side.base, statusChangeRequest(name, context.dataset.fanoutTicketId, to, context.tokens.staff));
        });
        return { ...received, sentAt };
      };
      // The first change also proves every subscription is in place (graphql-ws does not acknowledge them).
      const warm = await change();
      if (warm.times.length < open) problems.push(`warm-up: ${open - warm.times.length} of ${open} subscribers got nothing in ${timeoutMs / 1000} s`);
      const { result, window } = await measured(context, side, change);
      const latencies = result.times.map((time) => time - result.sentAt).sort((a, b) => a - b);
      if (latencies.length < open) problems.push(`${open - latencies.length} of ${open} subscribers got nothing in ${timeoutMs / 1000} s`);
      if (result.errors) problems.push(`${result.errors} subscriptions refused`);
      if (result.closes) problems.push(`${result.closes} sockets closed by the server`);
      const said = side.output().trim();
      if (latencies.length < open && said) problems.push(`the server said: ${said.split('\n').slice(-3).join(' / ').slice(0, 600)}`);
      Object.assign(values, {
        delivered: latencies.length,
        p50Ms: percentile(latencies, 0.5),
        p99Ms: percentile(latencies, 0.99),
        maxMs: latencies[latencies.length - 1] ?? null,
        cpuMs: window.cpuMs,
        dbCpuMs: window.dbCpuMs,
        statements: window.statements,
        rssPeakMb: window.rssPeakMb,
      });
    } catch (error) {
      problems.push((error as Error).message);
    } finally {
      await clients.close();
    }
    return [{ job: 'fanout', variant: `${n} subscribers`, side: name, round, values, problems }];
  });
}

/** How long after the burst's moment the job waits for every transition to be recorded and heard. */
const BURST_TIMEOUT_MS = 180_000;

/** `count` cycles reaching AT_RISK at one moment: how long after it the last is recorded, and heard by a subscriber. */
export async function burstJob(context: JobContext, name: SideName, round: number): Promise<Measurement[]> {
  const { burst: count, burstLeadSeconds } = context.options;
  // Written before the side starts, as a real burst's cycles exist long before their moment (filed on Friday, at risk
  // at Monday 09:00): a server learns of its cycles' moments from their writes or at start, not from rows written
  // behind its back while it sleeps.
  const burst = await context.writer.burst(count, new Date(Date.now() + burstLeadSeconds * 1000));
  return withSide(context, name, round, async (side) => {
    const clients = new Subscribers(1);
    const problems: string[] = [];
    const values: Record<string, number | null> = {};
    try {
      const url = name === 'escalate' ? `${side.base.replace('http', 'ws')}/graphql` : `${side.base.replace('http', 'ws')}/ws`;
      const { open } = await clients.connect(url, name === 'escalate' ? 'graphql' : 'plain', [context.tokens.staff], SLA_SUBSCRIPTION);
      if (!open) throw new Error('the SLA subscriber could not connect');
      await sleep(500);
      const moment = burst.atRiskAt.getTime();
      const lead = moment - Date.now();
      if (lead < 1000) problems.push(`the burst was written only ${lead} ms before its moment: raise --burst-lead`);
      clients.count('state', 'AT_RISK', name === 'escalate' ? burst.ticketIds.map((id) => toGlobalId('Ticket', id)) : burst.ticketIds);
      await sleep(Math.max(0, moment - Date.now() - 500));
      let polls = 0;
      let recordedAt: number | null = null;
      let recorded = 0;
      const deadline = moment + BURST_TIMEOUT_MS;
      const { window } = await measured(context, side, async () => {
        // Recording is polled every 50 ms; hearing, which follows it, every 250 ms until all are heard.
        let heardAll = false;
        for (let poll = 0; Date.now() < deadline && !side.crash() && (recordedAt === null || !heardAll); poll += 1) {
          if (recordedAt === null) {
            polls += 1;
            const { rows } = await context.pool.query<{ n: string }>(`select count(*) as n from sla_cycle where next_transition_at = $1 and state = 'AT_RISK'`, [burst.dueAt]);
            recorded = Number(rows[0]!.n);
            if (recorded >= count) recordedAt = Date.now();
          }
          if (poll % 5 === 4 || recordedAt !== null) heardAll = (await clients.counted()).distinct >= count;
          await sleep(recordedAt === null ? 50 : 250);
        }
      });
      const crash = side.crash();
      if (crash) problems.push(`the server exited during the burst: ${crash}`);
      const heard = await clients.counted();
      const { rows: events } = await context.pool.query<{ n: string }>(
        `select count(*) as n from ticket_event where type = 'SLA_STATE_CHANGED' and ticket_id = any($1) and data->>'to' = 'AT_RISK'`,
        [burst.ticketIds],
      );
      Object.assign(values, {
        cycles: count,
        recorded,
        recordedAfterMs: recordedAt === null ? null : recordedAt - moment,
        published: heard.distinct,
        publishedAfterMs: heard.last === null ? null : heard.last - moment,
        duplicateEvents: Number(events[0]!.n) - recorded,
        crashed: crash ? 1 : 0,
        cpuMs: window.cpuMs,
        dbCpuMs: window.dbCpuMs,
        statementsPerCycle: Math.max(0, window.statements - polls) / count,
      });
      if (recorded < count) problems.push(`only ${recorded} of ${count} transitions recorded within ${BURST_TIMEOUT_MS / 1000} s`);
      if (heard.distinct < count) problems.push(`only ${heard.distinct} of ${count} transitions heard by the subscriber within ${BURST_TIMEOUT_MS / 1000} s`);
    } catch (error) {
      problems.push((error as Error).message);
    } finally {
      await clients.close();
      await context.writer.removeTickets('id = any($1)', [burst.ticketIds]);
    }
    return [{ job: 'burst', variant: `${count} cycles`, side: name, round, values, problems }];
  });
}

export const RUN_JOB: Record<JobName, (context: JobContext, name: SideName, round: number) => Promise<Measurement[]>> = {
  dashboard: dashboardJob,
  create: createJob,
  fanout: fanoutJob,
  burst: burstJob,
};
