// `npm start` builds the wall screen only when it is missing or older than its sources (or the SDK's, which it
// compiles with itself): a restart with no change starts at once.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dashboardDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sdkDir = path.resolve(dashboardDir, '../sdk');

/** The newest modification time under `target`, in ms. */
function newest(target) {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(target).reduce((latest, name) => Math.max(latest, newest(path.join(target, name))), stat.mtimeMs);
}

function builtAt(file) {
  return existsSync(file) ? statSync(file).mtimeMs : -1;
}

function run(what, args, cwd) {
  console.log(what);
  const result = spawnSync(process.execPath, args, { cwd, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const inputs = ['src', 'index.html', 'vite.config.ts', 'package.json', path.join(sdkDir, 'src')].map((input) => path.resolve(dashboardDir, input));
const built = builtAt(path.join(dashboardDir, 'dist/index.html'));
if (built >= 0 && Math.max(...inputs.map(newest)) <= built) {
  console.log('the wall screen is up to date: not rebuilding');
} else {
  const vite = path.join(path.dirname(fileURLToPath(import.meta.resolve('vite'))), '..', '..', 'bin', 'vite.js');
  run(built < 0 ? 'building the wall screen (first start)…' : 'building the wall screen (sources changed)…', [vite, 'build', '--logLevel', 'warn'], dashboardDir);
}
