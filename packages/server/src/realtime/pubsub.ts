// Realtime messages between the code that changes things and the subscriptions that report them. In memory for
// one process; through Redis (REDIS_URL) so that every instance's subscribers hear every instance's changes.
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub, PubSubEventTarget } from '@graphql-yoga/subscription';
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

export type RealtimeMessage =
  | { topic: 'TICKET_EVENT'; payload: TicketEventMessage }
  | { topic: 'TICKET_STATUS'; payload: TicketStatusMessage }
  | { topic: 'SLA_STATUS'; payload: SlaStatusMessage }
  | { topic: 'ESCALATION'; payload: EscalationMessage };

export type RealtimeTopic = RealtimeMessage['topic'];
/** What a topic carries. */
export type MessageOf<T extends RealtimeTopic> = Extract<RealtimeMessage, { topic: T }>['payload'];

type Topics = {
  [M in RealtimeMessage as M['topic']]: [M['payload']];
};

export interface Realtime {
  publish(message: RealtimeMessage): void;
  subscribe<T extends RealtimeTopic>(topic: T): AsyncIterable<MessageOf<T>>;
  close(): Promise<void>;
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
  let pubSub;
  if (options.redisUrl) {
    const publishClient = new Redis(options.redisUrl, { lazyConnect: false, maxRetriesPerRequest: null });
    const subscribeClient = new Redis(options.redisUrl, { lazyConnect: false, maxRetriesPerRequest: null });
    for (const client of [publishClient, subscribeClient]) {
      client.on('error', (error) => options.log?.warn({ err: error }, 'redis error'));
    }
    clients = [publishClient, subscribeClient];
    pubSub = createPubSub<Topics>({ eventTarget: createRedisEventTarget({ publishClient, subscribeClient }) });
  } else {
    pubSub = createPubSub<Topics>({ eventTarget: memoryEventTarget(options.log) });
  }
  return {
    publish(message) {
      (pubSub.publish as (topic: string, payload: unknown) => void)(`${prefix}${message.topic}`, message.payload);
    },
    subscribe(topic) {
      return (pubSub.subscribe as (topic: string) => AsyncIterable<never>)(`${prefix}${topic}`);
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
