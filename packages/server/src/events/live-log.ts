// The live log: what subscriptions deliver is read from PostgreSQL, where the ticket_event audit trail is the log,
// so that a client that was away resumes from its cursor and misses nothing.
//
// Order and the safe horizon. Each event keeps the id of the transaction that wrote it (`log_xid`, an xid8) and its
// order of insertion (`log_position`); the log's order is (log_xid, log_position). Transactions commit out of that
// order: one that began writing earlier can commit after a later one, and a reader that took the later one's events
// would skip the earlier's for good. So an event is read only once it is *settled*: its transaction id is below
// `pg_snapshot_xmin(pg_current_snapshot())`, the oldest transaction still running anywhere on the server. Every
// transaction below that line has ended (committed or rolled back), and a transaction that has not written yet will
// get a larger id, so no event can appear below the line later: what lies below it is final, in a fixed order, and
// reading it in that order from a position never skips one. The price is latency: an event waits for transactions
// older than its own to end (ours last milliseconds; a long transaction elsewhere on the server holds deliveries
// back until it ends). Chosen over a commit-ordered sequence taken under a lock (it serializes every writer) and
// over LISTEN/NOTIFY payloads (lost while an instance is away).
//
// Each instance tails the log: when told it grew (a LOG signal after a commit, through Redis from other instances)
// and, with Redis, every POLL_MS as well (a ring lost in an outage delays events, never loses them). It reads the
// settled events after its position in one statement, whatever the number of subscribers, and hands each to its
// subscribers in memory. A subscription with `after: cursor` first replays, from the log, the events after that
// cursor that it hears, then goes on live; it hears live events only past the last one it replayed, so there is no
// gap and no duplicate between the two. A cursor issued more than REPLAY_RETENTION_MS ago is refused
// (CURSOR_EXPIRED): the client reads the current state again instead of replaying a day of changes.
import { MikroORM } from '@mikro-orm/postgresql';
import { Logger } from 'pino';
import { apiError, badUserInput } from '../common/errors';
import { idOf } from '../common/global-id';
import { Clock } from '../context';
import type { Metrics } from '../metrics';
import { TicketEventType } from './ticket-event.entity';
import { SlaMetric, SlaState } from '../sla/vocabulary';
import { Logged, LogMessage, LogPosition, LogTopic, MessageOf, Realtime } from '../realtime/pubsub';

/** How long a cursor can be resumed from; older ones get CURSOR_EXPIRED. */
export const REPLAY_RETENTION_MS = 24 * 3600_000;
/** Events read per statement, by the tail and by a replay. */
const PAGE = 1000;
/** With Redis, how often the tail also looks for itself (a ring may be lost). */
const POLL_MS = 2_000;
/**
 * How soon the tail looks again when events wait for older transactions to end: 20 ms, doubled while they still
 * wait, up to 1 s (a long transaction elsewhere on the server is not polled 50 times a second).
 */
const UNSETTLED_RETRY_MS = 20;
const UNSETTLED_RETRY_MAX_MS = 1_000;
/** After a failed read (the database restarting), the next try. */
const FAILED_RETRY_MS = 1_000;

const ORIGIN: LogPosition = { xid: 0n, seq: 0n };

interface LogRow extends LogRowPosition {
  settled: boolean;
  id: string;
  ticket_id: string;
  type: TicketEventType;
  actor_id: string | null;
  at: string | Date;
  data: Record<string, unknown>;
  internal: boolean;
  organization_id: string;
  severity: string;
}

/** `settled` is the safe horizon of the comment above; `$3` adds "and settled" to what is read. */
const READ_SQL = `
  select e.log_xid::text as xid, e.log_position::text as seq, e.log_xid < pg_snapshot_xmin(pg_current_snapshot()) as settled,
         e.id, e.ticket_id, e.type, e.actor_id, e.at, e.data, e.internal, t.organization_id, t.severity
  from ticket_event e join ticket t on t.id = e.ticket_id
  where (e.log_xid, e.log_position) > (?::xid8, ?::bigint) and (not ? or e.log_xid < pg_snapshot_xmin(pg_current_snapshot()))
  order by e.log_xid, e.log_position
  limit ?`;

