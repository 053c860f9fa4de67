// Subscriptions that lose nothing: every event carries a cursor (`extensions.cursor`); a subscription with `after`
// replays from the log what its viewer missed, in order, then goes on live, with no gap and no duplicate; events
// of transactions that commit out of order are delivered in the log's order, never skipped; a bad or expired cursor
// is refused with a code. With Redis, an instance's subscribers hear another's changes, through an outage too.
import { randomUUID } from 'node:crypto';
import { Client } from 'graphql-ws';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idOf } from '../src/common/global-id';
import { decodeCursor, encodeCursor, REPLAY_RETENTION_MS } from '../src/events/live-log';
import { connect, GUARD_MS } from './helpers/subscriptions';
import { startTcpProxy, TcpProxy } from './helpers/tcp-proxy';
import { createOrganization, customerOf, ENGINEER, fileTicket, MANAGER, Person, startTestServer, TestServer } from './helpers/test-server';
import { setStatus } from './helpers/tickets';

interface Result {
  data?: any;
  errors?: { message: string; extensions?: { code?: string } }[];
  extensions?: { cursor?: string };
}

/** A subscription's results as they come, extensions included. */
interface Stream {
  results: Result[];
  /** The error the server ended it with, if it did. */
  failure: unknown;
  /** Resolves once `count` results arrived in all; fails on an error or after the guard. */
  until(count: number): Promise<Result[]>;
  close(): void;
}

function stream(client: Client, query: string, variables: Record<string, unknown> = {}): Stream {
  const results: Result[] = [];
  const wakes: (() => void)[] = [];
  const wake = () => wakes.splice(0).forEach((resolve) => resolve());
  const self: Stream = {
    results,
    failure: undefined,
    async until(count) {
      const giveUpAt = Date.now() + GUARD_MS;
      while (results.length < count) {
        if (self.failure) throw new Error(`subscription failed: ${JSON.stringify(self.failure)}`);
        if (Date.now() > giveUpAt) throw new Error(`${results.length} of ${count} results within ${GUARD_MS} ms`);
        await new Promise<void>((resolve) => {
          wakes.push(resolve);
          setTimeout(resolve, 100);
        });
      }
      return results.slice(0, count);
    },
    close: () => dispose(),
  };
  const dispose = client.subscribe(
    { query, variables },
    {
      next: (result) => {
        results.push(result as Result);
        wake();
      },
      error: (error) => {
        self.failure = error;
        wake();
      },
      complete: () => {},
    },
  );
  return self;
}

