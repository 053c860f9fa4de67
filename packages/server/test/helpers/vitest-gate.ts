// The test gate itself under test: runs vitest in a child process, with a package's own config and global setup
// (the embedded PostgreSQL included), on one fixture file, and reports how it ended.
import { spawn } from 'node:child_process';
import path from 'node:path';

export const GATE_FIXTURES = path.resolve(__dirname, '..', 'fixtures');

export interface VitestRun {
  exitCode: number | null;
  output: string;
}

export function runVitestOn(packageDir: string, fixture: string): Promise<VitestRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, ESCALATE_GATE_FIXTURE: path.relative(packageDir, fixture), CI: 'true', NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  // The embedded PostgreSQL's start-up is what once swallowed failures; exercise it, not a server given by URL.
  delete env.DATABASE_URL;
  delete env.VITEST;
  delete env.VITEST_POOL_ID;
  delete env.VITEST_WORKER_ID;
  const vitest = require.resolve('vitest/vitest.mjs', { paths: [packageDir] });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [vitest, 'run', '--reporter=dot'], { cwd: packageDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (exitCode) => resolve({ exitCode, output }));
  });
}
