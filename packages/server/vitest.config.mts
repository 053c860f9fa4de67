import { createRequire } from 'node:module';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  // SWC instead of esbuild: type-graphql and MikroORM read decorator metadata, which esbuild does not emit.
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: {
    // graphql@16 has no exports map: Vite would pick its ESM build while the libraries Node loads get the CommonJS
    // one, and graphql refuses to mix the two. One instance, as in the built server.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    globalSetup: ['test/global-setup.ts'],
    // ESCALATE_GATE_FIXTURE: only the gate's fixture (test/gate.test.ts runs it in a child vitest, same setup).
    include: process.env.ESCALATE_GATE_FIXTURE ? [process.env.ESCALATE_GATE_FIXTURE] : ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
