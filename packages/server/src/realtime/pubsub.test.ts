// A subscriber's queue: only what it hears is kept, in order; one that falls MAX_PENDING behind is ended with a
// clear error instead of losing messages silently, and never disturbs the dispatch to the others.
import { afterEach, describe, expect, it } from 'vitest';
import { createRealtime, MAX_PENDING, Realtime, SubscriberTooSlowError } from './pubsub';

const status = (ticketId: string, organizationId = 'org-1') => ({
  topic: 'TICKET_STATUS' as const,
  payload: {
    position: { xid: 1n, seq: 1n },
    cursor: 'c',
    ...{ ticketId, organizationId, from: 'NEW', to: 'IN_PROGRESS', at: '2026-12-07T09:00:00Z', actorId: null },
  },
});

describe('realtime subscriptions (in memory)', () => {
  let realtime: Realtime;
  afterEach(() => realtime.close());

  it('keeps only the messages the subscriber hears, in order', async () => {
    realtime = createRealtime();
    const messages = realtime.subscribe('TICKET_STATUS', (message) => message.organizationId === 'org-1')[Symbol.asyncIterator]();
    realtime.deliver(status('a'));
    realtime.deliver(status('b', 'org-2'));
    realtime.deliver(status('c'));
    expect((await messages.next()).value.ticketId).toBe('a');
    expect((await messages.next()).value.ticketId).toBe('c');
    await messages.return!();
    expect(await messages.next()).toEqual({ value: undefined, done: true });
  });

  it(`ends a subscriber more than ${MAX_PENDING} behind with SubscriberTooSlowError; a reading one gets everything`, async () => {
    realtime = createRealtime();
    const slow = realtime.subscribe('TICKET_STATUS')[Symbol.asyncIterator]();
    const reading = realtime.subscribe('TICKET_STATUS')[Symbol.asyncIterator]();
    const received: string[] = [];
    const reader = (async () => {
      while (received.length < MAX_PENDING + 1) received.push((await reading.next()).value.ticketId);
    })();
    for (let i = 0; i <= MAX_PENDING; i += 1) {
      realtime.deliver(status(`t${i}`));
      if (i % 1000 === 0) await new Promise((resolve) => setImmediate(resolve)); // the reader reads as they come
    }
    await reader;
    expect(received).toHaveLength(MAX_PENDING + 1);
    await expect(slow.next()).rejects.toBeInstanceOf(SubscriberTooSlowError);
  });

  it('a predicate that throws on a message skips it for that subscriber only', async () => {
    realtime = createRealtime();
    const fragile = realtime.subscribe('TICKET_STATUS', (message) => {
      if (message.ticketId === 'bad') throw new Error('malformed');
      return true;
    })[Symbol.asyncIterator]();
    const other = realtime.subscribe('TICKET_STATUS')[Symbol.asyncIterator]();
    realtime.deliver(status('bad'));
    realtime.deliver(status('good'));
    expect((await fragile.next()).value.ticketId).toBe('good');
    expect((await other.next()).value.ticketId).toBe('bad');
  });
});
