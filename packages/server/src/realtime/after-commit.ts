// Transactions that signal their changes only once they are committed: a subscriber never hears of a change that
// was rolled back, and a worker is never woken for work that does not exist.
import { EntityManager } from '@mikro-orm/postgresql';
import { DueMessage, Realtime, SignalMessage } from './pubsub';

interface Outbound {
  /** Whether the transaction wrote to the live log (a ticket event): one LOG signal however many it wrote. */
  log: boolean;
  /** One DUE per worker, the earliest: a batch that schedules a thousand cycles wakes each worker once. */
  due: Map<DueMessage['worker'], DueMessage>;
}

const pending = new WeakMap<EntityManager, Outbound>();

/** Queues a signal on the transaction `em` belongs to; it is published after that transaction commits. */
export function publishAfterCommit(em: EntityManager, message: SignalMessage): void {
  const outbound = pending.get(em);
  if (!outbound) throw new Error('publishAfterCommit needs the EntityManager of a runInTransaction callback');
  if (message.topic === 'LOG') {
    outbound.log = true;
    return;
  }
  const queued = outbound.due.get(message.payload.worker);
  if (!queued || message.payload.at < queued.at) outbound.due.set(message.payload.worker, message.payload);
}

export async function runInTransaction<T>(em: EntityManager, realtime: Realtime, work: (em: EntityManager) => Promise<T>): Promise<T> {
  const outbound: Outbound = { log: false, due: new Map() };
  const value = await em.transactional(async (transactionEm) => {
    pending.set(transactionEm, outbound);
    return work(transactionEm);
  });
  if (outbound.log) realtime.publish({ topic: 'LOG', payload: {} });
  for (const payload of outbound.due.values()) realtime.publish({ topic: 'DUE', payload });
  return value;
}
