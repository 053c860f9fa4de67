// Rate limits per client address and per signed-in user, answered 429 with Retry-After (which the SDK honours).
// Counted in Redis when REDIS_URL is set, so that every instance shares them; in memory otherwise, and in memory
// too while Redis is unreachable (an insurance limiter), so an outage neither blocks everyone nor lets floods through.
import { Redis } from 'ioredis';
import { Logger } from 'pino';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitSettings } from '../config';

const WINDOW_SECONDS = 60;

export interface RateLimits {
  /**
   * Takes `points` from the caller's allowance: null when it may go on, else the seconds to wait (Retry-After).
   * `kind` says whose allowance: the client address's or the signed-in user's.
   */
  take(kind: 'ip' | 'user', key: string, points?: number): Promise<number | null>;
  close(): Promise<void>;
}

export function createRateLimits(settings: RateLimitSettings, options: { redisUrl?: string | undefined; log: Logger }): RateLimits {
  let redis: Redis | null = null;
  if (options.redisUrl && (settings.perIpPerMinute || settings.perUserPerMinute)) {
    redis = new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    redis.on('error', (error) => options.log.warn({ err: error }, 'redis error (rate limits fall back to memory)'));
  }
  const limiter = (name: string, points: number): RateLimiterAbstract | null => {
    if (!points) return null;
    const memory = new RateLimiterMemory({ keyPrefix: `rl:${name}`, points, duration: WINDOW_SECONDS });
    return redis ? new RateLimiterRedis({ storeClient: redis, keyPrefix: `${settings.keyPrefix ?? 'escalate:rl'}:${name}`, points, duration: WINDOW_SECONDS, insuranceLimiter: memory }) : memory;
  };
  const limiters = { ip: limiter('ip', settings.perIpPerMinute), user: limiter('user', settings.perUserPerMinute) };
  return {
    async take(kind, key, points = 1) {
      const chosen = limiters[kind];
      if (!chosen) return null;
      try {
        await chosen.consume(key, points);
        return null;
      } catch (refusal) {
        if (refusal instanceof RateLimiterRes) return Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
        options.log.warn({ err: refusal }, 'rate limit not checked');
        return null;
      }
    },
    async close() {
      await redis?.quit().catch(() => redis?.disconnect());
    },
  };
}
