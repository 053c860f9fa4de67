import { createRequire } from 'node:module';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// The SDK is tested against a real server started in-process from ../server (decorators: SWC, one graphql).
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  test: {
    globalSetup: ['../server/test/global-setup.ts'],
    // ESCALATE_GATE_FIXTURE: only the gate's fixture (test/gate.test.ts runs it in a child vitest, same setup).
    include: process.env.ESCALATE_GATE_FIXTURE ? [process.env.ESCALATE_GATE_FIXTURE] : ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
