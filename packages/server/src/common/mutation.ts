// Runs a mutation's work in one transaction: user errors abort it and come back in the payload, lost races come
// back as CONFLICT, and nothing half-written stays behind. The work gets one Change: what every service needs.
import { OptimisticLockError } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Context } from '../context';
import { runInTransaction } from '../realtime/after-commit';
import { apiError, unauthenticated } from './errors';
import { UserError, UserErrors } from './user-error';

/**
 * A mutation in progress, as services take it: `service(change, input)`. `em` is the transaction's entity manager,
 * `viewer` who acts (every mutation is signed in), `now` one instant for everything the change writes, `config` the
 * server's settings (the community URL, the addresses the policy falls back to).
 */
export interface Change {
  em: EntityManager;
  viewer: NonNullable<Context['viewer']>;
  now: Date;
  config: Context['config'];
}

/**
 * Where, when and by whom an SLA-tracked change happens, for code that the SLA timer shares with mutations:
 * `actorId` is null when only time passed. A Change gives one with `stepOf`.
 */
export interface Step {
  em: EntityManager;
  now: Date;
  actorId: string | null;
}

export function stepOf({ em, now, viewer }: Change): Step {
  return { em, now, actorId: viewer.userId };
}

export type MutationOutcome<T> = { value: T; userErrors: [] } | { value: null; userErrors: UserError[] };

export async function inTransaction<T>(
  ctx: Pick<Context, 'em' | 'realtime' | 'viewer' | 'clock' | 'config'>,
  work: (change: Change) => Promise<T>,
): Promise<MutationOutcome<T>> {
  const viewer = ctx.viewer;
  if (!viewer) throw unauthenticated();
  try {
    const value = await runInTransaction(ctx.em, ctx.realtime, (em) => work({ em, viewer, now: ctx.clock(), config: ctx.config }));
    return { value, userErrors: [] };
  } catch (error) {
    if (error instanceof UserErrors) return { value: null, userErrors: error.errors };
    if (error instanceof OptimisticLockError) {
      throw apiError('CONFLICT', 'Someone else changed this object at the same time; reload it and try again.');
    }
    throw error;
  }
}
