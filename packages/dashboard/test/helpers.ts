// The wall screen under test: a real server (its clock the wall clock's, its SLA timer running) serving the built
// dashboard, an organization whose targets are seconds long, round the clock, and Chromium showing the page.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../../server/test/helpers/browser.js';
import { createOrganization, customerOf, ENGINEER, fileTicket, startTestServer, type TestServer } from '../../server/test/helpers/test-server.js';

export const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
/** SEV3 here: AT_RISK at 75 % (6 s), BREACHED at 8 s. */
export const TARGET_SECONDS = 8;
export const ORG = 'wall';

export async function startWallServer(options: { databaseUrl?: string; port?: number } = {}): Promise<TestServer> {
  return startTestServer({ ...options, realTime: true, slaTimer: 'running' });
}

/** The organization whose SEV3 target is TARGET_SECONDS round the clock; its global id. */
export async function createWallOrganization(server: TestServer): Promise<string> {
  return createOrganization(server, ORG, {
    policy: ['SEV1', 'SEV2', 'SEV3', 'SEV4'].map((severity) => ({ severity, targetResponse: `PT${TARGET_SECONDS}S`, clock: 'CALENDAR' })),
  });
}

/** When a ticket goes AT_RISK and BREACHED, as the API says. */
export async function slaMoments(server: TestServer, ticketId: string): Promise<{ atRiskAt: string; dueAt: string }> {
  const result = await server.gql(`query($id: ID) { ticket(id: $id) { sla { atRiskAt dueAt } } }`, { id: ticketId }, ENGINEER);
  return result.data!.ticket.sla;
}

export const fileWallTicket = (server: TestServer, title: string) => fileTicket(server, customerOf(ORG), { title, severity: 'SEV3' });

/**
 * The page, signed in through the URL's fragment as `npm start` prints it. It records, in the page, when each row
 * took each state (`window.__seen`), from a MutationObserver, so that the test reads when the screen changed.
 */
export async function openWall(browser: Browser, server: TestServer, token?: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  await page.addInitScript(() => {
    const seen: Record<string, number> = {};
    (globalThis as any).__seen = seen;
    const record = () => {
      for (const row of document.querySelectorAll<HTMLElement>('[data-ticket]')) {
        const key = `${row.dataset.ticket}:${row.dataset.state}`;
        seen[key] ??= Date.now();
      }
    };
    new MutationObserver(record).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
  });
  const origin = new URL(server.url).origin;
  await page.goto(`${origin}/dashboard/#token=${token ?? (await server.token(ENGINEER))}`);
  return page;
}

/** When (ms, the page's clock) the row of `number` first showed `state`; waits for it. */
export async function seenAt(page: Page, number: string, state: string, timeoutMs = 20_000): Promise<number> {
  const key = `${number}:${state}`;
  await page.waitForFunction((k) => (globalThis as any).__seen[k] !== undefined, key, { timeout: timeoutMs });
  return page.evaluate((k) => (globalThis as any).__seen[k] as number, key);
}

export function screenshotsFolder(): string {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return SCREENSHOTS;
}

export { launchBrowser };
