// What every resolver gets: the viewer, a request-scoped entity manager and loaders, the clock, the config.
import { EntityManager } from '@mikro-orm/postgresql';
import { Logger } from 'pino';
import { Viewer } from './auth/viewer';
import { Loaders } from './common/loaders';
import { Config } from './config';
import type { LiveLog } from './events/live-log';
import { Realtime } from './realtime/pubsub';

/** Time comes in from outside, so tests move it instead of sleeping. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

export interface Context {
  viewer: Viewer | null;
  em: EntityManager;
  loaders: Loaders;
  clock: Clock;
  config: Config;
  log: Logger;
  realtime: Realtime;
  /** What subscriptions deliver, from the log, resumable (events/live-log.ts). */
  live: LiveLog;
}
