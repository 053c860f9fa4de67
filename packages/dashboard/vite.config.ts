// The wall screen, built into dist/ and served by the server at /dashboard (same origin as /graphql: no CORS).
// `@escalate/sdk` is the SDK's public entry, src/index.ts, compiled with the app: no SDK build needed first.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/dashboard/',
  plugins: [react()],
  resolve: { alias: { '@escalate/sdk': fileURLToPath(new URL('../sdk/src/index.ts', import.meta.url)) } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  // `npm run dev -w @escalate/dashboard`: the app on Vite's server, /graphql (HTTP and WebSocket) passed to `npm start`'s.
  server: { proxy: { '/graphql': { target: 'http://localhost:4000', ws: true } } },
});
