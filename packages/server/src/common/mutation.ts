// Runs a mutation's work in one transaction: user errors abort it and come back in the payload, lost races come
// back as CONFLICT, and nothing half-written stays behind.
import { OptimisticLockError } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Context } from '../context';
import { runInTransaction } from '../realtime/after-commit';
import { apiError } from './errors';
import { UserError, UserErrors } from './user-error';

export type MutationOutcome<T> = { value: T; userErrors: [] } | { value: null; userErrors: UserError[] };

export async function inTransaction<T>(
  ctx: Pick<Context, 'em' | 'realtime'>,
  work: (em: EntityManager) => Promise<T>,
): Promise<MutationOutcome<T>> {
  try {
    const value = await runInTransaction(ctx.em, ctx.realtime, work);
    return { value, userErrors: [] };
  } catch (error) {
    if (error instanceof UserErrors) return { value: null, userErrors: error.errors };
    if (error instanceof OptimisticLockError) {
      throw apiError('CONFLICT', 'Someone else changed this object at the same time; reload it and try again.');
    }
    throw error;
  }
}