/** The first result of `subscription`, making `change()` until one arrives (the server does not say when it has subscribed). */
async function firstHeard(subscription: Stream, change: () => Promise<unknown>): Promise<Result> {
  const giveUpAt = Date.now() + GUARD_MS;
  while (!subscription.results.length) {
    if (subscription.failure) throw new Error(`subscription failed: ${JSON.stringify(subscription.failure)}`);
    if (Date.now() > giveUpAt) throw new Error(`nothing heard within ${GUARD_MS} ms`);
    await change();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return subscription.results[0]!;
}

/**
 * An older transaction that holds the horizon back: it takes its transaction id and stays open, so that what
 * commits meanwhile is not settled until `end()`, which commits it without a write (nobody is told the log grew).
 */
async function holdHorizon(databaseUrl: string): Promise<{ end(): Promise<void> }> {
  const older = new pg.Client({ connectionString: databaseUrl });
  await older.connect();
  await older.query('begin');
  await older.query('select pg_current_xact_id()');
  let ended = false;
  return {
    async end() {
      if (ended) return;
      ended = true;
      await older.query('commit');
      await older.end();
    },
  };
}

const EVENTS = `subscription($ticketId: ID!, $after: String) { ticketEvents(ticketId: $ticketId, after: $after) { id type data } }`;
const STATUS = `subscription($ticketId: ID, $after: String) { ticketStatusChanged(ticketId: $ticketId, after: $after) { ticket { id } from to } }`;

async function addNote(server: TestServer, ticketId: string, body: string, as: Person = ENGINEER, visibility = 'INTERNAL'): Promise<string> {
  const result = await server.gql(
    `mutation($input: NoteAddInput!) { noteAdd(input: $input) { note { id } userErrors { code message } } }`,
    { input: { ticketId, body, visibility } },
    as,
  );
  const note = result.data?.noteAdd?.note;
  if (!note) throw new Error(`noteAdd failed: ${JSON.stringify(result)}`);
  return note.id;
}

/** Which note a NOTE_ADDED event is about (its data holds the note's id). */
const noteOf = (result: Result) => (result.data.ticketEvents.type === 'NOTE_ADDED' ? (result.data.ticketEvents.data.noteId as string) : null);

describe('resumable subscriptions', () => {
  let server: TestServer;
  const clients: Client[] = [];
  const client = async (as: Person) => {
    const opened = connect(server.url, await server.token(as));
    clients.push(opened);
    return opened;
  };

  beforeAll(async () => {
    server = await startTestServer();
    await createOrganization(server, 'resume');
    await createOrganization(server, 'resume-other');
  });
  afterAll(async () => {
    await Promise.all(clients.map((opened) => opened.dispose()));
    await server?.close();
  });

  it('every event carries a cursor; resuming replays what was missed, in order, then goes on live, each event once', async () => {
    const ticket = await fileTicket(server, customerOf('resume'), { title: 'Resumed' });
    const staff = await client(ENGINEER);
    const notes: string[] = [];
    const first = stream(staff, EVENTS, { ticketId: ticket.id });
    await firstHeard(first, async () => notes.push(await addNote(server, ticket.id, `poke ${notes.length}`)));
    // The subscription ends: what it last received is where it resumes.
    const heardBefore = first.results.map(noteOf);
    expect(first.results.every((result) => typeof result.extensions?.cursor === 'string')).toBe(true);
    first.close();
    const last = first.results[first.results.length - 1]!;

    const missed = [];
    for (let i = 0; i < 3; i += 1) missed.push(await addNote(server, ticket.id, `missed ${i}`));
    const resumed = stream(staff, EVENTS, { ticketId: ticket.id, after: last.extensions!.cursor });
    const pokesAfterLast = notes.slice(notes.indexOf(heardBefore[heardBefore.length - 1]!) + 1);
    const replayed = await resumed.until(pokesAfterLast.length + missed.length);
    expect(replayed.map(noteOf)).toEqual([...pokesAfterLast, ...missed]);

    // Then live, past the replay: the next note arrives once.
    const live = await addNote(server, ticket.id, 'live');
    const all = await resumed.until(replayed.length + 1);
    expect(all.map(noteOf)).toEqual([...pokesAfterLast, ...missed, live]);
    const cursors = all.map((result) => result.extensions!.cursor!);
    expect(new Set(cursors).size).toBe(cursors.length);
    resumed.close();
  });

  it('the payload’s cursor is the one in extensions; a timeline read gives the cursor to subscribe after, with no gap', async () => {
    const ticket = await fileTicket(server, customerOf('resume'), { title: 'Read, then watched' });
    await addNote(server, ticket.id, 'before the read');
    const read = await server.gql(`query($id: ID) { ticket(id: $id) { timeline(first: 100) { nodes { id cursor } } } }`, { id: ticket.id }, ENGINEER);
    const timeline = read.data!.ticket.timeline.nodes as { id: string; cursor: string }[];
    // Between the read and the subscription, a note: it is not lost.
    const between = await addNote(server, ticket.id, 'between the read and the subscription');
    const staff = await client(ENGINEER);
    const watching = stream(staff, `subscription($ticketId: ID!, $after: String) { ticketEvents(ticketId: $ticketId, after: $after) { id type data cursor } }`, {
      ticketId: ticket.id,
      after: timeline[timeline.length - 1]!.cursor,
    });
    const [first] = await watching.until(1);
    expect(noteOf(first!)).toBe(between);
    expect(first!.data.ticketEvents.cursor).toBe(first!.extensions!.cursor);
    watching.close();

    const statusChanges = stream(staff, `subscription($ticketId: ID) { ticketStatusChanged(ticketId: $ticketId) { to cursor } }`, { ticketId: ticket.id });
    let step = 0;
    const heard = await firstHeard(statusChanges, () => setStatus(server, ticket.id, ['IN_PROGRESS', 'WAITING_ON_CUSTOMER'][step++ % 2]!));
    expect(heard.data.ticketStatusChanged.cursor).toBe(heard.extensions!.cursor);
    statusChanges.close();
  });

  it('an escalation’s cursor, read or heard, resumes escalationChanged after its latest change', async () => {
    const ticket = await fileTicket(server, customerOf('resume'), { title: 'Escalated' });
    // The policy's path: an update asked for first, then the escalation.
    const asked = await server.gql(
      `mutation($input: TicketRequestUpdateInput!) { ticketRequestUpdate(input: $input) { userErrors { code } } }`,
      { input: { ticketId: ticket.id, body: 'Any news?' } },
      customerOf('resume'),
    );
    expect(asked.data!.ticketRequestUpdate.userErrors).toEqual([]);
    const raised = await server.gql(
      `mutation($input: EscalationCreateInput!) { escalationCreate(input: $input) { escalation { id cursor } userErrors { code } } }`,
      { input: { ticketId: ticket.id, reason: 'Slow.', businessImpact: 'Payroll.' } },
      customerOf('resume'),
    );
    const escalation = raised.data!.escalationCreate.escalation as { id: string; cursor: string };
    const manager = await client(MANAGER);
    const watching = stream(manager, `subscription($after: String) { escalationChanged(after: $after) { id status cursor } }`, { after: escalation.cursor });
    const acknowledged = await server.gql(
      `mutation($input: EscalationAcknowledgeInput!) { escalationAcknowledge(input: $input) { userErrors { code } } }`,
      { input: { escalationId: escalation.id } },
      MANAGER,
    );
    expect(acknowledged.data!.escalationAcknowledge.userErrors).toEqual([]);
    const [heard] = await watching.until(1);
    expect(heard!.data.escalationChanged).toMatchObject({ id: escalation.id, status: 'ACKNOWLEDGED' });
    expect(heard!.data.escalationChanged.cursor).toBe(heard!.extensions!.cursor);
    watching.close();
  });

  it('replays only what the viewer may see: no other organization, no internal event for a customer', async () => {
    const mine = await fileTicket(server, customerOf('resume'), { title: 'Mine' });
    const theirs = await fileTicket(server, customerOf('resume-other'), { title: 'Theirs' });
    const customer = await client(customerOf('resume'));
    const statuses = ['IN_PROGRESS', 'WAITING_ON_CUSTOMER'];
    let step = 0;
    const first = stream(customer, STATUS, {});
    await firstHeard(first, () => setStatus(server, mine.id, statuses[step++ % 2]!));
    await new Promise((resolve) => setTimeout(resolve, 300)); // later pokes' events, if any, arrive
    first.close();
    const last = first.results[first.results.length - 1]!;

    await setStatus(server, theirs.id, 'IN_PROGRESS');
    const to = statuses[step++ % 2]!;
    await setStatus(server, mine.id, to);
    const resumed = stream(customer, STATUS, { after: last.extensions!.cursor });
    const [replayed] = await resumed.until(1);
    expect(replayed!.data.ticketStatusChanged).toMatchObject({ ticket: { id: mine.id }, to });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(resumed.results).toHaveLength(1);
    resumed.close();

    // Events of a ticket: the internal note written while away is not replayed to the customer, the public one is.
    const events = stream(customer, EVENTS, { ticketId: mine.id });
    await firstHeard(events, () => addNote(server, mine.id, 'a public poke', ENGINEER, 'PUBLIC'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    events.close();
    const resumeFrom = events.results[events.results.length - 1]!.extensions!.cursor;
    await addNote(server, mine.id, 'internal, unseen', ENGINEER, 'INTERNAL');
    const visible = await addNote(server, mine.id, 'public, seen', ENGINEER, 'PUBLIC');
    const replay = stream(customer, EVENTS, { ticketId: mine.id, after: resumeFrom });
    const got = await replay.until(1);
    expect(got.map(noteOf)).toEqual([visible]);
    replay.close();
  });

  it('refuses a cursor it did not issue (BAD_USER_INPUT) and one past the retention (CURSOR_EXPIRED)', async () => {
    const ticket = await fileTicket(server, customerOf('resume'), { title: 'Bad cursors' });
    const staff = await client(ENGINEER);
    const forged = stream(staff, EVENTS, { ticketId: ticket.id, after: 'not-a-cursor' });
    const [refused] = await forged.until(1);
    expect(refused!.errors!.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);

    const heard = stream(staff, EVENTS, { ticketId: ticket.id });
    await firstHeard(heard, () => addNote(server, ticket.id, 'poke'));
    heard.close();
    const cursor = heard.results[0]!.extensions!.cursor!;
    server.clock.advance(REPLAY_RETENTION_MS + 60_000);
    try {
      const expired = stream(staff, EVENTS, { ticketId: ticket.id, after: cursor });
      const [refusedExpired] = await expired.until(1);
      expect(refusedExpired!.errors).toMatchObject([{ extensions: { code: 'CURSOR_EXPIRED', retentionSeconds: 86_400 } }]);
    } finally {
      server.clock.advance(-(REPLAY_RETENTION_MS + 60_000));
    }
  });

  it('a transaction that commits after a later one: its event is delivered first, and neither is skipped', async () => {
    const ticket = await fileTicket(server, customerOf('resume'), { title: 'Out of order' });
    const staff = await client(ENGINEER);
    const watching = stream(staff, STATUS, { ticketId: ticket.id });
    let step = 0;
    await firstHeard(watching, () => setStatus(server, ticket.id, ['IN_PROGRESS', 'WAITING_ON_CUSTOMER'][step++ % 2]!));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = watching.results.length;

    // The earlier transaction takes its id (it writes an event) and stays open while a later one commits.
    const earlier = new pg.Client({ connectionString: server.databaseUrl });
    await earlier.connect();
    try {
      await earlier.query('begin');
      await earlier.query(
        `insert into ticket_event (id, ticket_id, type, actor_id, at, data, internal)
         values ($1, $2, 'STATUS_CHANGED', null, now(), '{"from": "NEW", "to": "RESOLVED"}', false)`,
        [randomUUID(), idOf(ticket.id, 'Ticket')],
      );
      const later = step % 2 ? 'WAITING_ON_CUSTOMER' : 'IN_PROGRESS';
      await setStatus(server, ticket.id, later);
      // Committed, but above the horizon while the earlier transaction runs: held back, not delivered out of order.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(watching.results).toHaveLength(before);
      await earlier.query('commit');
      const delivered = await watching.until(before + 2);
      expect(delivered.slice(before).map((result) => result.data.ticketStatusChanged.to)).toEqual(['RESOLVED', later]);
      const [a, b] = delivered.slice(before).map((result) => decodeCursor(result.extensions!.cursor!, server.clock.now()));
      expect(a!.xid).toBeLessThan(b!.xid); // the log's order: by transaction id, not by commit
    } finally {
      await earlier.end();
      watching.close();
    }
  });
  it('an event still unsettled when a resumed subscription replays is delivered once it settles', async () => {
    const ticket = await fileTicket(server, customerOf('resume'), { title: 'Settles late' });
    const read = await server.gql(`query($id: ID) { ticket(id: $id) { timeline(first: 100) { nodes { cursor } } } }`, { id: ticket.id }, ENGINEER);
    const nodes = read.data!.ticket.timeline.nodes as { cursor: string }[];
    // An older transaction holds the horizon back: the note commits, but stays unsettled until it ends.
    const staff = await client(ENGINEER);
    const older = await holdHorizon(server.databaseUrl);
    try {
      const note = await addNote(server, ticket.id, 'committed behind an older transaction');
      const resumed = stream(staff, EVENTS, { ticketId: ticket.id, after: nodes[nodes.length - 1]!.cursor });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(resumed.results).toEqual([]); // not settled: neither replayed nor delivered yet
      await older.end();
      const [delivered] = await resumed.until(1);
      expect(noteOf(delivered!)).toBe(note);
      resumed.close();
    } finally {
      await older.end();
    }
  });

  it('without `after`, a subscription hears what commits after it subscribed, not an earlier event settling late', async () => {
    const ticket = await fileTicket(server, customerOf('resume'), { title: 'From now on' });
    const staff = await client(ENGINEER);
    const older = await holdHorizon(server.databaseUrl);
    try {
      await addNote(server, ticket.id, 'committed before the subscription, settled after it');
      const live = stream(staff, EVENTS, { ticketId: ticket.id });
      await new Promise((resolve) => setTimeout(resolve, 300)); // subscribed (nothing to probe with: no event may arrive)
      await older.end();
      const after = await addNote(server, ticket.id, 'committed after the subscription');
      const [first] = await live.until(1);
      expect(noteOf(first!)).toBe(after);
      live.close();
    } finally {
      await older.end();
    }
  });

  it('concurrent writers while a subscriber disconnects and resumes: it receives the log’s events, in order, once', async () => {
    const probeTicket = await fileTicket(server, customerOf('resume'), { title: 'Probe' });
    const tickets = await Promise.all([0, 1, 2, 3].map((i) => fileTicket(server, customerOf('resume'), { title: `Writer ${i}` })));
    const staff = await client(ENGINEER);
    const first = stream(staff, STATUS, {});
    let step = 0;
    await firstHeard(first, () => setStatus(server, probeTicket.id, ['IN_PROGRESS', 'WAITING_ON_CUSTOMER'][step++ % 2]!));
    const changes = 12;
    const writers = Promise.all(
      tickets.map(async (ticket) => {
        for (let i = 0; i < changes; i += 1) await setStatus(server, ticket.id, i % 2 ? 'WAITING_ON_CUSTOMER' : 'IN_PROGRESS');
      }),
    );
    // Away in the middle of it: what it received when it left is all it keeps of the first subscription.
    await first.until(first.results.length + 10);
    first.close();
    const kept = first.results.slice();
    const resumed = stream(staff, STATUS, { after: kept[kept.length - 1]!.extensions!.cursor });
    await writers;

    const positionOf = (result: Result) => decodeCursor(result.extensions!.cursor!, server.clock.now());
    const from = positionOf(kept[0]!);
    const { rows } = await server.orm.em
      .getConnection()
      .getKnex()
      .raw(
        `select log_xid::text as xid, log_position::text as seq from ticket_event
         where type = 'STATUS_CHANGED' and (log_xid, log_position) >= (?::xid8, ?::bigint) order by log_xid, log_position`,
        [String(from.xid), String(from.seq)],
      );
    const logged = (rows as { xid: string; seq: string }[]).map((row) => `${row.xid}.${row.seq}`);
    await resumed.until(logged.length - kept.length);
    await new Promise((resolve) => setTimeout(resolve, 300)); // nothing more comes
    const received = [...kept, ...resumed.results].map(positionOf).map((position) => `${position.xid}.${position.seq}`);
    expect(received).toEqual(logged);
    resumed.close();
  });
});

describe('a database restored into another cluster', () => {
  it('moves the restored events to the start of the log: live events flow, and older cursors are refused', async () => {
    const before = await startTestServer();
    let after: TestServer | undefined;
    try {
      await createOrganization(before, 'restored');
      const ticket = await fileTicket(before, customerOf('restored'), { title: 'Filed before the backup' });
      await addNote(before, ticket.id, 'before the backup');
      // What a dump restored into a younger cluster looks like: its events' transaction ids lie ahead.
      await before.orm.em.getConnection().execute(
        `update ticket_event set log_xid = (pg_snapshot_xmax(pg_current_snapshot())::text::bigint + 1000000 + log_xid::text::bigint)::text::xid8`,
      );
      const [{ next }] = await before.orm.em.getConnection().execute<{ next: string }[]>(`select pg_snapshot_xmax(pg_current_snapshot())::text as next`);
      await before.close();

      after = await startTestServer({ databaseUrl: before.databaseUrl });
      const staff = connect(after.url, await after.token(ENGINEER));
      try {
        const live = stream(staff, EVENTS, { ticketId: ticket.id });
        const server = after;
        const heard = await firstHeard(live, () => addNote(server, ticket.id, 'after the restore'));
        expect(heard.data.ticketEvents.type).toBe('NOTE_ADDED');
        // Nothing is left ahead of the cluster's transaction ids, where it would wait for ever to settle (the tail
        // looking again every second) and, once the ids got there, be delivered again as if new.
        const [{ ahead }] = await server.orm.em
          .getConnection()
          .execute<{ ahead: string }[]>(`select count(*) as ahead from ticket_event where log_xid >= pg_snapshot_xmax(pg_current_snapshot())`);
        expect(Number(ahead)).toBe(0);
        server.queries.length = 0;
        await new Promise((resolve) => setTimeout(resolve, 2500));
        expect(server.queries.filter((sql) => sql.includes('from ticket_event e join'))).toEqual([]);
        live.close();
        const fromBefore = encodeCursor({ xid: BigInt(next) + 1_000_000n, seq: 1n }, after.clock.now());
        const resumed = stream(staff, EVENTS, { ticketId: ticket.id, after: fromBefore });
        const [refused] = await resumed.until(1);
        expect(refused!.errors).toMatchObject([{ extensions: { code: 'CURSOR_EXPIRED' }, message: expect.stringMatching(/restored/) }]);
      } finally {
        await staff.dispose();
      }
    } finally {
      await after?.close();
    }
  });
});

const redisUrl = process.env.REDIS_URL;

describe.skipIf(!redisUrl)('resumable subscriptions across instances (needs REDIS_URL; .ci/run sets it)', () => {
  let writer: TestServer;
  let reader: TestServer;
  let redis: TcpProxy;
  let watcher: Client;

  beforeAll(async () => {
    const channelPrefix = `test:${randomUUID()}:`;
    writer = await startTestServer({ redis: { url: redisUrl!, channelPrefix } });
    // The reader reaches Redis through a proxy the test can take down.
    redis = await startTcpProxy(Number(new URL(redisUrl!).port || 6379));
    reader = await startTestServer({ databaseUrl: writer.databaseUrl, redis: { url: `redis://127.0.0.1:${redis.port}`, channelPrefix } });
    await createOrganization(writer, 'two-instances');
    watcher = connect(reader.url, await reader.token(ENGINEER));
  });
  afterAll(async () => {
    await watcher?.dispose();
    await reader?.close();
    await writer?.close();
    await redis?.close();
  });

  it('hears changes made on another instance; through a Redis outage, late but complete and in order', async () => {
    const ticket = await fileTicket(writer, customerOf('two-instances'), { title: 'Across instances' });
    const events = stream(watcher, EVENTS, { ticketId: ticket.id });
    const pokes: string[] = [];
    const first = await firstHeard(events, async () => pokes.push(await addNote(writer, ticket.id, `poke ${pokes.length}`)));
    const heard = pokes.slice(pokes.indexOf(noteOf(first)!)); // pokes made before it subscribed are not heard
    await events.until(heard.length);

    redis.down();
    const duringOutage = [];
    for (let i = 0; i < 3; i += 1) duringOutage.push(await addNote(writer, ticket.id, `during the outage ${i}`));
    await events.until(heard.length + duringOutage.length);
    redis.up();
    const afterOutage = await addNote(writer, ticket.id, 'after the outage');
    const all = await events.until(heard.length + duringOutage.length + 1);
    expect(all.map(noteOf)).toEqual([...heard, ...duringOutage, afterOutage]);
    events.close();
  });
});
