// The deployment files' shape, checked without Docker (no engine here): docker-compose.yml scales `server` behind
// Caddy with health checks and the secret from .env; the Dockerfile's image is production-only, non-root and checked
// on /readyz; .dockerignore keeps dependencies, builds, local data and secrets out of the build context.
// dockerfile-replay.test.ts builds the image's contents and starts them.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { dockerignored, parseDockerfile, parseDockerignore, repositoryContext, stageConfig, workingTreeContext } from './helpers/dockerfile';

const root = path.resolve(__dirname, '../../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

const scratchFolders: string[] = [];
afterAll(() => scratchFolders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));
function scratch(): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'escalate-deployment-'));
  scratchFolders.push(folder);
  return folder;
}

const compose = parse(read('docker-compose.yml'), { merge: true });
const services = compose.services;
/** `env_file` and `environment` in any of the forms compose accepts. */
const envFiles = (service: any): string[] => [service.env_file ?? []].flat().map((entry: any) => (typeof entry === 'string' ? entry : entry.path));
const environment = (service: any): Record<string, string> =>
  Array.isArray(service.environment)
    ? Object.fromEntries(service.environment.map((entry: string) => [entry.split('=')[0], entry.split('=').slice(1).join('=')]))
    : (service.environment ?? {});
/** The Caddyfile without its comments. */
const caddyfile = () =>
  read('deploy/Caddyfile')
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
    .filter(Boolean)
    .join('\n');