const HEAD_SQL = `
  select log_xid::text as xid, log_position::text as seq from ticket_event
  where log_xid < pg_snapshot_xmin(pg_current_snapshot())
  order by log_xid desc, log_position desc
  limit 1`;

/** A position as PostgreSQL returns it (`log_xid::text`, `log_position::text`). */
export interface LogRowPosition {
  xid: string;
  seq: string;
}

export function positionOf(row: LogRowPosition): LogPosition {
  return { xid: BigInt(row.xid), seq: BigInt(row.seq) };
}

export function isAfter(a: LogPosition, b: LogPosition): boolean {
  return a.xid > b.xid || (a.xid === b.xid && a.seq > b.seq);
}

/** The cursor clients see: opaque; a position and when it was issued (for the retention). */
export function encodeCursor(position: LogPosition, issuedAt: Date): string {
  return Buffer.from(`${position.xid}.${position.seq}.${issuedAt.getTime()}`).toString('base64url');
}

/** The position a client's cursor names, or a BAD_USER_INPUT / CURSOR_EXPIRED error. */
export function decodeCursor(cursor: string, now: Date): LogPosition {
  const parts = /^(\d{1,20})\.(\d{1,20})\.(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('latin1'));
  if (!parts || cursor.length > 100) {
    throw badUserInput('`after` is not a cursor this server issued: pass the `cursor` of an event a subscription delivered.', 'after');
  }
  if (now.getTime() - Number(parts[3]) > REPLAY_RETENTION_MS) {
    throw apiError(
      'CURSOR_EXPIRED',
      `That cursor is more than ${REPLAY_RETENTION_MS / 3600_000} hours old: read the current state again and subscribe without \`after\`.`,
      { retentionSeconds: REPLAY_RETENTION_MS / 1000 },
    );
  }
  return { xid: BigInt(parts[1]!), seq: BigInt(parts[2]!) };
}

/** The cursors of the events subscriptions delivered, by the object each resolved to (see `heardWith`). */
const heardCursors = new WeakMap<object, string>();

/**
 * What a subscription resolves an event to, when it is an entity (a TicketEvent, an Escalation): an object that
 * inherits it and carries the event's cursor, for the entity's `cursor` field to give the one in `extensions`.
 */
export function heardWith<T extends object>(entity: T, cursor: string): T {
  const heard = Object.create(entity) as T;
  heardCursors.set(heard, cursor);
  return heard;
}

/** The cursor of the event `entity` was delivered for, if a subscription delivered it. */
export function heardCursor(entity: object): string | undefined {
  return heardCursors.get(entity);
}

const ESCALATION_STATUS: Partial<Record<TicketEventType, string>> = {
  [TicketEventType.ESCALATION_RAISED]: 'OPEN',
  [TicketEventType.ESCALATION_ACKNOWLEDGED]: 'ACKNOWLEDGED',
  [TicketEventType.ESCALATION_RESOLVED]: 'RESOLVED',
};

