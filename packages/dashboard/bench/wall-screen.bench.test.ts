// npm run bench -w @escalate/dashboard: the wall screen's figures, in Chromium against a real server.
//   1. How long after an SLA moment the screen shows it: 5 tickets whose targets are 8 s long, filed 0.7 s apart,
//      each going AT_RISK and BREACHED (10 transitions): median and worst delay, from the moment the API gives to
//      the row's change in the page.
//   2. 1,000 open tickets: time until the page shows them, rows in the page (windowed), JavaScript heap after a
//      garbage collection; then 1,000 events (500 status changes, each heard twice: its status and its SLA cycle
//      pausing or resuming) and the heap again, and once more after 1,000 more: flat, or growing.
// It prints figures and asserts nothing; the tests (npm test) hold the behaviour.
import type { CDPSession } from 'playwright-core';
import { describe, it } from 'vitest';
import { createOrganization, customerOf, fileTicket } from '../../server/test/helpers/test-server.js';
import { createWallOrganization, fileWallTicket, launchBrowser, openWall, seenAt, slaMoments, startWallServer } from '../test/helpers.js';
import { setStatus } from '../../server/test/helpers/tickets.js';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function heapMb(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  return usedSize / 1024 / 1024;
}

describe('wall screen figures', () => {
  it('delay from an SLA moment to the screen, and memory over 1,000 open tickets and 1,000 events', async () => {
    const server = await startWallServer();
    const browser = await launchBrowser();
    try {
      await createWallOrganization(server);
      const page = await openWall(browser, server);
      await page.locator('[data-connection="live"]').waitFor();

      const tickets = [];
      for (let i = 0; i < 5; i += 1) {
        tickets.push(await fileWallTicket(server, `Transition ${i + 1}`));
        await page.waitForTimeout(700);
      }
      const delays: { ticket: string; state: string; ms: number }[] = [];
      for (const ticket of tickets) {
        const { atRiskAt, dueAt } = await slaMoments(server, ticket.id);
        delays.push({ ticket: ticket.number, state: 'AT_RISK', ms: (await seenAt(page, ticket.number, 'AT_RISK')) - Date.parse(atRiskAt) });
        delays.push({ ticket: ticket.number, state: 'BREACHED', ms: (await seenAt(page, ticket.number, 'BREACHED')) - Date.parse(dueAt) });
      }
      const ms = delays.map((delay) => delay.ms);
      console.log(`\nSLA moment → screen, ${ms.length} transitions: median ${median(ms)} ms, worst ${Math.max(...ms)} ms`);
      console.log(delays.map((delay) => `  ${delay.ticket} ${delay.state.padEnd(8)} ${delay.ms} ms`).join('\n'));
      await page.close();

      // A thousand open tickets, in an organization whose targets are a day long (nothing moves by itself).
      await createOrganization(server, 'bulk', {
        policy: ['SEV1', 'SEV2', 'SEV3', 'SEV4'].map((severity) => ({ severity, targetResponse: 'P1D', clock: 'CALENDAR' })),
      });
      const bulk = [];
      for (let i = 0; i < 1000; i += 1) bulk.push(await fileTicket(server, customerOf('bulk'), { title: `Bulk ticket ${i + 1}`, severity: 'SEV4', environment: 'NON_PRODUCTION' }));
      const opened = Date.now();
      const full = await openWall(browser, server);
      const cdp = await full.context().newCDPSession(full);
      await full.waitForFunction(() => {
        const cell = document.querySelector('[data-count="ALL-ON_TRACK"]');
        return cell && Number(cell.textContent) >= 1000 && document.querySelectorAll('[data-ticket]').length > 0;
      }, null, { timeout: 60_000 });
      const shownAfter = Date.now() - opened;
      const rowsInPage = await full.locator('[data-ticket]').count();
      await full.evaluate(() => {
        (globalThis as any).__longTasks = 0;
        new PerformanceObserver((list) => ((globalThis as any).__longTasks += list.getEntries().length)).observe({ type: 'longtask', buffered: false });
      });
      const before = await heapMb(cdp);
      const rounds: number[] = [];
      let step = 0;
      // Passes over 250 of the tickets: even ones pause each, odd ones resume it; each change is heard as a status
      // and an SLA change.
      const PASS = 250;
      for (let round = 0; round < 2; round += 1) {
        for (let i = 0; i < 500; i += 1) {
          const ticket = bulk[step % PASS]!;
          await setStatus(server, ticket.id, Math.floor(step / PASS) % 2 === 0 ? 'WAITING_ON_CUSTOMER' : 'IN_PROGRESS');
          step += 1;
        }
        await full.waitForTimeout(2000); // the last events arrive
        rounds.push(await heapMb(cdp));
      }
      const longTasks = await full.evaluate(() => (globalThis as any).__longTasks as number);
      console.log(
        `\n1,000 open tickets: on screen ${shownAfter} ms after opening, ${rowsInPage} rows in the page (windowed)\n` +
          `JS heap after GC: ${before.toFixed(1)} MB at start, ${rounds[0]!.toFixed(1)} MB after 1,000 events, ${rounds[1]!.toFixed(1)} MB after 2,000\n` +
          `long tasks (> 50 ms) during the 2,000 events: ${longTasks}`,
      );
    } finally {
      await browser.close();
      await server.close();
    }
  }, 600_000);
});
