// A newcomer's first minute, as `npm start` runs it: embedded PostgreSQL, migrations, demo tokens, clean shutdown.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const packageDir = path.resolve(__dirname, '..');

describe('npm start', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'escalate-start-'));
  chmodSync(dataDir, 0o755);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts on an embedded PostgreSQL, prints working demo tokens, and stops cleanly on SIGTERM', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', ESCALATE_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    delete env.DATABASE_URL;
    delete env.AUTH_JWT_SECRET;
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], { cwd: packageDir, env });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner within 60s:\n${output}`)), 60_000);
        child.stdout.on('data', () => {
          if (output.includes('ADMIN')) {
            clearTimeout(timer);
            setTimeout(resolve, 100);
          }
        });
        child.on('exit', () => reject(new Error(`exited early:\n${output}`)));
      });
      const url = /Playground:\s+(\S+)/.exec(output)![1]!;
      const customerToken = /CUSTOMER .*\n\s+(\S+)/.exec(output)![1]!;
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${customerToken}` },
        body: JSON.stringify({ query: '{ me { role organization { slug } } }' }),
      });
      expect(await response.json()).toEqual({ data: { me: { role: 'CUSTOMER', organization: { slug: 'acme' } } } });
      expect(existsSync(path.join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    // PostgreSQL was stopped with it: its pid file is gone.
    expect(existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  }, 90_000);
});
