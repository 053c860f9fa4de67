// Everything the server reads from its environment, in one place, with the defaults a newcomer needs.
import { DEFAULT_ESCALATIONS_EMAIL } from './policy/default-policy';

/**
 * A reason the server cannot start that the person starting it can fix: printed as one line, without a stack,
 * and the process exits non-zero.
 */
export class StartupError extends Error {}

/** HS256 wants a key at least as long as its 256-bit hash. */
export const MIN_SECRET_LENGTH = 32;

export interface Config {
  /** NODE_ENV=production: no development defaults for secrets. */
  production: boolean;
  port: number;
  /** Unset: an embedded PostgreSQL is started under `dataDir`. */
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** Unset in development: a random secret is generated and kept under `dataDir`. */
  jwtSecret: string | undefined;
  /**
   * AUTH_JWT_SECRET_PREVIOUS: during a rotation, the secret being retired; tokens signed with it are still accepted,
   * new ones are signed with `jwtSecret`. Unset once the old tokens have expired.
   */
  jwtSecretPrevious: string | undefined;
  smtpUrl: string | undefined;
  /** The From address of notification mail. */
  notificationsFrom: string | undefined;
  escalationsEmail: string;
  /** The engineers' queue: notified of update requests on unassigned tickets. */
  supportQueueEmail: string;
  communityUrl: string;
  dataDir: string;
  /** LOG_LEVEL: pino's level. */
  logLevel: LogLevel;
  metrics: MetricsSettings;
  websocket: WebSocketLimits;
  rateLimits: RateLimitSettings;
  /** TRUST_PROXY: Express's `trust proxy` (e.g. `1` behind one reverse proxy): which client address counts as the caller's. */
  trustProxy: boolean | number | string;
  cors: CorsSettings;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The Prometheus endpoint (metrics.ts): on a port of its own, so that the public listener never serves it. */
export interface MetricsSettings {
  /** METRICS_PORT: where `GET /metrics` is served; unset, nothing is measured or served. */
  port: number | undefined;
  /** METRICS_TOKEN: when set, a scrape must send `Authorization: Bearer <token>`. */
  token: string | undefined;
}

/** Which other origins' browser apps may call the API (http/cors.ts). */
export interface CorsSettings {
  /** CORS_ORIGINS: e.g. `https://desk.example.com,https://wall.example.com`; `*` for any. */
  origins: string[];
  /** Without CORS_ORIGINS, npm start's demo lets `http://localhost:*` and `http://127.0.0.1:*` call it. */
  localDevelopment: boolean;
}

/** How many requests a caller may make per minute (http/rate-limits.ts); 0 turns a limit off. */
export interface RateLimitSettings {
  /** RATE_LIMIT_PER_IP: requests and WebSocket connections per client address. */
  perIpPerMinute: number;
  /** RATE_LIMIT_PER_USER: requests per signed-in user, wherever they come from. */
  perUserPerMinute: number;
  /** A refused token costs this many requests of its address's allowance, so forged tokens run out fast. */
  failedAuthCost: number;
  /** Where the counts live in Redis (default `escalate:rl`); instances that share limits share it. */
  keyPrefix?: string;
}

/** What one graphql-ws client may hold (http/websocket.ts). */
export interface WebSocketLimits {
  /** WEBSOCKET_MAX_MESSAGE_BYTES: a larger message closes the socket with 1009 before it is read. */
  maxMessageBytes: number;
  /** WEBSOCKET_MAX_SUBSCRIPTIONS: operations running at once on one socket. */
  maxSubscriptionsPerSocket: number;
  /** WEBSOCKET_MAX_SOCKETS_PER_USER: open sockets per signed-in user, or per IP address for anonymous ones. */
  maxSocketsPerUser: number;
  /** WEBSOCKET_INIT_TIMEOUT_MS: how long a new socket may take to send `connection_init`. */
  initTimeoutMs: number;
}

export const DEFAULT_SUPPORT_QUEUE_EMAIL = 'support-queue@escalate.example';
export const DEFAULT_COMMUNITY_URL = 'https://community.escalate.example/enhancements';

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new StartupError(`PORT must be a TCP port number (0-65535), got '${env.PORT}'.`);
  }
  const production = env.NODE_ENV === 'production';
  const secret = env.AUTH_JWT_SECRET;
  if (production && (!secret || secret.length < MIN_SECRET_LENGTH)) {
    throw new StartupError(
      `AUTH_JWT_SECRET must be set to a secret of at least ${MIN_SECRET_LENGTH} characters in production ` +
        `(${secret ? `it has ${secret.length}` : 'it is not set'}); generate one with: openssl rand -base64 48`,
    );
  }
  const previousSecret = env.AUTH_JWT_SECRET_PREVIOUS || undefined;
  if (previousSecret && !secret) {
    throw new StartupError('AUTH_JWT_SECRET_PREVIOUS is set without AUTH_JWT_SECRET: set AUTH_JWT_SECRET to the new secret, and AUTH_JWT_SECRET_PREVIOUS to the one it replaces.');
  }
  if (previousSecret && previousSecret === secret) {
    throw new StartupError('AUTH_JWT_SECRET_PREVIOUS is the same as AUTH_JWT_SECRET: it takes the secret being replaced (or unset it once the rotation is over).');
  }
  if (production && previousSecret && previousSecret.length < MIN_SECRET_LENGTH) {
    throw new StartupError(`AUTH_JWT_SECRET_PREVIOUS must be at least ${MIN_SECRET_LENGTH} characters in production (it has ${previousSecret.length}).`);
  }
  const logLevel = env.LOG_LEVEL || 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new StartupError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; got '${logLevel}'.`);
  }
  const metricsPort = env.METRICS_PORT ? Number(env.METRICS_PORT) : undefined;
  if (metricsPort !== undefined && (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65535)) {
    throw new StartupError(`METRICS_PORT must be a TCP port number (0-65535), got '${env.METRICS_PORT}'.`);
  }
  if (metricsPort !== undefined && metricsPort !== 0 && metricsPort === port) {
    throw new StartupError(`METRICS_PORT must differ from PORT (both are ${port}): the metrics are served on a port of their own, kept off the public one.`);
  }
  return {
    production,
    port,
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    jwtSecret: env.AUTH_JWT_SECRET || undefined,
    jwtSecretPrevious: previousSecret,
    smtpUrl: env.SMTP_URL || undefined,
    notificationsFrom: env.NOTIFICATIONS_FROM || undefined,
    escalationsEmail: env.ESCALATIONS_EMAIL || DEFAULT_ESCALATIONS_EMAIL,
    supportQueueEmail: env.SUPPORT_QUEUE_EMAIL || DEFAULT_SUPPORT_QUEUE_EMAIL,
    communityUrl: env.COMMUNITY_URL || DEFAULT_COMMUNITY_URL,
    dataDir: env.ESCALATE_DATA_DIR || '.data',
    logLevel: logLevel as LogLevel,
    metrics: { port: metricsPort, token: env.METRICS_TOKEN || undefined },
    websocket: {
      maxMessageBytes: positiveInteger(env, 'WEBSOCKET_MAX_MESSAGE_BYTES', 1024 * 1024),
      maxSubscriptionsPerSocket: positiveInteger(env, 'WEBSOCKET_MAX_SUBSCRIPTIONS', 100),
      maxSocketsPerUser: positiveInteger(env, 'WEBSOCKET_MAX_SOCKETS_PER_USER', 20),
      initTimeoutMs: positiveInteger(env, 'WEBSOCKET_INIT_TIMEOUT_MS', 10_000),
    },
    rateLimits: {
      perIpPerMinute: wholeNumber(env, 'RATE_LIMIT_PER_IP', 1200),
      perUserPerMinute: wholeNumber(env, 'RATE_LIMIT_PER_USER', 1200),
      failedAuthCost: 10,
    },
    trustProxy: trustProxy(env.TRUST_PROXY),
    cors: {
      origins: corsOrigins(env.CORS_ORIGINS),
      localDevelopment: !env.CORS_ORIGINS && (!env.DATABASE_URL || env.ESCALATE_DEMO === 'true'),
    },
  };
}

function corsOrigins(given: string | undefined): string[] {
  const origins = (given ?? '').split(',').map((origin) => origin.trim()).filter(Boolean);
  for (const origin of origins) {
    if (origin === '*') continue;
    let parsed: URL | null = null;
    try {
      parsed = new URL(origin);
    } catch {
      // refused below
    }
    if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin) {
      throw new StartupError(`CORS_ORIGINS takes origins such as https://desk.example.com (scheme, host and port, no path or trailing slash), or *; got '${origin}'.`);
    }
  }
  return origins;
}

function trustProxy(given: string | undefined): boolean | number | string {
  if (!given || given === 'false') return false;
  if (given === 'true') return true;
  return /^\d+$/.test(given) ? Number(given) : given;
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const given = env[name];
  if (!given) return fallback;
  const value = Number(given);
  if (!Number.isSafeInteger(value) || value < 0) throw new StartupError(`${name} must be a whole number (0 turns it off), got '${given}'.`);
  return value;
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const given = env[name];
  if (!given) return fallback;
  const value = Number(given);
  if (!Number.isSafeInteger(value) || value < 1) throw new StartupError(`${name} must be a whole number of at least 1, got '${given}'.`);
  return value;
}
