// Time-driven SLA transitions with two server instances on one database, fanned out through Redis, in real time:
// a dashboard connected to one instance sees AT_RISK then BREACHED, each once, within a second of the moment,
// whichever instance claims them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { connect, subscribe } from './helpers/subscriptions';
import { createOrganization, customerOf, ENGINEER, fileTicket, startTestServer, TestServer } from './helpers/test-server';

const redisUrl = process.env.REDIS_URL;

describe.skipIf(!redisUrl)('SLA timer across instances (needs REDIS_URL; .ci/run sets it)', () => {
  let dashboardSide: TestServer;
  let claimingSide: TestServer;

  beforeAll(async () => {
    const redis = { url: redisUrl!, channelPrefix: `test:${randomUUID()}:` };
    // The dashboard's instance runs no timer of its own: every transition it hears was claimed by the other one.
    dashboardSide = await startTestServer({ redis, systemClock: true });
    claimingSide = await startTestServer({ redis, systemClock: true, databaseUrl: dashboardSide.databaseUrl, slaTimer: 'running' });
  });
  afterAll(async () => {
    await claimingSide?.close();
    await dashboardSide?.close();
  });

  async function watchUnansweredTicket(server: TestServer, slug: string) {
    await createOrganization(server, slug, { policy: [{ severity: 'SEV3', targetResponse: 'PT4S', clock: 'CALENDAR' }] });
    const organizationId = (await server.gql(`{ organizations(first: 100) { edges { node { id slug } } } }`, {}, ENGINEER)).data!.organizations.edges.find(
      (edge: any) => edge.node.slug === slug,
    ).node.id;
    const client = connect(server.url, await server.token(ENGINEER));
    const changes = await subscribe(client, `subscription($org: ID) { slaStatusChanged(organizationId: $org) { previousState state at sla { atRiskAt dueAt } } }`, {
      org: organizationId,
    });
    const ticket = await fileTicket(server, customerOf(slug), { severity: 'SEV3' });
    const started = (await changes.next()).slaStatusChanged;
    expect(started.state).toBe('ON_TRACK');
    return { client, changes, ticket, atRiskAt: Date.parse(started.sla.atRiskAt), dueAt: Date.parse(started.sla.dueAt) };
  }

  it('a dashboard on one instance sees AT_RISK then BREACHED claimed by the other, each once, within a second', async () => {
    const { client, changes, atRiskAt, dueAt } = await watchUnansweredTicket(dashboardSide, 'remote-claims');
    try {
      const atRisk = (await changes.next(6000)).slaStatusChanged;
      const atRiskLateness = Date.now() - atRiskAt;
      const breached = (await changes.next(6000)).slaStatusChanged;
      const breachLateness = Date.now() - dueAt;
      expect([atRisk.previousState, atRisk.state, Date.parse(atRisk.at)]).toEqual(['ON_TRACK', 'AT_RISK', atRiskAt]);
      expect([breached.previousState, breached.state, Date.parse(breached.at)]).toEqual(['AT_RISK', 'BREACHED', dueAt]);
      expect(atRiskLateness).toBeLessThan(1000);
      expect(breachLateness).toBeLessThan(1000);
      console.info(`time-driven SLA events arrived ${atRiskLateness} ms (AT_RISK) and ${breachLateness} ms (BREACHED) after their moment`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(changes.received).toHaveLength(3);
    } finally {
      await client.dispose();
    }
  }, 20_000);

  it('with both instances’ timers competing, each transition is published exactly once', async () => {
    dashboardSide.slaTimer.start();
    const { client, changes, dueAt } = await watchUnansweredTicket(claimingSide, 'competing-claims');
    try {
      await changes.next(6000);
      await changes.next(6000);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, dueAt + 1000 - Date.now())));
      expect(changes.received.map((change: any) => change.slaStatusChanged.state)).toEqual(['ON_TRACK', 'AT_RISK', 'BREACHED']);
    } finally {
      await client.dispose();
      await dashboardSide.slaTimer.stop();
    }
  }, 20_000);
});
