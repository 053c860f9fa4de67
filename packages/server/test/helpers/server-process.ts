// The built server (`dist/main.js`, what `npm start` and the Docker image run) as a child process: start it, read
// its banner, signal it, and see how it ended.
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const PACKAGE_DIR = path.resolve(__dirname, '..', '..');
const MAIN = path.join(PACKAGE_DIR, 'dist', 'main.js');

export interface ServerProcess {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  stderr(): string;
  /** Resolves when `text` has appeared in the output; rejects if the process exits first or after `timeoutMs`. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<string>;
  /** How the process ended, and how long after `signal()` was last called (ms). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; msAfterSignal: number }>;
  signal(signal: NodeJS.Signals): void;
}

/** Runs `node dist/main.js` with `env` added to this process's environment (minus DATABASE_URL and NODE_ENV unless given). */
export function startServerProcess(env: NodeJS.ProcessEnv): ServerProcess {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: the server package's test script builds it (npm run build -w @escalate/server).`);
  const fullEnv: NodeJS.ProcessEnv = { ...process.env, PORT: '0', LOG_LEVEL: 'warn', ...env };
  if (!('DATABASE_URL' in env)) delete fullEnv.DATABASE_URL;
  // Not vitest's NODE_ENV=test, which changes how libraries behave (Apollo skips its signal handlers under it).
  if (!('NODE_ENV' in env)) delete fullEnv.NODE_ENV;
  for (const key of Object.keys(fullEnv)) if (fullEnv[key] === undefined) delete fullEnv[key];
  const child = spawn(process.execPath, [MAIN], { cwd: PACKAGE_DIR, env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  const heard = () => listeners.forEach((listener) => listener());
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    heard();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    stderr += chunk.toString('utf8');
    heard();
  });
  let signalledAt = Date.now();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; msAfterSignal: number }>((resolve) =>
    child.on('exit', (code, signal) => {
      resolve({ code, signal, msAfterSignal: Date.now() - signalledAt });
      heard();
    }),
  );
  return {
    child,
    output: () => output,
    stderr: () => stderr,
    exited,
    signal(signal) {
      signalledAt = Date.now();
      child.kill(signal);
    },
    waitFor(text, timeoutMs = 60_000) {
      return new Promise<string>((resolve, reject) => {
        const check = () => {
          const match = typeof text === 'string' ? (output.includes(text) ? text : null) : (text.exec(output)?.[0] ?? null);
          if (match !== null) return done(() => resolve(match));
          if (child.exitCode !== null || child.signalCode !== null) done(() => reject(new Error(`exited before ${text}:\n${output}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`no ${text} within ${timeoutMs} ms:\n${output}`))), timeoutMs);
        const done = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      });
    },
  };
}

/** The playground URL the banner prints. */
export async function bannerUrl(server: ServerProcess): Promise<string> {
  const line = await server.waitFor(/Playground:\s+\S+/);
  return line.replace(/Playground:\s+/, '');
}
