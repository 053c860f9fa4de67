// Time-driven SLA transitions with two server instances on one database, fanned out through Redis: a dashboard
// connected to one instance sees AT_RISK then BREACHED, each once, whichever instance's running timer claims them.
// Both instances run on test clocks moved in step; the tests wait for the transitions themselves, never for time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { connect, subscribe, ticketProbe } from './helpers/subscriptions';
import { createOrganization, customerOf, ENGINEER, fileTicket, startTestServer, TestServer } from './helpers/test-server';

const redisUrl = process.env.REDIS_URL;

describe.skipIf(!redisUrl)('SLA timer across instances (needs REDIS_URL; .ci/run sets it)', () => {
  let dashboardSide: TestServer;
  let claimingSide: TestServer;
  /** Moves both instances' clocks to the same instant. */
  const setClocks = (at: string) => {
    dashboardSide.clock.set(at);
    claimingSide.clock.set(at);
  };

  beforeAll(async () => {
    const redis = { url: redisUrl!, channelPrefix: `test:${randomUUID()}:` };
    // The dashboard's instance runs no timer of its own: every transition it hears was claimed by the other one.
    dashboardSide = await startTestServer({ redis });
    claimingSide = await startTestServer({ redis, databaseUrl: dashboardSide.databaseUrl, slaTimer: 'running' });
  });
  afterAll(async () => {
    await claimingSide?.close();
    await dashboardSide?.close();
  });

  /** A ticket filed on `server`, watched there; the subscription is proven listening by tickets filed on `probeVia`. */
  async function watchUnansweredTicket(server: TestServer, probeVia: TestServer, slug: string) {
    const organizationId = await createOrganization(server, slug, { policy: [{ severity: 'SEV3', targetResponse: 'PT1H', clock: 'CALENDAR' }] });
    const client = connect(server.url, await server.token(ENGINEER));
    const changes = await subscribe(
      client,
      `subscription($org: ID) { slaStatusChanged(organizationId: $org) { ticket { number } previousState state at sla { atRiskAt dueAt } } }`,
      { org: organizationId },
      ticketProbe(probeVia, customerOf(slug), (message: any) => message.slaStatusChanged.ticket.number),
    );
    const ticket = await fileTicket(server, customerOf(slug), { severity: 'SEV3' });
    const started = (await changes.next()).slaStatusChanged;
    expect([started.ticket.number, started.state]).toEqual([ticket.number, 'ON_TRACK']);
    return { client, changes, atRiskAt: started.sla.atRiskAt as string, dueAt: started.sla.dueAt as string };
  }

  it('a dashboard on one instance sees AT_RISK then BREACHED claimed by the other, each once', async () => {
    setClocks('2026-12-01T15:00:00Z');
    const { client, changes, atRiskAt, dueAt } = await watchUnansweredTicket(dashboardSide, claimingSide, 'remote-claims');
    try {
      // The other instance's running timer claims each transition once its clock reaches the moment.
      setClocks(atRiskAt);
      const atRisk = (await changes.next()).slaStatusChanged;
      expect([atRisk.previousState, atRisk.state, atRisk.at]).toEqual(['ON_TRACK', 'AT_RISK', atRiskAt]);
      setClocks(dueAt);
      const breached = (await changes.next()).slaStatusChanged;
      expect([breached.previousState, breached.state, breached.at]).toEqual(['AT_RISK', 'BREACHED', dueAt]);

      // Each once: with the timer stopped nothing is left to claim, and nothing else came before a probe published
      // after it, through the same instance.
      await claimingSide.slaTimer.stop();
      expect(await claimingSide.slaTimer.tick()).toBe(0);
      await changes.catchUp();
      expect(changes.received.map((change: any) => change.slaStatusChanged.state)).toEqual(['ON_TRACK', 'AT_RISK', 'BREACHED']);
    } finally {
      await client.dispose();
    }
  });

  it('with both instances’ timers competing, each transition is published exactly once', async () => {
    setClocks('2026-12-02T15:00:00Z');
    await claimingSide.slaTimer.stop(); // running again below, whether or not the test above stopped it
    claimingSide.slaTimer.start();
    dashboardSide.slaTimer.start();
    const { client, changes, atRiskAt, dueAt } = await watchUnansweredTicket(claimingSide, dashboardSide, 'competing-claims');
    try {
      setClocks(atRiskAt);
      expect((await changes.next()).slaStatusChanged).toMatchObject({ state: 'AT_RISK', at: atRiskAt });
      setClocks(dueAt);
      expect((await changes.next()).slaStatusChanged).toMatchObject({ state: 'BREACHED', at: dueAt });

      // With both timers stopped, nothing is left to claim; a ticket filed through each instance afterwards (each
      // instance publishes in order) is heard next: no second AT_RISK or BREACHED came before either.
      await Promise.all([dashboardSide.slaTimer.stop(), claimingSide.slaTimer.stop()]);
      expect((await dashboardSide.slaTimer.tick()) + (await claimingSide.slaTimer.tick())).toBe(0);
      const afterwards = [];
      for (const server of [dashboardSide, claimingSide]) {
        const { number } = await fileTicket(server, customerOf('competing-claims'), { severity: 'SEV3' });
        afterwards.push(number);
        expect((await changes.next()).slaStatusChanged).toMatchObject({ ticket: { number }, state: 'ON_TRACK' });
      }
      expect(changes.received.map((change: any) => [change.slaStatusChanged.ticket.number, change.slaStatusChanged.state]).slice(1)).toEqual([
        [expect.any(String), 'AT_RISK'],
        [expect.any(String), 'BREACHED'],
        [afterwards[0], 'ON_TRACK'],
        [afterwards[1], 'ON_TRACK'],
      ]);
    } finally {
      await client.dispose();
    }
  });
});