/** The messages one logged event makes: always TICKET_EVENT; a status, SLA or escalation change makes its own too. */
export function messagesOf(row: LogRow, position: LogPosition, cursor: string): LogMessage[] {
  const logged: Logged = { position, cursor };
  const ticket = { ticketId: row.ticket_id, organizationId: row.organization_id };
  const at = new Date(row.at).toISOString();
  const messages: LogMessage[] = [{ topic: 'TICKET_EVENT', payload: { ...logged, ...ticket, eventId: row.id, internal: row.internal } }];
  const data = row.data;
  switch (row.type) {
    case TicketEventType.STATUS_CHANGED:
      messages.push({
        topic: 'TICKET_STATUS',
        payload: { ...logged, ...ticket, from: String(data.from), to: String(data.to), at, actorId: row.actor_id },
      });
      break;
    case TicketEventType.SLA_CYCLE_STARTED:
    case TicketEventType.SLA_STATE_CHANGED: {
      const started = row.type === TicketEventType.SLA_CYCLE_STARTED;
      messages.push({
        topic: 'SLA_STATUS',
        payload: {
          ...logged,
          ...ticket,
          severity: row.severity,
          metric: data.metric as SlaMetric,
          previousState: started ? null : (data.from as SlaState),
          state: (started ? (data.state ?? SlaState.ON_TRACK) : data.to) as SlaState,
          at,
        },
      });
      break;
    }
    default: {
      const status = ESCALATION_STATUS[row.type];
      const escalationId = status ? idOf(String(data.escalationId), 'Escalation') : null;
      if (status && escalationId) messages.push({ topic: 'ESCALATION', payload: { ...logged, ...ticket, escalationId, status } });
    }
  }
  return messages;
}

export interface LiveLogOptions {
  orm: MikroORM;
  realtime: Realtime;
  clock: Clock;
  log: Logger;
  metrics?: Metrics | undefined;
}

export class LiveLog {
  /** The last event the tail handed out. */
  private position: LogPosition = ORIGIN;
  /** Subscriptions open on this instance: with none, the tail reads nothing. */
  private subscribers = 0;
  /** The tail's reads and its jumps to the head, one at a time, in order. */
  private queue: Promise<unknown> = Promise.resolve();
  private rung = false;
  private pumping: Promise<void> | null = null;
  private retry: NodeJS.Timeout | null = null;
  private poll: NodeJS.Timeout | null = null;
  private signals: AsyncIterator<unknown> | null = null;
  private stopped = false;
  private unsettledRetryMs = UNSETTLED_RETRY_MS;
  private pendingSnapshot: Promise<Snapshot> | null = null;

  constructor(private readonly options: LiveLogOptions) {}

  /**
   * Transaction ids belong to a cluster: a database restored from a dump into another cluster holds events whose
   * ids lie ahead of the ones it now gives out, so new events would sort before them (and the tail, at their head,
   * would never reach the new ones). Events from ahead are moved to the start of the log, keeping their order of
   * insertion; cursors issued before are then refused (`subscribe`). A no-op otherwise: one index probe.
   */
  async start(): Promise<void> {
    const { affectedRows } = await this.options.orm.em
      .getConnection()
      .execute<{ affectedRows: number }>(`update ticket_event set log_xid = '0'::xid8 where log_xid >= pg_snapshot_xmax(pg_current_snapshot())`, [], 'run');
    if (affectedRows) {
      this.options.log.warn({ events: affectedRows }, 'live log: events from another cluster (a restored backup) moved to the start of the log');
    }
    const signals = this.options.realtime.subscribe('LOG')[Symbol.asyncIterator]();
    this.signals = signals;
    void (async () => {
      try {
        while (!(await signals.next()).done) this.ring();
      } catch (error) {
        if (!this.stopped) this.options.log.error({ err: error }, 'live log: stopped hearing LOG signals');
      }
    })();
    if (this.options.realtime.distributed) {
      this.poll = setInterval(() => this.ring(), POLL_MS);
      this.poll.unref();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.poll) clearInterval(this.poll);
    if (this.retry) clearTimeout(this.retry);
    await this.signals?.return?.();
    await this.pumping;
  }