describe('docker-compose.yml', () => {
  it('runs PostgreSQL, Redis, a `server` that scales out, and a proxy in front, each with a health check', () => {
    expect(Object.keys(services).sort()).toEqual(['postgres', 'proxy', 'redis', 'server']);
    const server = services.server;
    expect(server.build).toBe('.');
    // `--scale server=3` needs no fixed host port and no fixed container name.
    expect(server.ports).toBeUndefined();
    expect(server.container_name).toBeUndefined();
    const env = environment(server);
    expect(env.DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:5432\//);
    expect(env.REDIS_URL).toBe('redis://redis:6379');
    expect(env.TRUST_PROXY).toBe('1');
    for (const name of Object.keys(services)) expect(services[name].healthcheck?.test, name).toBeDefined();
    expect(services.server.healthcheck.test.join(' ')).toContain(`127.0.0.1:${env.PORT}/readyz`);
  });

  it('starts each service once what it needs is healthy', () => {
    const conditions = (name: string) => Object.fromEntries(Object.entries(services[name].depends_on).map(([on, rule]: [string, any]) => [on, rule.condition]));
    expect(conditions('server')).toEqual({ postgres: 'service_healthy', redis: 'service_healthy' });
    expect(conditions('proxy')).toEqual({ server: 'service_healthy' });
  });

  it('takes the secret from .env, never from the compose file; .env stays out of git and the image', () => {
    expect(envFiles(services.server)).toEqual(['.env']);
    for (const [name, service] of Object.entries(services)) expect(Object.keys(environment(service)), name).not.toContain('AUTH_JWT_SECRET');
    // Not interpolated either (a `${AUTH_JWT_SECRET:-default}` would inline a default).
    expect(JSON.stringify(compose)).not.toContain('AUTH_JWT_SECRET');
    expect(read('.env.example')).toMatch(/^AUTH_JWT_SECRET=$/m);
    expect(spawnSync('git', ['check-ignore', '-q', '.env'], { cwd: root }).status).toBe(0);
    expect(dockerignored(parseDockerignore(read('.dockerignore')), '.env')).toBe(true);
  });

  it('publishes only the proxy, which spreads requests over every server instance and passes WebSockets through', () => {
    const proxy = services.proxy;
    expect(proxy.image).toMatch(/^caddy:/);
    expect(proxy.ports).toHaveLength(1);
    expect(String(proxy.ports[0])).toMatch(/:80$/);
    expect(proxy.volumes).toContain('./deploy/Caddyfile:/etc/caddy/Caddyfile:ro');
    const config = caddyfile();
    expect(config).toMatch(/^:80 \{/m);
    // Every `server` container from Docker's DNS, looked up again as instances come and go, on the server's port.
    expect(config).toMatch(new RegExp(`^dynamic a server ${environment(services.server).PORT} \\{\\nrefresh \\d+s\\n\\}`, 'm'));
    expect(config).toMatch(/^lb_policy (least_conn|round_robin)$/m);
    // Caddy forwards Upgrade and Connection (WebSockets) and the Host header on its own: nothing may take them away.
    expect(config).not.toMatch(/header_up\s+(-Upgrade|-Connection|Host)/i);
  });

  it('is accepted by `docker compose config`', (context) => {
    if (spawnSync('docker', ['compose', 'version']).status !== 0) {
      context.skip('`docker compose` is not installed here: the file’s structure is checked above instead');
      return;
    }
    // compose requires the env_file: a copy of the project with .env made from .env.example.
    const project = scratch();
    cpSync(path.join(root, 'docker-compose.yml'), path.join(project, 'docker-compose.yml'));
    mkdirSync(path.join(project, 'deploy'));
    cpSync(path.join(root, 'deploy/Caddyfile'), path.join(project, 'deploy/Caddyfile'));
    writeFileSync(path.join(project, '.env'), 'AUTH_JWT_SECRET=a-secret-of-at-least-thirty-two-characters\n');
    const config = spawnSync('docker', ['compose', 'config', '--quiet'], { cwd: project, encoding: 'utf8' });
    expect(config.status, config.stderr).toBe(0);
  });
});

describe('the Dockerfile', () => {
  const stages = parseDockerfile(read('Dockerfile'));
  const runtime = stages.at(-1)!;
  const config = stageConfig(stages, runtime);

  it('builds in one stage and runs the built server from another, with production dependencies only', () => {
    expect(stages.map((stage) => stage.name)).toEqual(['build', 'runtime']);
    const runs = (stage: (typeof stages)[number]) => stage.steps.flatMap((step) => (step.kind === 'RUN' ? [step.text] : []));
    expect(runs(stages[0]!)).toEqual([expect.stringMatching(/^npm ci\b/), 'npm run build']);
    expect(runs(runtime)).toEqual([expect.stringMatching(/^npm ci --omit=dev\b/)]);
    // The runtime takes the build's output only; its sources stay behind.
    const fromBuild = runtime.steps.flatMap((step) => (step.kind === 'COPY' && step.from === 'build' ? step.sources : []));
    expect(fromBuild).toEqual(['/app/packages/server/dist', '/app/packages/dashboard/dist']);
    expect(config.cmd).toEqual(['node', 'packages/server/dist/main.js']);
    expect(config.env.NODE_ENV).toBe('production');
  });

  it('copies the package manifests before the sources, so that the dependency layer is reused across source edits', () => {
    for (const stage of stages) {
      const install = stage.steps.findIndex((step) => step.kind === 'RUN' && /^npm ci\b/.test(step.text));
      const copiedFirst = stage.steps.slice(0, install).flatMap((step) => (step.kind === 'COPY' ? step.sources : []));
      expect(copiedFirst.length, stage.name).toBeGreaterThan(0);
      for (const source of copiedFirst) expect(source, stage.name).toMatch(/(^|\/)(package\.json|package-lock\.json)$/);
      // Every workspace's manifest: `npm ci` installs the lock file's whole tree.
      for (const workspace of ['server', 'sdk', 'dashboard']) expect(copiedFirst, stage.name).toContain(`packages/${workspace}/package.json`);
    }
  });

  it('runs as a non-root user, checks /readyz on PORT, and lets node take SIGTERM as PID 1', () => {
    expect(config.user).toBeDefined();
    expect(config.user).not.toMatch(/^(root|0)(:|$)/);
    const check = config.healthcheck!.argv.join(' ');
    expect(check).toContain('/readyz');
    expect(check).toContain('process.env.PORT || 4000');
    // Exec form, no shell in between that would swallow the signal; the server handles it (src/lifecycle.ts).
    expect(config.cmd![0]).toBe('node');
  });
});

describe('.dockerignore', () => {
  it('keeps dependencies, builds, local data, secrets, test output and git out of the build context', () => {
    // Files that may not exist in this working tree, in a repository of their own with the real .dockerignore.
    const repository = scratch();
    spawnSync('git', ['init', '-q'], { cwd: repository });
    const files = [
      'package.json',
      'packages/server/src/main.ts',
      'node_modules/pg/index.js',
      'packages/server/node_modules/.bin/tsc',
      'packages/server/dist/main.js',
      'packages/sdk/dist/esm/index.js',
      'packages/dashboard/dist/index.html',
      'packages/server/dist/.tsbuildinfo',
      '.data/jwt-secret',
      '.data/postgres/PG_VERSION',
      '.env',
      '.env.production',
      'deploy/tls.key',
      'coverage/index.html',
      'packages/server/coverage/lcov.info',
      'packages/dashboard/test/screenshots/board.png',
      'npm-debug.log',
      'packages/server/server.log',
    ];
    for (const file of files) {
      mkdirSync(path.dirname(path.join(repository, file)), { recursive: true });
      writeFileSync(path.join(repository, file), 'x');
    }
    cpSync(path.join(root, '.dockerignore'), path.join(repository, '.dockerignore'));
    expect([...repositoryContext(repository).files].sort()).toEqual(['.dockerignore', 'package.json', 'packages/server/src/main.ts']);
    expect(dockerignored(parseDockerignore(read('.dockerignore')), '.git/config')).toBe(true);
  });

  it('leaves this working tree’s context small: no node_modules, dist or .data is sent to `docker build`', () => {
    const context = workingTreeContext(root);
    const heavy = context.files.filter((file) => /(^|\/)(node_modules|dist|\.data|\.git|coverage)\//.test(file));
    expect(heavy).toEqual([]);
    expect(context.files).toContain('packages/server/src/main.ts');
    console.log(`build context: ${context.files.length} files, ${(context.bytes / 1024 / 1024).toFixed(1)} MB`);
    expect(context.bytes).toBeLessThan(20 * 1024 * 1024);
  });

  it('keeps to the matcher’s rules: a pattern without **/ matches at the root only', () => {
    const rules = parseDockerignore('node_modules\n**/dist\n*.log\n!keep.log');
    expect(dockerignored(rules, 'node_modules/pg/index.js')).toBe(true);
    expect(dockerignored(rules, 'packages/server/node_modules/pg/index.js')).toBe(false);
    expect(dockerignored(rules, 'packages/server/dist/main.js')).toBe(true);
    expect(dockerignored(rules, 'dist')).toBe(true);
    expect(dockerignored(rules, 'npm-debug.log')).toBe(true);
    expect(dockerignored(rules, 'packages/server/npm-debug.log')).toBe(false);
    expect(dockerignored(rules, 'keep.log')).toBe(false);
  });
});
