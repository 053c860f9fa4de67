import { createRequire } from 'node:module';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// The wall screen is tested in Chromium against a real server started in-process from ../server (decorators: SWC,
// one graphql), serving the built dist/ (`npm test` builds it when stale).
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  test: {
    globalSetup: ['../server/test/global-setup.ts'],
    include: [process.env.ESCALATE_BENCH ? 'bench/**/*.bench.test.ts' : 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 1, minForks: 1 } },
  },
});