  /**
   * The topic's messages that `hears` accepts: after the event `after` names (replayed from the log first), or from
   * now on. Refuses a bad or expired cursor before it subscribes.
   */
  async subscribe<T extends LogTopic>(topic: T, hears: (message: MessageOf<T>) => boolean, after: string | null): Promise<AsyncIterable<MessageOf<T>>> {
    const from = after === null ? null : decodeCursor(after, this.options.clock());
    // Heard from now on first, then replayed up to where the log has settled: what the tail hands out meanwhile
    // waits in the subscription's queue, and what the replay already gave is skipped there.
    const live = this.options.realtime.subscribe(topic, hears)[Symbol.asyncIterator]();
    this.subscribers += 1;
    let released = false;
    const release = () => {
      if (!released) this.subscribers -= 1;
      released = true;
    };
    // The first subscriber starts the tail at the head: what was written before it is nobody's to hear live.
    if (this.subscribers === 1) await this.exclusive(() => this.seekHead());
    const snapshot = await this.snapshotSoon();
    // A cursor's transaction id this cluster has not given out yet is from before a restore (see start()).
    if (from && from.xid >= snapshot.xmax) {
      release();
      await live.return?.();
      throw apiError('CURSOR_EXPIRED', 'That cursor is not from this database’s log (restored from a backup since?): read the current state again and subscribe without `after`.', {
        retentionSeconds: REPLAY_RETENTION_MS / 1000,
      });
    }
    // The tail looks once now: events written before this subscriber came, while nobody listened (their LOG went
    // unheard), and still unsettled when the replay read the log, are left to it; it looks again until they settle.
    this.ring();
    const iterator = from
      ? new Replaying(live, (position) => this.read(topic, hears, position), from, release)
      : withRelease(live, release, committedAfter(snapshot));
    return { [Symbol.asyncIterator]: () => iterator };
  }

  /**
   * The database's snapshot, taken after the caller registered its subscription: what was committed by then is
   * what a subscriber without `after` does not hear (the tail may hand it out later, once older transactions end),
   * and its `xmax` is the first transaction id not given out yet. Subscribers arriving together share one.
   */
  private snapshotSoon(): Promise<Snapshot> {
    this.pendingSnapshot ??= Promise.resolve().then(async () => {
      this.pendingSnapshot = null;
      const [row] = await this.options.orm.em.getConnection().execute<{ snapshot: string }[]>('select pg_current_snapshot()::text as snapshot');
      return parseSnapshot(row!.snapshot);
    });
    return this.pendingSnapshot;
  }

  /** The log grew (or may have): the tail reads, unless it is reading already (then it reads again after). */
  private ring(): void {
    this.rung = true;
    if (this.pumping || this.stopped || this.subscribers === 0) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
    });
  }

  private async pump(): Promise<void> {
    while (this.rung && !this.stopped && this.subscribers > 0) {
      this.rung = false;
      try {
        const outcome = await this.exclusive(() => this.tail());
        if (outcome === 'more') this.rung = true;
        if (outcome !== 'unsettled') this.unsettledRetryMs = UNSETTLED_RETRY_MS;
        else {
          this.later(this.unsettledRetryMs);
          this.unsettledRetryMs = Math.min(this.unsettledRetryMs * 2, UNSETTLED_RETRY_MAX_MS);
        }
      } catch (error) {
        this.options.log.warn({ err: error }, 'live log: reading failed; trying again');
        this.later(FAILED_RETRY_MS);
      }
    }
  }

  private later(ms: number): void {
    if (this.retry || this.stopped) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.ring();
    }, ms);
  }

  private exclusive<R>(work: () => Promise<R>): Promise<R> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => {});
    return run;
  }

  private async seekHead(): Promise<void> {
    const [row] = await this.options.orm.em.getConnection().execute<LogRowPosition[]>(HEAD_SQL);
    const head = row ? positionOf(row) : ORIGIN;
    if (isAfter(head, this.position)) this.position = head;
  }

  /** One read of the tail: hands out the settled events after its position. */
  private async tail(): Promise<'done' | 'more' | 'unsettled'> {
    const rows = await this.rowsAfter(this.position, false);
    const issuedAt = this.options.clock();
    const { metrics } = this.options;
    for (const row of rows) {
      if (!row.settled) return 'unsettled';
      metrics?.liveLogRead('tail', 1);
      const position = positionOf(row);
      this.position = position;
      for (const message of messagesOf(row, position, encodeCursor(position, issuedAt))) {
        this.options.realtime.deliver(message);
        metrics?.liveLogPublished(message.topic);
      }
    }
    return rows.length === PAGE ? 'more' : 'done';
  }

  /** A page of a replay: the settled events after `from` that a subscriber of `topic` hears. */
  private async read<T extends LogTopic>(topic: T, hears: (message: MessageOf<T>) => boolean, from: LogPosition): Promise<ReplayPage<MessageOf<T>>> {
    const rows = await this.rowsAfter(from, true);
    this.options.metrics?.liveLogRead('replay', rows.length);
    const issuedAt = this.options.clock();
    const messages: MessageOf<T>[] = [];
    let last: LogPosition | null = null;
    for (const row of rows) {
      last = positionOf(row);
      for (const message of messagesOf(row, last, encodeCursor(last, issuedAt))) {
        if (message.topic === topic && hears(message.payload as MessageOf<T>)) messages.push(message.payload as MessageOf<T>);
      }
    }
    return { messages, last, more: rows.length === PAGE };
  }

  private rowsAfter(from: LogPosition, settledOnly: boolean): Promise<LogRow[]> {
    return this.options.orm.em.getConnection().execute<LogRow[]>(READ_SQL, [String(from.xid), String(from.seq), settledOnly, PAGE]);
  }
}

