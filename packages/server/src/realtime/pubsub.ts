// Realtime messages between the code that changes things and the subscriptions that report them.
//
// Two kinds. Signals go to every instance (through Redis with REDIS_URL, in memory otherwise): DUE wakes a worker,
// LOG says the live log has grown. Log messages (what subscriptions deliver) are read from PostgreSQL by each
// instance's live log (events/live-log.ts) and delivered to that instance's own subscribers: Redis only rings the bell,
// and a missed ring loses nothing.
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { PubSubEventTarget } from '@graphql-yoga/subscription';
import { Redis } from 'ioredis';
import { Logger } from 'pino';
import { SlaMetric, SlaState } from '../sla/vocabulary';

/** Where an event sits in the live log: the id of the transaction that wrote it, then its order of insertion. */
export interface LogPosition {
  xid: bigint;
  seq: bigint;
}

/** What every log message carries: its place in the log, and the cursor a client resumes from (events/live-log.ts). */
export interface Logged {
  position: LogPosition;
  cursor: string;
}

export interface TicketEventMessage extends Logged {
  eventId: string;
  ticketId: string;
  organizationId: string;
  internal: boolean;
}

export interface TicketStatusMessage extends Logged {
  ticketId: string;
  organizationId: string;
  from: string;
  to: string;
  at: string;
  actorId: string | null;
}

export interface SlaStatusMessage extends Logged {
  ticketId: string;
  organizationId: string;
  severity: string;
  metric: SlaMetric;
  previousState: SlaState | null;
  state: SlaState;
  at: string;
}

export interface EscalationMessage extends Logged {
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

/** Signals, to every instance. */
export type SignalMessage = { topic: 'DUE'; payload: DueMessage } | { topic: 'LOG'; payload: Record<string, never> };

/** What the live log delivers to this instance's subscribers. */
export type LogMessage =
  | { topic: 'TICKET_EVENT'; payload: TicketEventMessage }
  | { topic: 'TICKET_STATUS'; payload: TicketStatusMessage }
  | { topic: 'SLA_STATUS'; payload: SlaStatusMessage }
  | { topic: 'ESCALATION'; payload: EscalationMessage };

export type RealtimeMessage = SignalMessage | LogMessage;
export type RealtimeTopic = RealtimeMessage['topic'];
export type LogTopic = LogMessage['topic'];
const LOG_TOPICS: ReadonlySet<string> = new Set<LogTopic>(['TICKET_EVENT', 'TICKET_STATUS', 'SLA_STATUS', 'ESCALATION']);
/** What a topic carries. */
export type MessageOf<T extends RealtimeTopic> = Extract<RealtimeMessage, { topic: T }>['payload'];

type Topics = Record<string, [unknown]>;

export interface Realtime {
  /** True when signals reach other instances (Redis): then a ring may be missed, and the live log also polls. */
  readonly distributed: boolean;
  /** A signal to every instance, this one included. */
  publish(message: SignalMessage): void;
  /** A log message to this instance's subscribers (the live log's job). */
  deliver(message: LogMessage): void;
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
    publish: (routingKey, payload) => {
      const message = { topic: routingKey, payload } as RealtimeMessage;
      if (isLogMessage(message)) realtime.deliver(message);
      else realtime.publish(message);
    },
    subscribe: (routingKey) => realtime.subscribe(routingKey as RealtimeTopic),
  };
}

function isLogMessage(message: RealtimeMessage): message is LogMessage {
  return LOG_TOPICS.has(message.topic);
}

export function createRealtime(options: { redisUrl?: string; channelPrefix?: string; log?: Logger } = {}): Realtime {
  const prefix = options.channelPrefix ?? 'escalate:';
  let clients: Redis[] = [];
  let eventTarget: PubSubEventTarget<Topics>;
  const localTarget = memoryEventTarget(options.log);
  if (options.redisUrl) {
    const publishClient = new Redis(options.redisUrl, { lazyConnect: false, maxRetriesPerRequest: null });
    const subscribeClient = new Redis(options.redisUrl, { lazyConnect: false, maxRetriesPerRequest: null });
    for (const client of [publishClient, subscribeClient]) {
      client.on('error', (error) => options.log?.warn({ err: error }, 'redis error'));
    }
    clients = [publishClient, subscribeClient];
    eventTarget = createRedisEventTarget({ publishClient, subscribeClient }) as PubSubEventTarget<Topics>;
  } else {
    eventTarget = localTarget;
  }
  const targetOf = (topic: RealtimeTopic) => (LOG_TOPICS.has(topic) ? localTarget : eventTarget);
  return {
    distributed: clients.length > 0,
    publish(message) {
      eventTarget.dispatchEvent(new CustomEvent(`${prefix}${message.topic}`, { detail: message.payload }) as never);
    },
    deliver(message) {
      localTarget.dispatchEvent(new CustomEvent(`${prefix}${message.topic}`, { detail: message.payload }) as never);
    },
    subscribe<T extends RealtimeTopic>(topic: T, hears: (message: MessageOf<T>) => boolean = () => true) {
      return {
        [Symbol.asyncIterator]: () => new Subscription<MessageOf<T>>(targetOf(topic), `${prefix}${topic}`, hears),
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
