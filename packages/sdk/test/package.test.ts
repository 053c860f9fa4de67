// The package as users get it: built, packed with `npm pack` as the README says, unpacked where `npm install` puts it
// (offline), installed from the tarball into fresh ESM and CommonJS projects, typechecked there with tsc, and run
// against a real server.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganization, customerOf, ENGINEER, fileTicket, startTestServer, TestServer } from '../../server/test/helpers/test-server.js';

const run = promisify(execFile);
const sdkDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const root = path.resolve(sdkDir, '../..');
const sdkPackage = JSON.parse(readFileSync(path.join(sdkDir, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};

/** The version installed in the workspace, so that the temporary projects install from the npm cache. */
const installed = (name: string, from = root) => (createRequire(path.join(from, 'package.json'))(`${name}/package.json`) as { version: string }).version;

/** The environment for child npm and node processes, without what `npm run`/`npm test` set for the workspace. */
const childEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const keep = !/^npm_/i.test(key) || /^npm_config_(cache|registry|userconfig|globalconfig)$/i.test(key);
    if (keep && !/^(NODE_OPTIONS|VITEST.*|INIT_CWD)$/.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
};

async function sh(command: string, args: string[], cwd: string, env = childEnv()): Promise<string> {
  try {
    const { stdout } = await run(command, args, { cwd, env, maxBuffer: 32 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) failed:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

/** npm install from the cache only; if something is missing there, let npm fetch it. */
async function npmInstall(cwd: string): Promise<void> {
  const flags = ['--no-audit', '--no-fund', '--loglevel=error'];
  try {
    await sh('npm', ['install', '--offline', ...flags], cwd);
  } catch (error) {
    console.warn(`npm install --offline failed, trying --prefer-offline: ${String(error).slice(0, 500)}`);
    await sh('npm', ['install', '--prefer-offline', ...flags], cwd);
  }
}

/** The consumer, the same for both projects except how it starts: ESM has top-level await, CommonJS a main(). */
const consumer = (format: 'esm' | 'cjs') => `import WebSocket from 'ws';
import {
  AuthenticationError,
  createClient,
  EscalateError,
  NotFoundError,
  RateLimitedError,
  TicketsDocument,
  type EscalateClient,
  type TicketsQuery,
  type TicketStatus,
} from '@escalate/sdk';

const url = process.env.ESCALATE_URL!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Type-level checks: never run, only compiled.
export async function typesOnly(client: EscalateClient): Promise<void> {
  for await (const change of client.subscribe.slaStatusChanged({ organizationId: 'o' })) {
    const state: 'ON_TRACK' | 'AT_RISK' | 'BREACHED' | 'MET' | 'PAUSED' = change.slaStatusChanged.state;
    console.log(state);
  }
  const result = await client.request(TicketsDocument, { first: 1 });
  // @ts-expect-error totalCount is a number
  const wrong: string = result.tickets.totalCount;
  // @ts-expect-error first is a number
  await client.tickets({ first: 'ten' });
  const created = await client.ticketCreate({ input: { title: 't', description: 'd', severity: 'SEV3', environment: 'PRODUCTION', category: 'INCIDENT' } });
  const codes: string[] = created.ticketCreate.userErrors.map((error) => error.code);
  try {
    await client.me();
  } catch (error) {
    if (error instanceof RateLimitedError) console.log(error.retryAfter satisfies number | null, wrong, codes);
  }
}

async function main(): Promise<void> {
  const client = createClient({ url, token: process.env.ESCALATE_TOKEN, webSocketImpl: WebSocket, retry: { attempts: 2, baseDelayMs: 10 } });
  const engineer = createClient({ url, token: process.env.ESCALATE_ENGINEER_TOKEN, webSocketImpl: WebSocket });

  const result: TicketsQuery = await client.tickets({ first: 20 });
  const n: string = result.tickets.edges[0]!.node.number;

  let pages = 0;
  for await (const page of client.paginate.tickets({ first: 1 })) pages += page.edges.length > 0 ? 1 : 0;

  let notFound = '';
  try {
    await client.ticket({ number: 'RS-999999' });
  } catch (error) {
    if (error instanceof NotFoundError) notFound = \`\${error.name} \${error.operationName}\`;
  }
  let unauthenticated = '';
  try {
    await createClient({ url, token: 'not-a-jwt' }).me();
  } catch (error) {
    if (error instanceof AuthenticationError && error instanceof EscalateError) unauthenticated = \`\${error.name} \${error.code}\`;
  }

  // A live status change, over graphql-ws and the ws package (on a ticket of its own: the projects run at once). The
  // server registers the subscription a moment after it is sent, so change the status until a change is heard (the
  // test's timeout is the guard); the pause only paces the changes.
  const ticketId = process.env.ESCALATE_WATCHED_TICKET_ID!;
  const iterator = engineer.subscribe.ticketStatusChanged({ ticketId })[Symbol.asyncIterator]();
  const next = iterator.next();
  let heard = false;
  void next.then(() => (heard = true));
  const statuses: TicketStatus[] = ['IN_PROGRESS', 'WAITING_ON_CUSTOMER'];
  for (let step = 0; !heard; step += 1) {
    await engineer.ticketUpdateStatus({ input: { ticketId, status: statuses[step % 2]! } });
    await Promise.race([next, sleep(150)]);
  }
  const event = await next;
  await iterator.return?.();
  const changedTo = event.done ? null : event.value.ticketStatusChanged.to;

  const resolved = ${format === 'esm' ? `import.meta.resolve('@escalate/sdk')` : `require.resolve('@escalate/sdk')`};
  console.log(JSON.stringify({ number: n, pages, notFound, unauthenticated, changedTo, resolved }));
  await client.close();
  await engineer.close();
}

${format === 'esm' ? 'await main();' : 'main().catch((error: unknown) => {\n  console.error(error);\n  process.exit(1);\n});'}
`;

describe('the packed package', () => {
  let server: TestServer;
  let work: string;
  let tarball: string;
  let packedFiles: string[];
  let env: NodeJS.ProcessEnv;
  let ticketNumber: string;
  /** A ticket for each project's subscription, so that their status changes do not race. */
  const watched: Record<string, string> = {};

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'escalate-sdk-pack-'));
    // `npm pack` runs the package's prepack script, which builds dist/esm and dist/cjs.
    const packed = JSON.parse(await sh('npm', ['pack', '--json', '--pack-destination', work], sdkDir)) as { filename: string; files: { path: string }[] }[];
    tarball = path.join(work, packed[0]!.filename);
    packedFiles = packed[0]!.files.map((file) => file.path);

    server = await startTestServer();
    await createOrganization(server, 'packed');
    await fileTicket(server, customerOf('packed'), { title: 'Older' });
    ticketNumber = (await fileTicket(server, customerOf('packed'), { title: 'From the packed SDK' })).number;
    await createOrganization(server, 'watched');
    for (const format of ['esm', 'cjs']) watched[format] = (await fileTicket(server, customerOf('watched'), { title: `Watched by ${format}` })).id;
    env = childEnv({
      ESCALATE_URL: server.url,
      ESCALATE_TOKEN: await server.token(customerOf('packed')),
      ESCALATE_ENGINEER_TOKEN: await server.token(ENGINEER),
    });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('holds both builds with their declarations, and no sources or tests', () => {
    for (const format of ['esm', 'cjs']) {
      for (const file of ['index.js', 'index.d.ts', 'client.js', 'client.d.ts', 'errors.js', 'errors.d.ts', '_generated/graphql.js', '_generated/graphql.d.ts']) {
        expect(packedFiles).toContain(`dist/${format}/${file}`);
      }
    }
    expect(packedFiles).toContain('dist/cjs/package.json');
    expect(packedFiles).toContain('README.md');
    expect(packedFiles).toContain('package.json');
    expect(packedFiles.filter((file) => /^(src|test)\//.test(file) || file.endsWith('.test.ts'))).toEqual([]);
    const cjsMarker = JSON.parse(readFileSync(path.join(sdkDir, 'dist/cjs/package.json'), 'utf8')) as { type: string };
    expect(cjsMarker.type).toBe('commonjs');
  });

  it('is the tarball the README installs, and require and import of it give createClient, offline', async () => {
    // The README's commands name the file `npm pack` writes.
    expect(path.basename(tarball)).toBe(`escalate-sdk-${sdkPackage.version}.tgz`);
    const readme = readFileSync(path.join(sdkDir, 'README.md'), 'utf8');
    expect(readme).toContain('npm pack -w @escalate/sdk');
    expect(readme).toContain(`npm install /path/to/escalate/escalate-sdk-${sdkPackage.version}.tgz graphql`);

    // What `npm install <tarball>` lays out, without a registry: the package unpacked into node_modules, and its
    // dependencies and peer as the workspace has them.
    const app = path.join(work, 'unpacked');
    const installedAt = path.join(app, 'node_modules/@escalate/sdk');
    mkdirSync(installedAt, { recursive: true });
    await sh('tar', ['-xzf', tarball, '-C', installedAt, '--strip-components=1'], work);
    const workspace = createRequire(path.join(sdkDir, 'package.json'));
    for (const name of [...Object.keys(sdkPackage.dependencies), ...Object.keys(sdkPackage.peerDependencies)]) {
      const link = path.join(app, 'node_modules', name);
      mkdirSync(path.dirname(link), { recursive: true });
      symlinkSync(path.dirname(workspace.resolve(`${name}/package.json`)), link, 'dir');
    }
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'unpacked-consumer', private: true }));

    const check = 'console.log(typeof createClient, typeof createClient({ url: "http://localhost:4000/graphql" }).on';
    const esm = await sh(process.execPath, ['--input-type=module', '-e', `import { createClient } from '@escalate/sdk'; ${check}, import.meta.resolve('@escalate/sdk'));`], app);
    const cjs = await sh(process.execPath, ['--input-type=commonjs', '-e', `const { createClient } = require('@escalate/sdk'); ${check}, require.resolve('@escalate/sdk'));`], app);
    expect(esm.trim()).toBe(`function function ${pathToFileURL(path.join(installedAt, 'dist/esm/index.js')).href}`);
    expect(cjs.trim()).toBe(`function function ${path.join(installedAt, 'dist/cjs/index.js')}`);
  });

  it('imports nothing Node-only on the browser (ESM) path', () => {
    const allowed = new Set([...Object.keys(sdkPackage.dependencies), ...Object.keys(sdkPackage.peerDependencies)]);
    const builtins = new Set(builtinModules);
    const files = (readdirSync(path.join(sdkDir, 'dist/esm'), { recursive: true }) as string[]).filter((file) => file.endsWith('.js'));
    expect(files.length).toBeGreaterThan(3);
    const seen = new Set<string>();
    for (const file of files) {
      const code = readFileSync(path.join(sdkDir, 'dist/esm', file), 'utf8');
      expect(code, `${file} uses require()`).not.toMatch(/\brequire\s*\(/);
      expect(code, `${file} uses process or Buffer`).not.toMatch(/\b(process\.|Buffer\.)/);
      const specifiers = [
        ...code.matchAll(/^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm), // import … from '…', export … from '…'
        ...code.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm), // import '…'
        ...code.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]/g), // import('…')
      ].map((match) => match[1]!);
      specifiers.forEach((specifier) => seen.add(specifier));
      for (const specifier of specifiers) {
        expect(specifier.startsWith('node:') || builtins.has(specifier), `${file} imports ${specifier}`).toBe(false);
        // A package's subpath (graphql-ws/client) belongs to the package: its name is the first segment (two when scoped).
        const packageName = specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
        if (!specifier.startsWith('.')) expect(allowed.has(packageName), `${file} imports ${specifier}, which is not a dependency`).toBe(true);
      }
    }
    expect([...seen].filter((specifier) => !specifier.startsWith('.')).sort()).toEqual(['graphql', 'graphql-ws/client']);
  });

  it('installs from the tarball, typechecks and runs in an ESM and a CommonJS project', async () => {
    const dependencies = {
      '@escalate/sdk': `file:${tarball}`,
      graphql: installed('graphql'),
      ws: installed('ws'),
      typescript: installed('typescript'),
      '@types/ws': installed('@types/ws'),
      '@types/node': installed('@types/node', path.join(root, 'packages/server')),
    };
    const compilerOptions = { target: 'ES2022', strict: true, skipLibCheck: false, esModuleInterop: true, types: ['node'], outDir: 'out', rootDir: '.' };
    const projects = [
      { format: 'esm' as const, type: 'module', tsconfigs: { 'tsconfig.json': { module: 'nodenext', moduleResolution: 'nodenext' } } },
      {
        format: 'cjs' as const,
        type: 'commonjs',
        tsconfigs: {
          'tsconfig.json': { module: 'node16', moduleResolution: 'node16' },
          // Older CommonJS setups, which read `main`/`types` instead of the exports map.
          'tsconfig.node10.json': { module: 'commonjs', moduleResolution: 'node10' },
        },
      },
    ];

    const outputs = await Promise.all(
      projects.map(async ({ format, type, tsconfigs }) => {
        const dir = path.join(work, format);
        mkdirSync(dir);
        writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `consumer-${format}`, private: true, type, dependencies }, null, 2));
        writeFileSync(path.join(dir, 'consumer.ts'), consumer(format));
        for (const [name, options] of Object.entries(tsconfigs)) {
          writeFileSync(path.join(dir, name), JSON.stringify({ compilerOptions: { ...compilerOptions, ...options }, files: ['consumer.ts'] }, null, 2));
        }
        await npmInstall(dir);
        const tsc = path.join(dir, 'node_modules/typescript/bin/tsc');
        // tsconfig.json typechecks and compiles (any type error fails it); the others only typecheck.
        await Promise.all(Object.keys(tsconfigs).map((name) => sh(process.execPath, [tsc, ...(name === 'tsconfig.json' ? [] : ['--noEmit']), '-p', name], dir)));
        const stdout = await sh(process.execPath, ['out/consumer.js'], dir, { ...env, ESCALATE_WATCHED_TICKET_ID: watched[format]! });
        return { format, printed: JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown> };
      }),
    );

    for (const { format, printed } of outputs) {
      expect(printed).toEqual({
        number: ticketNumber,
        pages: 2,
        notFound: 'NotFoundError ticket',
        unauthenticated: 'AuthenticationError UNAUTHENTICATED',
        changedTo: expect.stringMatching(/^(IN_PROGRESS|WAITING_ON_CUSTOMER)$/),
        resolved: expect.stringContaining(`node_modules/@escalate/sdk/dist/${format}/index.js`),
      });
    }
  }, 180_000);
});