interface ReplayPage<T> {
  messages: T[];
  /** The last event read (heard or not), null when none. */
  last: LogPosition | null;
  more: boolean;
}

/** `xmin:xmax:xip,…` (pg_snapshot's text): transactions at or past `xmax`, or in `xip`, had not committed. */
interface Snapshot {
  xmax: bigint;
  inProgress: Set<bigint>;
}

function parseSnapshot(text: string): Snapshot {
  const [, xmax, xip] = text.split(':');
  return { xmax: BigInt(xmax!), inProgress: new Set(xip ? xip.split(',').map(BigInt) : []) };
}

/** Whether an event was committed after the snapshot was taken (its transaction had not committed by then). */
function committedAfter(snapshot: Snapshot): (position: LogPosition) => boolean {
  return ({ xid }) => xid >= snapshot.xmax || snapshot.inProgress.has(xid);
}

/** A live subscription without `after`: the events committed since it subscribed, as they come. */
function withRelease<T extends Logged>(live: AsyncIterator<T>, release: () => void, heard: (position: LogPosition) => boolean): AsyncIterator<T> {
  return {
    async next() {
      try {
        for (;;) {
          const result = await live.next();
          if (result.done) release();
          if (result.done || heard(result.value.position)) return result;
        }
      } catch (error) {
        release();
        throw error;
      }
    },
    async return() {
      release();
      return (await live.return?.()) ?? { value: undefined, done: true };
    },
  };
}

/** A subscription resumed from a cursor: the log's events after it, page by page, then the live ones past them. */
class Replaying<T extends Logged> implements AsyncIterator<T> {
  private backlog: T[] = [];
  private replaying = true;

  constructor(
    private readonly live: AsyncIterator<T>,
    private readonly read: (from: LogPosition) => Promise<ReplayPage<T>>,
    /** The last event read from the log: live events up to it were replayed already. */
    private scanned: LogPosition,
    private readonly release: () => void,
  ) {}

  async next(): Promise<IteratorResult<T>> {
    try {
      while (this.replaying && !this.backlog.length) {
        const page = await this.read(this.scanned);
        if (page.last) this.scanned = page.last;
        this.backlog = page.messages;
        this.replaying = page.more;
      }
      if (this.backlog.length) return { value: this.backlog.shift()!, done: false };
      for (;;) {
        const result = await this.live.next();
        if (result.done) this.release();
        if (result.done || isAfter(result.value.position, this.scanned)) return result;
      }
    } catch (error) {
      this.release();
      throw error;
    }
  }

  async return(): Promise<IteratorResult<T>> {
    this.release();
    this.backlog = [];
    return (await this.live.return?.()) ?? { value: undefined, done: true };
  }
}
