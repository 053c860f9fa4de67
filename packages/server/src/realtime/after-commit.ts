// Transactions that announce their changes only once they are committed: a subscriber never hears of a change
// that was rolled back.
import { EntityManager } from '@mikro-orm/postgresql';
import { DueMessage, Realtime, RealtimeMessage } from './pubsub';

interface Outbound {
  messages: RealtimeMessage[];
  /** One DUE per worker, the earliest: a batch that schedules a thousand cycles wakes each worker once. */
  due: Map<DueMessage['worker'], DueMessage>;
}

const pending = new WeakMap<EntityManager, Outbound>();

/** Queues a message on the transaction `em` belongs to; it is published after that transaction commits. */
export function publishAfterCommit(em: EntityManager, message: RealtimeMessage): void {
  const outbound = pending.get(em);
  if (!outbound) throw new Error('publishAfterCommit needs the EntityManager of a runInTransaction callback');
  if (message.topic !== 'DUE') {
    outbound.messages.push(message);
    return;
  }
  const queued = outbound.due.get(message.payload.worker);
  if (!queued || message.payload.at < queued.at) outbound.due.set(message.payload.worker, message.payload);
}

export async function runInTransaction<T>(em: EntityManager, realtime: Realtime, work: (em: EntityManager) => Promise<T>): Promise<T> {
  const outbound: Outbound = { messages: [], due: new Map() };
  const value = await em.transactional(async (transactionEm) => {
    pending.set(transactionEm, outbound);
    return work(transactionEm);
  });
  for (const message of outbound.messages) realtime.publish(message);
  for (const payload of outbound.due.values()) realtime.publish({ topic: 'DUE', payload });
  return value;
}
