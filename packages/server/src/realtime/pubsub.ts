// Realtime messages between the code that changes things and the subscriptions that report them. In memory for
// one process; through Redis (REDIS_URL) so that every instance's subscribers hear every instance's changes.
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { PubSubEventTarget } from '@graphql-yoga/subscription';
import { Redis } from 'ioredis';
import { Logger } from 'pino';
import { SlaMetric, SlaState } from '../sla/vocabulary';

export interface TicketEventMessage {
  eventId: string;
  ticketId: string;
  organizationId: string;
  internal: boolean;
}

export interface TicketStatusMessage {
  ticketId: string;
  organizationId: string;
  from: string;
  to: string;
  at: string;
  actorId: string | null;
}

export interface SlaStatusMessage {
  ticketId: string;
  organizationId: string;
  severity: string;
  cycleId: string;
  metric: SlaMetric;
  previousState: SlaState | null;
  state: SlaState;
  at: string;
}

export interface EscalationMessage {
  escalationId: string;
  ticketId: string;
  organizationId: string;
  status: string;
}

/** Work for a background worker falls due at `at`: it wakes then rather than at its next scheduled look. */
export interface DueMessage {
  worker: 'SLA_TIMER' | 'OUTBOX';
  at: string;
}

export type RealtimeMessage =
  | { topic: 'DUE'; payload: DueMessage }
  | { topic: 'TICKET_EVENT'; payload: TicketEventMessage }
  | { topic: 'TICKET_STATUS'; payload: TicketStatusMessage }
  | { topic: 'SLA_STATUS'; payload: SlaStatusMessage }
  | { topic: 'ESCALATION'; payload: EscalationMessage };

export type RealtimeTopic = RealtimeMessage['topic'];
/** What a topic carries. */
export type MessageOf<T extends RealtimeTopic> = Extract<RealtimeMessage, { topic: T }>['payload'];

type Topics = Record<string, [unknown]>;

export interface Realtime {
  publish(message: RealtimeMessage): void;
  /**
   * The topic's messages that `hears` accepts (all by default), from now on. A subscriber that lets more than
   * MAX_PENDING of them wait unread is ended with SubscriberTooSlowError rather than losing some silently.
   */
  subscribe<T extends RealtimeTopic>(topic: T, hears?: (message: MessageOf<T>) => boolean): AsyncIterable<MessageOf<T>>;
  close(): Promise<void>;
}

/** Messages a subscriber may leave unread; a burst of SLA transitions (thousands at 09:00) must fit. */
export const MAX_PENDING = 10_000;

export class SubscriberTooSlowError extends Error {
  constructor() {
    super(`This subscription fell more than ${MAX_PENDING} messages behind and was ended; subscribe again.`);
  }
}

/** `realtime` as type-graphql's PubSub (topic = routing key), so that whatever type-graphql subscribes goes through it. */
export function asTypeGraphqlPubSub(realtime: Realtime): { publish(routingKey: string, ...args: unknown[]): void; subscribe(routingKey: string): AsyncIterable<unknown> } {
  return {
    publish: (routingKey, payload) => realtime.publish({ topic: routingKey, payload } as RealtimeMessage),
    subscribe: (routingKey) => realtime.subscribe(routingKey as RealtimeTopic),
  };
}

