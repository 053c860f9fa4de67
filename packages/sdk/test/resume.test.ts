// A subscription through the SDK resumes by itself: after a server restart or a network drop, the `for await` loop
// receives every event it missed, in order, exactly once, then live ones, with no code of its own (the SDK
// resubscribes with `after`, the cursor of the last event it received).
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganization, customerOf, ENGINEER, fileTicket, startTestServer, TestServer } from '../../server/test/helpers/test-server.js';
import { startTcpProxy, type TcpProxy } from '../../server/test/helpers/tcp-proxy.js';
import { createClient, type EscalateClient, type TicketEventsSubscription } from '../src/index.js';
import { fakeTime, pokeUntil, portOf, within } from './helpers.js';

/** The note a NOTE_ADDED event is about; null for other events. */
const noteOf = (event: TicketEventsSubscription) =>
  event.ticketEvents.type === 'NOTE_ADDED' ? (event.ticketEvents.data.noteId as string) : null;

describe('subscriptions resume by themselves', () => {
  let server: TestServer;
  let actor: EscalateClient;
  let token: string;
  const closing: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    await createOrganization(server, 'resume-sdk');
    token = await server.token(ENGINEER);
    actor = createClient({ url: server.url, token });
  });
  afterAll(async () => {
    await Promise.all(closing.map((each) => each.close()));
    await actor?.close();
    await server?.close();
  });

  /**
   * A client watching a new ticket's events through a proxy; its reconnect waits are held until the test ends them.
   * Returns once it heard the pokes made until then, with what it heard.
   */
  async function watching() {
    const time = fakeTime('held');
    const front: TcpProxy = await startTcpProxy(portOf(server.url));
    closing.push(front);
    const client = createClient({ url: `http://127.0.0.1:${front.port}/graphql`, token, webSocketImpl: WebSocket, sleep: time.sleep });
    closing.push(client);
    const { id } = await fileTicket(server, customerOf('resume-sdk'), { title: 'Watched while away' });
    const iterator = client.subscribe.ticketEvents({ ticketId: id })[Symbol.asyncIterator]();
    const made: string[] = [];
    const note = async (body: string) => {
      const { noteAdd } = await actor.noteAdd({ input: { ticketId: id, body, visibility: 'INTERNAL' } });
      made.push(noteAdd.note!.id);
      return noteAdd.note!.id;
    };
    const heard: string[] = [];
    /** The next note event the loop receives (other events, e.g. the ticket's own, are skipped). */
    const nextNote = async (what: string) => {
      for (;;) {
        const { value, done } = await within(iterator.next(), what);
        if (done) throw new Error(`${what}: the subscription ended`);
        const noteId = noteOf(value);
        if (noteId) return heard.push(noteId), noteId;
      }
    };
    const first = await pokeUntil(
      iterator.next().then(function skip(result): Promise<IteratorResult<TicketEventsSubscription>> | IteratorResult<TicketEventsSubscription> {
        return result.done || noteOf(result.value) ? result : iterator.next().then(skip);
      }),
      () => note(`poke ${made.length}`),
      'the first note',
    );
    heard.push(noteOf(first.value)!);
    while (heard.at(-1) !== made.at(-1)) await nextNote('a poke made before the first was heard');
    /** Ends the client's reconnect waits as it asks for them, until it has reconnected. */
    const reconnect = async () => {
      let back = false;
      const stop = client.on('connected', ({ reconnected }) => (back ||= reconnected));
      while (!back) {
        const wait = await Promise.race([time.nextWait(), new Promise<null>((resolve) => setTimeout(() => resolve(null), 50))]);
        wait?.end();
      }
      stop();
    };
    return { client, front, iterator, note, nextNote, heard, made, reconnect, ticketId: id };
  }

  it('after a server restart: the events made while it was down arrive once, in order, then live ones', async () => {
    const watch = await watching();
    const down = new Promise<void>((resolve) => watch.client.on('disconnected', () => resolve()));
    await server.close();
    await within(down, 'the disconnection');

    // Another process serves the same database, and changes the ticket while the watcher is still away.
    server = await startTestServer({ databaseUrl: server.databaseUrl });
    await actor.close();
    actor = createClient({ url: server.url, token });
    const missed = [await watch.note('missed 1'), await watch.note('missed 2'), await watch.note('missed 3')];
    watch.front.target = portOf(server.url);
    await watch.reconnect();

    for (const noteId of missed) expect(await watch.nextNote('a missed note')).toBe(noteId);
    const live = await watch.note('live');
    expect(await watch.nextNote('the live note')).toBe(live);
    expect(watch.heard).toEqual(watch.made.slice(watch.made.indexOf(watch.heard[0]!)));
    await watch.iterator.return!();
  });

  it('after a network drop: the same, with the server up all along', async () => {
    const watch = await watching();
    const down = new Promise<void>((resolve) => watch.client.on('disconnected', () => resolve()));
    watch.front.down();
    await within(down, 'the disconnection');
    const missed = [await watch.note('missed during the drop 1'), await watch.note('missed during the drop 2')];
    watch.front.up();
    await watch.reconnect();
    for (const noteId of missed) expect(await watch.nextNote('a missed note')).toBe(noteId);
    const live = await watch.note('live after the drop');
    expect(await watch.nextNote('the live note')).toBe(live);
    expect(watch.heard).toEqual(watch.made.slice(watch.made.indexOf(watch.heard[0]!)));
    await watch.iterator.return!();
  });
});
