// Transactions that announce their changes only once they are committed: a subscriber never hears of a change
// that was rolled back.
import { EntityManager } from '@mikro-orm/postgresql';
import { Realtime, RealtimeMessage } from './pubsub';

const pending = new WeakMap<EntityManager, RealtimeMessage[]>();

/** Queues a message on the transaction `em` belongs to; it is published after that transaction commits. */
export function publishAfterCommit(em: EntityManager, message: RealtimeMessage): void {
  const queue = pending.get(em);
  if (!queue) throw new Error('publishAfterCommit needs the EntityManager of a runInTransaction callback');
  queue.push(message);
}

export async function runInTransaction<T>(em: EntityManager, realtime: Realtime, work: (em: EntityManager) => Promise<T>): Promise<T> {
  const queue: RealtimeMessage[] = [];
  const value = await em.transactional(async (transactionEm) => {
    pending.set(transactionEm, queue);
    return work(transactionEm);
  });
  for (const message of queue) realtime.publish(message);
  return value;
}