export function createRealtime(options: { redisUrl?: string; channelPrefix?: string; log?: Logger } = {}): Realtime {
  const prefix = options.channelPrefix ?? 'escalate:';
  let clients: Redis[] = [];
  let eventTarget: PubSubEventTarget<Topics>;
  if (options.redisUrl) {
    const publishClient = new Redis(options.redisUrl, { lazyConnect: false, maxRetriesPerRequest: null });
    const subscribeClient = new Redis(options.redisUrl, { lazyConnect: false, maxRetriesPerRequest: null });
    for (const client of [publishClient, subscribeClient]) {
      client.on('error', (error) => options.log?.warn({ err: error }, 'redis error'));
    }
    clients = [publishClient, subscribeClient];
    eventTarget = createRedisEventTarget({ publishClient, subscribeClient }) as PubSubEventTarget<Topics>;
  } else {
    eventTarget = memoryEventTarget(options.log);
  }
  return {
    publish(message) {
      eventTarget.dispatchEvent(new CustomEvent(`${prefix}${message.topic}`, { detail: message.payload }) as never);
    },
    subscribe<T extends RealtimeTopic>(topic: T, hears: (message: MessageOf<T>) => boolean = () => true) {
      return {
        [Symbol.asyncIterator]: () => new Subscription<MessageOf<T>>(eventTarget, `${prefix}${topic}`, hears),
      };
    },
    async close() {
      await Promise.all(clients.map((client) => client.quit().catch(() => client.disconnect())));
    },
  };
}

type TopicListener = Parameters<PubSubEventTarget<Topics>['addEventListener']>[1];

/**
 * In memory, each topic's subscriptions in one set that a message fans out to, as the Redis target keeps them.
 * Node's EventTarget (createPubSub's default) holds one listener per subscription too, but takes more than ten on one
 * topic for a leak (MaxListenersExceededWarning), where one socket may run 100 subscriptions and every client
 * may hold a few; and it checks each new listener against the whole list.
 */
function memoryEventTarget(log: Logger | undefined): PubSubEventTarget<Topics> {
  const listeners = new Map<string, Set<NonNullable<TopicListener>>>();
  return {
    addEventListener(topic: string, listener: TopicListener) {
      if (!listener) return;
      const forTopic = listeners.get(topic) ?? new Set();
      listeners.set(topic, forTopic.add(listener));
    },
    removeEventListener(topic: string, listener: TopicListener) {
      const forTopic = listeners.get(topic);
      if (!forTopic || !listener) return;
      forTopic.delete(listener);
      if (!forTopic.size) listeners.delete(topic);
    },
    dispatchEvent(event) {
      // A copy: a subscription may end, and leave the set, while the message is handed out.
      for (const listener of [...(listeners.get(event.type) ?? [])]) {
        try {
          if (typeof listener === 'function') listener(event);
          else listener.handleEvent(event);
        } catch (error) {
          // A subscription that cannot take the message (its buffer is full) loses it; the others still get it.
          log?.warn({ err: error, topic: event.type }, 'a subscriber missed a message');
        }
      }
      return true;
    },
  };
}

/**
 * One subscriber's queue: filled as messages are dispatched (only those it hears), emptied as it reads. It never
 * throws into the dispatch, which hands the same message to every other subscriber (and, with Redis, runs inside
 * the client's message handler); one that falls MAX_PENDING behind is ended instead.
 */
class Subscription<T> implements AsyncIterator<T> {
  private readonly pending: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | null = null;
  private done = false;
  private overflowed = false;
  private readonly listener = (event: Event) => this.take((event as CustomEvent<T>).detail);

  constructor(
    private readonly target: PubSubEventTarget<Topics>,
    private readonly channel: string,
    private readonly hears: (message: T) => boolean,
  ) {
    target.addEventListener(channel, this.listener as never);
  }

  private take(message: T): void {
    if (this.done || !this.heard(message)) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value: message, done: false });
    } else if (this.pending.length >= MAX_PENDING) {
      this.overflowed = true;
      this.end();
    } else this.pending.push(message);
  }

  /** A predicate that throws (a malformed message) hears nothing: the dispatch goes on to the other subscribers. */
  private heard(message: T): boolean {
    try {
      return this.hears(message);
    } catch {
      return false;
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.overflowed) return Promise.reject(new SubscriberTooSlowError());
    if (this.pending.length) return Promise.resolve({ value: this.pending.shift()!, done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.end();
    this.pending.length = 0;
    this.waiting?.({ value: undefined, done: true });
    this.waiting = null;
    return Promise.resolve({ value: undefined, done: true });
  }

  private end(): void {
    if (this.done) return;
    this.done = true;
    this.target.removeEventListener(this.channel, this.listener as never);
  }
}
