// `npm test` and CI fail when an SDK test fails: vitest with this package's config and setup exits non-zero.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GATE_FIXTURES, runVitestOn } from '../../server/test/helpers/vitest-gate.js';

const packageDir = path.resolve(__dirname, '..');

describe('the test gate of @escalate/sdk', () => {
  it('exits non-zero when a test fails', async () => {
    const run = await runVitestOn(packageDir, path.join(GATE_FIXTURES, 'gate-fail.fixture.ts'));
    expect(run.output).toMatch(/Tests\s+1 failed/);
    expect(run.exitCode, run.output).not.toBe(0);
  }, 60_000);
});
