// A browser app on another origin, in a real Chromium: with its origin in CORS_ORIGINS it queries and subscribes
// through the SDK; from an origin not in the list, the browser refuses to let it read the answer, and the SDK says
// the server could not be reached.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, serveStatic } from '../../server/test/helpers/browser.js';
import { createOrganization, customerOf, ENGINEER, fileTicket, startTestServer, TestServer } from '../../server/test/helpers/test-server.js';
import { createClient, type EscalateClient } from '../src/index.js';
import { GUARD_MS } from './helpers.js';

interface AppLog {
  me?: string;
  error?: string;
  events: string[];
}

describe.skipIf(!browserAvailable())('a browser app on another origin (Chromium)', () => {
  let server: TestServer;
  let browser: Browser;
  let actor: EscalateClient;
  const closing: { close(): Promise<void> }[] = [];
  let allowed: { origin: string };
  let other: { origin: string };

  beforeAll(async () => {
    const bundle = await build({
      entryPoints: [fileURLToPath(new URL('./browser/browser-app.ts', import.meta.url))],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      logLevel: 'silent',
    });
    const files = { '/index.html': '<!doctype html><script type="module" src="/app.js"></script>', '/app.js': bundle.outputFiles[0]!.text };
    allowed = await serveStatic(files);
    other = await serveStatic(files);
    closing.push(allowed as never, other as never);
    server = await startTestServer({ cors: { origins: [allowed.origin] } });
    await createOrganization(server, 'browser');
    actor = createClient({ url: server.url, token: await server.token(ENGINEER) });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await actor?.close();
    await server?.close();
    await Promise.all(closing.map((each) => each.close()));
  });

  async function openApp(origin: string, ticketId: string) {
    const page = await browser.newPage();
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => 'escalate' in globalThis);
    await page.evaluate(([url, token, id]) => void (globalThis as any).escalate.start(url, token, id), [server.url, await server.token(ENGINEER), ticketId]);
    return { page, log: () => page.evaluate(() => (globalThis as any).escalate.log as AppLog) };
  }

  it('with its origin in CORS_ORIGINS, it queries and hears a subscription', async () => {
    const ticket = await fileTicket(server, customerOf('browser'), { title: 'Watched from a browser' });
    const app = await openApp(allowed.origin, ticket.id);
    await app.page.waitForFunction(() => (globalThis as any).escalate.log.me !== undefined || (globalThis as any).escalate.log.error, null, { timeout: GUARD_MS });
    expect(await app.log()).toMatchObject({ me: 'ENGINEER' });
    // The subscription is registered a moment after it is sent: status changes until one is heard.
    const statuses = ['IN_PROGRESS', 'WAITING_ON_CUSTOMER'] as const;
    const giveUpAt = Date.now() + GUARD_MS;
    for (let step = 0; !(await app.log()).events.length; step += 1) {
      if (Date.now() > giveUpAt) throw new Error(`no event heard in the browser: ${JSON.stringify(await app.log())}`);
      await actor.ticketUpdateStatus({ input: { ticketId: ticket.id, status: statuses[step % 2]! } });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect((await app.log()).error).toBeUndefined();
    await app.page.close();
  });

  it('from an origin not in CORS_ORIGINS, the answer is withheld from it: a NetworkError', async () => {
    const ticket = await fileTicket(server, customerOf('browser'), { title: 'Not for that origin' });
    const app = await openApp(other.origin, ticket.id);
    await app.page.waitForFunction(() => (globalThis as any).escalate.log.error !== undefined, null, { timeout: GUARD_MS });
    // The browser's own words for a response it withholds (CORS), not another failure of the app's.
    expect(await app.log()).toMatchObject({ error: 'NetworkError: me: the server could not be reached (Failed to fetch)' });
    await app.page.close();
  });
});
