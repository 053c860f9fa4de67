// npm run bench:start: how long `npm start` takes until the playground URL is printed, and how long SIGTERM then
// takes to end it, for a start after a source change (a build) and for a restart with no change (no build).
// Run from a checkout that has had `npm install`; uses a throwaway data folder, so the demo data is seeded anew.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const dataDir = mkdtempSync(path.join(tmpdir(), 'escalate-start-bench-'));
chmodSync(dataDir, 0o755);

function start() {
  return new Promise((resolve, reject) => {
    const begun = performance.now();
    const env = { ...process.env, PORT: '0', ESCALATE_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    delete env.DATABASE_URL;
    // detached: npm, its shell and the server in one process group, signalled together as a terminal's Ctrl-C would.
    const child = spawn('npm', ['start'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    let ready = null;
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (ready === null && output.includes('Playground:')) {
        ready = performance.now() - begun;
        const signalled = performance.now();
        process.kill(-child.pid, 'SIGINT');
        child.on('exit', (code, signal) => resolve({ ready, stop: performance.now() - signalled, code: code ?? signal }));
      }
    });
    child.on('exit', (code) => ready === null && reject(new Error(`npm start exited (${code}) before it was ready:\n${output}`)));
  });
}

try {
  const serverSource = path.join(root, 'packages', 'server', 'src', 'main.ts');
  const now = new Date();
  utimesSync(serverSource, now, now); // a source change: the first start builds
  const changed = await start();
  const unchanged = await start();
  const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
  console.log(`npm start after a source change: ready in ${s(changed.ready)}, stopped ${s(changed.stop)} after Ctrl-C (exit ${changed.code})`);
  console.log(`npm start with no change:        ready in ${s(unchanged.ready)}, stopped ${s(unchanged.stop)} after Ctrl-C (exit ${unchanged.code})`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
