// `npm test` and CI fail when a test fails: a failing test must make vitest exit non-zero, global setup and all.
// (It once exited 0: a dependency's exit hook called process.exit(0) after vitest had set the exit code.)
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GATE_FIXTURES, runVitestOn } from './helpers/vitest-gate';

const packageDir = path.resolve(__dirname, '..');

describe('the test gate of @escalate/server', () => {
  it('exits non-zero when a test fails', async () => {
    const run = await runVitestOn(packageDir, path.join(GATE_FIXTURES, 'gate-fail.fixture.ts'));
    expect(run.output).toMatch(/Tests\s+1 failed/);
    expect(run.exitCode, run.output).not.toBe(0);
  }, 60_000);

  it('exits 0 when every test passes', async () => {
    const run = await runVitestOn(packageDir, path.join(GATE_FIXTURES, 'gate-pass.fixture.ts'));
    expect(run.output).toMatch(/Tests\s+1 passed/);
    expect(run.exitCode, run.output).toBe(0);
  }, 60_000);
});
