// A real browser for tests: Debian's Chromium (/usr/bin/chromium, or CHROMIUM_PATH) driven by playwright-core, and a
// static file server on an origin of its own. `.ci/run` installs Chromium when it is missing; elsewhere, a machine
// without it skips browser tests with a message, unless CI is set, where a missing browser fails them.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Whether browser tests can run here; with CI set, a missing browser is an error, not a skip. */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI) throw new Error(`No Chromium at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH.`);
  console.warn(`Browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH).`);
  return false;
}

export function launchBrowser(): Promise<Browser> {
  // As root (CI, containers) Chromium's sandbox cannot start.
  return chromium.launch({ executablePath: CHROMIUM, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };

/**
 * Serves `files` (path → content) or, for other paths, files under `directory` (a folder's path serves its
 * index.html), on 127.0.0.1, a port of its own.
 */
export async function serveStatic(files: Record<string, string>, directory?: string): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer(async (request, response) => {
    const requested = new URL(request.url ?? '/', 'http://x').pathname;
    const pathname = requested.endsWith('/') ? `${requested}index.html` : requested;
    let body: string | Buffer | undefined = files[pathname];
    if (body === undefined && directory) {
      const file = path.join(directory, path.normalize(pathname));
      if (file.startsWith(directory)) body = await readFile(file).catch(() => undefined);
    }
    if (body === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[path.extname(pathname)] ?? 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
