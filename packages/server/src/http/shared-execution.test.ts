// One execution per event for each kind of subscriber (document, variables, role and organization), and ending a
// subscription while it waits ends its source.
import { GraphQLObjectType, GraphQLSchema, GraphQLString, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { Viewer } from '../auth/viewer';
import { Role } from '../users/user.entity';
import { subscribeShared } from './shared-execution';

/** A source that hands the same event objects to every subscriber, as the realtime layer does. */
function source() {
  const listeners = new Set<(event: object) => void>();
  let ended = 0;
  return {
    publish: (event: object) => listeners.forEach((listener) => listener(event)),
    ended: () => ended,
    subscribe(): AsyncIterableIterator<object> {
      const queue: object[] = [];
      let wake: ((result: IteratorResult<object>) => void) | null = null;
      const listener = (event: object) => (wake ? (wake({ value: event, done: false }), (wake = null)) : queue.push(event));
      listeners.add(listener);
      return {
        next: () => (queue.length ? Promise.resolve({ value: queue.shift()!, done: false }) : new Promise((resolve) => (wake = resolve))),
        return: () => {
          listeners.delete(listener);
          ended += 1;
          wake?.({ value: undefined, done: true });
          return Promise.resolve({ value: undefined, done: true });
        },
        [Symbol.asyncIterator]() {
          return this;
        },
      };
    },
  };
}

describe('subscribeShared', () => {
  const events = source();
  let executions = 0;
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        changed: {
          type: GraphQLString,
          subscribe: () => events.subscribe(),
          resolve: (event: { name: string }) => {
            executions += 1;
            return event.name;
          },
        },
      },
    }),
  });
  const document = parse('subscription { changed }');
  const staff: Viewer = { userId: 'u1', role: Role.ENGINEER, organizationId: null };
  const otherStaff: Viewer = { userId: 'u2', role: Role.ENGINEER, organizationId: null };
  const customer: Viewer = { userId: 'u3', role: Role.CUSTOMER, organizationId: 'org-1' };

  const start = async (viewer: Viewer) =>
    (await subscribeShared({ schema, document, contextValue: { viewer } }, viewer)) as AsyncIterableIterator<{ data?: { changed: string } }> & { return(): Promise<unknown> };

  it('executes an event once for subscribers of one kind, once more for another kind, and each gets it', async () => {
    const subscribers = [await start(staff), await start(otherStaff), await start(staff), await start(customer)];
    executions = 0;
    events.publish({ name: 'RS-1001' });
    const answers = await Promise.all(subscribers.map(async (subscriber) => (await subscriber.next()).value.data.changed));
    expect(answers).toEqual(['RS-1001', 'RS-1001', 'RS-1001', 'RS-1001']);
    expect(executions).toBe(2); // the engineers share one; the customer has its own
    await Promise.all(subscribers.map((subscriber) => subscriber.return()));
  });

  it('ending a subscription that waits for its next event ends its source', async () => {
    const subscriber = await start(staff);
    const waiting = subscriber.next();
    const before = events.ended();
    await subscriber.return();
    expect(events.ended()).toBe(before + 1);
    expect(await waiting).toEqual({ value: undefined, done: true });
  });
});
