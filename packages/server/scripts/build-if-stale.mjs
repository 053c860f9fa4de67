// `npm start` builds only when the sources changed since the last build: a restart with no change skips tsc
// (about 10 s on a 2-core machine) and starts at once. Any change under src/, or to the compiler settings or the
// package's manifest, runs tsc's incremental build, which recompiles what changed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(packageDir, 'dist', '.tsbuildinfo');
const inputs = ['src', 'tsconfig.build.json', 'tsconfig.json', '../../tsconfig.json', 'package.json'];

/** The newest modification time under `target`, in ms. */
function newest(target) {
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(target).reduce((latest, name) => Math.max(latest, newest(path.join(target, name))), stat.mtimeMs);
}

const built = existsSync(stamp) && existsSync(path.join(packageDir, 'dist', 'main.js')) ? statSync(stamp).mtimeMs : -1;
const changed = inputs.map((input) => path.join(packageDir, input)).filter((input) => existsSync(input) && newest(input) > built);
if (built >= 0 && changed.length === 0) {
  console.log('dist/ is up to date with src/: not rebuilding');
} else {
  console.log(built < 0 ? 'building the server (first start)…' : `building the server (changed: ${changed.map((input) => path.relative(packageDir, input)).join(', ')})…`);
  const tsc = spawnSync(process.execPath, [path.join(path.dirname(fileURLToPath(import.meta.resolve('typescript'))), '..', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
    cwd: packageDir,
    stdio: 'inherit',
  });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  // tsc leaves its build info alone when nothing it emits changed (a touched file): mark this build as current.
  const now = new Date();
  utimesSync(stamp, now, now);
}
