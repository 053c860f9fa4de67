// Which other origins' browser apps may call the API (CORS_ORIGINS): answered to preflights by `cors` over HTTP,
// and checked against a WebSocket's `Origin`, which browsers send but do not enforce. Requests without an Origin
// (servers, the SDK in Node) and from the server's own origin (the playground) need no permission.
import type { IncomingMessage } from 'node:http';
import cors from 'cors';
import { CorsSettings } from '../config';

/** `http://localhost:5173` and `http://127.0.0.1:8080`, any port: a frontend in development, with npm start's demo. */
const LOCAL_DEVELOPMENT = /^http:\/\/(localhost|127\.0\.0\.1)(:\d{1,5})?$/;

export function originAllowed(settings: CorsSettings, origin: string): boolean {
  return settings.origins.includes('*') || settings.origins.includes(origin) || (settings.localDevelopment && LOCAL_DEVELOPMENT.test(origin));
}

/** The middleware for /graphql: the methods and headers the SDK sends, preflights remembered for ten minutes. */
export function corsMiddleware(settings: CorsSettings) {
  return cors({
    origin: (origin, answer) => answer(null, origin !== undefined && originAllowed(settings, origin)),
    methods: ['GET', 'POST'],
    allowedHeaders: ['content-type', 'authorization'],
    exposedHeaders: ['retry-after'],
    maxAge: 600,
  });
}

/** Whether a WebSocket upgrade may proceed: no Origin, the server's own, or one CORS_ORIGINS allows. */
export function upgradeOriginAllowed(settings: CorsSettings, request: IncomingMessage): boolean {
  const origin = request.headers.origin;
  if (!origin) return true;
  try {
    if (new URL(origin).host === request.headers.host) return true;
  } catch {
    return false;
  }
  return originAllowed(settings, origin);
}
