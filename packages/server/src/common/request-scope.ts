import { Loaders } from './loaders';
import { Context } from '../context';

/**
 * A subscription's context lives as long as the subscription; each event is resolved with a fresh entity manager
 * and loaders, so it reads the database as it is now rather than as it was at the first event.
 */
export function renewRequestScope(ctx: Context): void {
  ctx.em = ctx.em.fork({ clear: true });
  ctx.loaders = new Loaders(ctx.em);
}
