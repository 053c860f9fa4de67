// The wall screen in Chromium against a real server: it opens signed in, a ticket goes ON_TRACK → AT_RISK →
// BREACHED on screen within a second of each moment with no request but the subscription, a breach moves to the
// top, a resolved ticket leaves, the banner shows a server restart and the screen is right after it, and a bad token
// gets a clear message. Screenshots of each state go to test/screenshots/ (not committed).
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable } from '../../server/test/helpers/browser.js';
import { type TestServer } from '../../server/test/helpers/test-server.js';
import { createWallOrganization, fileWallTicket, launchBrowser, openWall, screenshotsFolder, seenAt, slaMoments, startWallServer } from './helpers.js';
import { setStatus } from '../../server/test/helpers/tickets.js';

const rowCount = (page: Page, number: string) => page.locator(`[data-ticket="${number}"]`).count();

describe.skipIf(!browserAvailable())('the SLA wall screen (Chromium)', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const shots = screenshotsFolder();
  const shot = (name: string) => page.screenshot({ path: path.join(shots, `${name}.png`) });

  beforeAll(async () => {
    server = await startWallServer();
    await createWallOrganization(server);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('opens signed in from the URL’s fragment, which leaves the address bar', async () => {
    page = await openWall(browser, server);
    await page.locator('[data-connection="live"]').waitFor();
    expect(page.url()).not.toContain('token');
    await expect(page.locator('.viewer').textContent()).resolves.toContain('Eve Engineer');
    await shot('signed-in');
  });

  it('a ticket goes ON_TRACK → AT_RISK → BREACHED within a second of each moment, with no request but the subscription', async () => {
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    const ticket = await fileWallTicket(server, 'Checkout API returns 502');
    // Filed after it: due later, so below it until then, and above it once it breaches.
    const calm = await fileWallTicket(server, 'A neighbour, due a moment later');
    const { atRiskAt, dueAt } = await slaMoments(server, ticket.id);
    await seenAt(page, ticket.number, 'ON_TRACK');
    await shot('on-track');
    const atRisk = await seenAt(page, ticket.number, 'AT_RISK');
    await shot('at-risk');
    const breached = await seenAt(page, ticket.number, 'BREACHED');
    await shot('breached');
    expect(atRisk - Date.parse(atRiskAt)).toBeLessThan(1000);
    expect(breached - Date.parse(dueAt)).toBeLessThan(1000);
    console.log(`on screen after the moment: AT_RISK ${atRisk - Date.parse(atRiskAt)} ms, BREACHED ${breached - Date.parse(dueAt)} ms`);
    // Everything came over the socket: the page asked nothing over HTTP meanwhile.
    expect(requests).toEqual([]);
    // Breached, it is on top, marked.
    await expect(page.locator('[data-ticket]').first().getAttribute('data-ticket')).resolves.toBe(ticket.number);
    await expect(page.locator(`[data-ticket="${ticket.number}"] .sla-state`).textContent()).resolves.toContain('BREACHED');
    await expect(page.locator('[data-count="SEV3-BREACHED"]').textContent()).resolves.not.toBe('0');
    await setStatus(server, calm.id, 'RESOLVED');
  });

  it('a resolved ticket leaves the list', async () => {
    const ticket = await fileWallTicket(server, 'Soon resolved');
    await seenAt(page, ticket.number, 'ON_TRACK');
    await setStatus(server, ticket.id, 'RESOLVED');
    await page.waitForFunction((number) => !document.querySelector(`[data-ticket="${number}"]`), ticket.number);
    expect(await rowCount(page, ticket.number)).toBe(0);
  });

  it('shows a server restart in its banner, and is right afterwards without a reload', async () => {
    const kept = await fileWallTicket(server, 'Still open after the restart');
    const resolvedMeanwhile = await fileWallTicket(server, 'Resolved while the screen was away');
    await seenAt(page, kept.number, 'ON_TRACK');
    await seenAt(page, resolvedMeanwhile.number, 'ON_TRACK');
    const { databaseUrl } = server;
    const port = Number(new URL(server.url).port);

    await server.close();
    await page.locator('[data-connection="offline"]').waitFor();
    await expect(page.locator('[data-connection="offline"]').textContent()).resolves.toMatch(/Offline since/);
    await shot('offline');
    // Changed while the screen is away, through another instance on the same database.
    const other = await startWallServer({ databaseUrl });
    await setStatus(other, resolvedMeanwhile.id, 'RESOLVED');
    await other.close();

    server = await startWallServer({ databaseUrl, port });
    await page.locator('[data-connection="live"]').waitFor({ timeout: 30_000 });
    await page.waitForFunction((number) => !document.querySelector(`[data-ticket="${number}"]`), resolvedMeanwhile.number);
    expect(await rowCount(page, kept.number)).toBe(1);
    await shot('after-restart');
  });

  it('a bad token gets a clear message and the form to paste another', async () => {
    const refused = await openWall(browser, server, 'not-a-token');
    await refused.getByRole('alert').waitFor();
    await expect(refused.getByRole('alert').textContent()).resolves.toMatch(/The server refused this token.*Paste a valid staff token/);
    await expect(refused.locator('input#token').count()).resolves.toBe(1);
    await refused.screenshot({ path: path.join(shots, 'bad-token.png') });
    await refused.close();
  });
});
