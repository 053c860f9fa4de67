// The live SLA wall screen (packages/dashboard), built by Vite into its dist/ and served here at /dashboard: same
// origin as /graphql, so it needs no CORS. Built by `npm run build` and by `npm start` when stale.
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';

/** packages/dashboard/dist, from src/http or dist/http alike. */
export const DASHBOARD_DIR = path.resolve(__dirname, '../../../dashboard/dist');

export function dashboardRouter(directory = DASHBOARD_DIR): Router {
  const router = Router();
  router.use('/dashboard', (_request, response, next) => {
    // Its scripts and styles from here, its data from /graphql over HTTP and WebSocket.
    response.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
    if (!existsSync(path.join(directory, 'index.html'))) {
      response.status(503).type('text').send('The wall screen is not built: run `npm run build` (or `npm start`, which builds it) at the repository root.');
      return;
    }
    next();
  });
  // The page itself is never cached (a new build shows at once); its assets, whose names carry their hash, are.
  const cacheHeaders = (response: express.Response, file: string) =>
    response.setHeader('Cache-Control', file.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable');
  router.use('/dashboard', express.static(directory, { index: 'index.html', redirect: true, setHeaders: cacheHeaders }));
  return router;
}
