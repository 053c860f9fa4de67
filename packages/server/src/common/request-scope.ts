import { EntityManager } from '@mikro-orm/postgresql';
import { Context } from '../context';
import { Loaders } from './loaders';

/** The scope each event is resolved in, by the event (one message object, handed to every subscriber). */
const scopes = new WeakMap<object, { em: EntityManager; loaders: Loaders }>();

/**
 * A subscription's context lives as long as the subscription; each event is resolved with a fresh entity manager
 * and loaders, so it reads the database as it is now rather than as it was at the first event. That scope is shared
 * by every subscriber that resolves the same event: its rows are read once however many hear it. What a viewer may
 * see is decided by the resolvers and by loader keys (child-page.ts keys pages by public-only or not), never by
 * what a loader happens to hold, so sharing one between viewers shows none of them more.
 */
export function renewRequestScope(ctx: Context, event: object): void {
  let scope = scopes.get(event);
  if (!scope) {
    const em = ctx.em.fork({ clear: true });
    scope = { em, loaders: new Loaders(em) };
    scopes.set(event, scope);
  }
  ctx.em = scope.em;
  ctx.loaders = scope.loaders;
}
