// A burst: thousands of cycles reach AT_RISK at the same moment (a Monday 09:00, when business hours resume) while a
// dashboard watches. Each is recorded and published exactly once, in a handful of set-based statements per batch,
// and the watching dashboard hears every one; the server survives it (before, the subscriber's queue overflowed at
// 1,024 and the error escaped the timer's publish, ending the process).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { idOf } from '../src/common/global-id';
import { SLA_BATCH } from '../src/sla-cycles/sla-timer';
import { connect, subscribe, ticketProbe } from './helpers/subscriptions';
import { createOrganization, customerOf, ENGINEER, fileTicket, startTestServer, TestServer } from './helpers/test-server';

const BURST = 2_500;
/** More than the 1,024 messages a subscriber could leave unread before (graphql-yoga's Repeater). */
const WATCHED_BURST = 1_500;
const redisUrl = process.env.REDIS_URL;

describe('an SLA burst', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(redisUrl ? { redis: { url: redisUrl, channelPrefix: `test:${randomUUID()}:` } } : {});
  });
  afterAll(() => server?.close());

  /** `count` tickets of a new organization, each with a one-hour cycle started at `at`, so all at risk 45 minutes later. */
  async function seedBurst(slug: string, count: number, at: string) {
    server.clock.set(at);
    const organizationId = await createOrganization(server, slug, { policy: [{ severity: 'SEV3', targetResponse: 'PT1H', clock: 'CALENDAR' }] });
    const seed = await fileTicket(server, customerOf(slug), { severity: 'SEV3' });
    const seedId = idOf(seed.id, 'Ticket');
    // Copies of the seed ticket and its cycle, written as the app writes them.
    await server.orm.em.getConnection().execute(
      `with copies as (
         insert into ticket (id, number, title, description, severity, environment, category, status, organization_id, requester_id,
           created_at, updated_at, sla_state, sla_due_at)
         select gen_random_uuid(), nextval('ticket_number_seq'), 'Burst ' || n, t.description, t.severity, t.environment, t.category,
           t.status, t.organization_id, t.requester_id, t.created_at, t.updated_at, t.sla_state, t.sla_due_at
         from ticket t, generate_series(1, ?) as n where t.id = ? returning id)
       insert into sla_cycle (id, ticket_id, metric, started_at, target_seconds, clock, pauses, state, due_at, at_risk_at, next_transition_at)
       select gen_random_uuid(), copies.id, c.metric, c.started_at, c.target_seconds, c.clock, c.pauses, c.state, c.due_at, c.at_risk_at,
         c.next_transition_at
       from copies, sla_cycle c where c.ticket_id = ?`,
      [count - 1, seedId, seedId],
    );
    return { organization: slug, organizationId, atRiskAt: new Date(Date.parse(at) + 45 * 60_000).toISOString() };
  }

  /** What the burst left in the database for the organization: AT_RISK events, tickets at risk, versions. */
  async function recorded(slug: string) {
    const [row] = await server.orm.em.getConnection().execute(
      `select count(e.id)::int as events, count(distinct e.ticket_id)::int as tickets,
         (select count(*)::int from ticket t2 join organization o2 on o2.id = t2.organization_id where o2.slug = ? and t2.sla_state = 'AT_RISK') as at_risk,
         (select max(t3.version)::int from ticket t3 join organization o3 on o3.id = t3.organization_id where o3.slug = ?) as version
       from ticket_event e join ticket t on t.id = e.ticket_id join organization o on o.id = t.organization_id
       where o.slug = ? and e.type = 'SLA_STATE_CHANGED' and e.data->>'to' = 'AT_RISK'`,
      [slug, slug, slug],
    );
    return row;
  }

  async function tickUntilDone(): Promise<number> {
    let ticks = 0;
    while ((await server.slaTimer.tick()) > 0) ticks += 1;
    return ticks;
  }

  it(`records ${BURST} transitions due at one moment, each once, in a few statements per ${SLA_BATCH}, without bumping versions`, async () => {
    const burst = await seedBurst('burst-quiet', BURST, '2026-12-07T08:00:00Z');
    server.clock.set(burst.atRiskAt);
    server.queries.length = 0;
    const ticks = await tickUntilDone();
    expect(ticks).toBe(Math.ceil(BURST / SLA_BATCH));
    // Claim, the tickets, organizations and people it needs, one update per state, batched inserts and updates.
    expect(server.queries.length).toBeLessThanOrEqual(ticks * 20);
    // Time passing is not an edit: the tickets keep their version (a customer's concurrent change still applies).
    expect(await recorded(burst.organization)).toEqual({ events: BURST, tickets: BURST, at_risk: BURST, version: 1 });
  }, 60_000);

  it(`a dashboard watching hears all ${WATCHED_BURST}, once each, and the server goes on`, async () => {
    const burst = await seedBurst('burst-watched', WATCHED_BURST, '2026-12-08T08:00:00Z');
    const client = connect(server.url, await server.token(ENGINEER));
    const changes = await subscribe(
      client,
      `subscription($org: ID) { slaStatusChanged(organizationId: $org) { ticket { number } state } }`,
      { org: burst.organizationId },
      ticketProbe(server, customerOf('burst-watched'), (message: any) => message.slaStatusChanged.ticket.number),
    );
    try {
      server.clock.set(burst.atRiskAt);
      await tickUntilDone();
      expect(await recorded(burst.organization)).toMatchObject({ events: WATCHED_BURST, tickets: WATCHED_BURST });
      const heard: string[] = [];
      while (heard.length < WATCHED_BURST) {
        const message = (await changes.next()).slaStatusChanged;
        expect(message.state).toBe('AT_RISK');
        heard.push(message.ticket.number);
      }
      expect(new Set(heard).size).toBe(WATCHED_BURST);
      expect(changes.errors).toEqual([]);
      // Still serving.
      expect((await server.gql('{ severityLevels { severity } }')).errors).toBeUndefined();
    } finally {
      await changes.close();
      await client.dispose();
    }
  }, 120_000);
});
