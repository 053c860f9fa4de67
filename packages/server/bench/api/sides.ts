// The servers measured side by side, each its own process (so /proc tells its CPU and memory apart): Escalate as
// operators run it (`node dist/main.js`), PostGraphile 4 over the same database, and the floor (floor-server.mjs).
import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

export type SideName = 'escalate' | 'postgraphile' | 'floor';

export const SIDE_LABELS: Record<SideName, string> = {
  escalate: 'Escalate',
  postgraphile: 'PostGraphile 4',
  floor: 'floor (node:http + pg)',
};

const PACKAGE_DIR = path.resolve(__dirname, '..', '..');

export interface SideSettings {
  databaseUrl: string;
  jwtSecret: string;
  /** How many sockets the fan-out job opens per signed-in user. */
  subscribersPerUser: number;
  /**
   * Escalate's limit of sockets per user, which also bounds the sockets of one address still signing in: above
   * the subscribers the bench opens at once from 127.0.0.1.
   */
  maxSocketsPerUser: number;
  /** Write a V8 CPU profile of each side process into this folder. */
  cpuProfileDir: string | null;
}

export interface Side {
  name: SideName;
  pid: number;
  /** http://127.0.0.1:<port> */
  base: string;
  /** The process exited before stop() was called: how, and its last words. */
  crash(): string | null;
  /** Output since start, for a failed job's report. */
  output(): string;
  stop(): Promise<void>;
}

function command(name: SideName, settings: SideSettings): { script: string; env: NodeJS.ProcessEnv; ready: RegExp } {
  const env = { DATABASE_URL: settings.databaseUrl, PORT: '0', NODE_ENV: 'production' };
  switch (name) {
    case 'escalate':
      return {
        script: path.join(PACKAGE_DIR, 'dist', 'main.js'),
        env: {
          ...env,
          AUTH_JWT_SECRET: settings.jwtSecret,
          // Request logs would measure pino; warnings and errors still show.
          LOG_LEVEL: 'warn',
          // The bench is one client address sending thousands of requests a minute.
          RATE_LIMIT_PER_IP: '0',
          RATE_LIMIT_PER_USER: '0',
          WEBSOCKET_MAX_SOCKETS_PER_USER: String(settings.maxSocketsPerUser),
          ESCALATE_DEMO: 'false',
        },
        ready: /Playground:\s+http:\/\/[^:]+:(\d+)/,
      };
    case 'postgraphile':
      return { script: path.join(__dirname, 'postgraphile-server.mjs'), env, ready: /listening on http:\/\/[^:]+:(\d+)/ };
    case 'floor':
      return { script: path.join(__dirname, 'floor-server.mjs'), env, ready: /listening on http:\/\/[^:]+:(\d+)/ };
  }
}

/** Starts a side and resolves once it listens; rejects with its output if it exits first or takes over a minute. */
export function startSide(name: SideName, settings: SideSettings): Promise<Side> {
  const { script, env, ready } = command(name, settings);
  const nodeArgs = settings.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', settings.cpuProfileDir, '--cpu-prof-name', `${name}-${Date.now()}.cpuprofile`] : [];
  const fullEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete fullEnv.NODE_OPTIONS; // the bench's own (e.g. swc's register) are not the sides'
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, script], { cwd: PACKAGE_DIR, env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let stopping = false;
  const append = (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-20_000));
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<string>((resolve) => child.on('exit', (code, signal) => resolve(signal ? `killed by ${signal}` : `exit code ${code}`)));
  let exit: string | null = null;
  void exited.then((how) => (exit = how));
  const side: Side = {
    name,
    pid: child.pid!,
    base: '',
    crash: () => (exit !== null && !stopping ? `${exit}: ${output.trim().split('\n').slice(-3).join(' / ').slice(0, 600)}` : null),
    output: () => output,
    async stop() {
      if (exit !== null) return;
      stopping = true;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(`did not start within 60 s`), 60_000);
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      void side.stop().then(() => reject(new Error(`${SIDE_LABELS[name]} ${why}:\n${output}`)));
    };
    const check = () => {
      const port = ready.exec(output)?.[1];
      if (!port || settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      resolve({ ...side, base: `http://127.0.0.1:${port}` });
    };
    child.stdout!.on('data', check);
    void exited.then((how) => fail(`exited during start-up (${how})`));
  });
}
