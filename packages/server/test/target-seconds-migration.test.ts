// Targets became whole seconds (migration 20261129050000): rows written before it read back as the same targets.
import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { ormConfig } from '../src/db/orm';
import { createTestDatabase } from './helpers/database';

const AFTER = 'Migration20261129050000TargetSeconds';

describe('migration to targets in seconds', () => {
  let orm: MikroORM;
  let sql: pg.Client;

  beforeAll(async () => {
    const url = await createTestDatabase(inject('databaseAdminUrl'), inject('templateDatabase'));
    orm = await MikroORM.init(ormConfig({ url, log: pino({ level: 'silent' }) }));
    sql = new pg.Client({ connectionString: url });
    await sql.connect();
    await orm.getMigrator().down({ migrations: [AFTER] });
  });

  afterAll(async () => {
    await sql?.end();
    await orm?.close();
  });

  it('keeps every target exactly: levels and cycles from fractional minutes, contracts from ISO text, event data', async () => {
    const before = await sql.query(`select column_name from information_schema.columns where table_name = 'sla_cycle' and column_name like 'target%'`);
    expect(before.rows).toEqual([{ column_name: 'target_minutes' }]);
    await sql.query(`update severity_level set target_minutes = 1.0 / 3 where severity = 'SEV4'`);
    const organization = await sql.query<{ id: string }>(`
      insert into organization (id, slug, name, region, account_manager_email, calendar, policy, created_at, updated_at)
      values (gen_random_uuid(), 'old', 'Old', 'US', 'am@example.com', '{"timezone":"UTC","weeklyHours":[],"holidays":[]}',
        '[{"severity":"SEV2","targetResponse":"PT1H30M","clock":"CALENDAR"},{"severity":"SEV3","targetResponse":"P1DT20S","clock":"BUSINESS_HOURS"}]',
        now(), now()) returning id`);
    const user = await sql.query<{ id: string }>(`
      insert into app_user (id, sub, email, name, role, created_at, last_seen_at)
      values (gen_random_uuid(), 'old-user', 'old@example.com', 'Old', 'CUSTOMER', now(), now()) returning id`);
    const ticket = await sql.query<{ id: string }>(`
      insert into ticket (id, number, title, description, severity, environment, category, organization_id, requester_id, created_at, updated_at)
      values (gen_random_uuid(), 1, 't', 'd', 'SEV4', 'PRODUCTION', 'INCIDENT', $1, $2, now(), now()) returning id`,
      [organization.rows[0]!.id, user.rows[0]!.id]);
    const ticketId = ticket.rows[0]!.id;
    await sql.query(`
      insert into sla_cycle (id, ticket_id, metric, started_at, target_minutes, clock, pauses, state)
      values (gen_random_uuid(), $1, 'FIRST_RESPONSE', now(), 1.0 / 3, 'CALENDAR', '[]', 'ON_TRACK')`, [ticketId]);
    await sql.query(`
      insert into ticket_event (id, ticket_id, type, at, data)
      values (gen_random_uuid(), $1, 'SLA_CYCLE_STARTED', now(), '{"metric":"FIRST_RESPONSE","targetMinutes":0.3333333333333333,"clock":"CALENDAR"}')`,
      [ticketId]);

    await orm.getMigrator().up();

    const levels = await sql.query(`select severity, target_seconds from severity_level order by severity`);
    expect(levels.rows).toEqual([
      { severity: 'SEV1', target_seconds: 3600 },
      { severity: 'SEV2', target_seconds: 7200 },
      { severity: 'SEV3', target_seconds: 14400 },
      { severity: 'SEV4', target_seconds: 20 },
    ]);
    const policy = await sql.query(`select policy from organization where slug = 'old'`);
    expect(policy.rows[0].policy).toEqual([
      { severity: 'SEV2', targetSeconds: 5400, clock: 'CALENDAR' },
      { severity: 'SEV3', targetSeconds: 86_420, clock: 'BUSINESS_HOURS' },
    ]);
    const cycles = await sql.query(`select target_seconds from sla_cycle`);
    expect(cycles.rows).toEqual([{ target_seconds: 20 }]);
    const events = await sql.query(`select data from ticket_event where type = 'SLA_CYCLE_STARTED'`);
    expect(events.rows).toEqual([{ data: { metric: 'FIRST_RESPONSE', targetSeconds: 20, clock: 'CALENDAR' } }]);
  });

  it('goes back down and up again without losing a second', async () => {
    await orm.getMigrator().down({ migrations: [AFTER] });
    const down = await sql.query(`select target_minutes from severity_level where severity = 'SEV4'`);
    expect(down.rows[0].target_minutes * 60).toBeCloseTo(20, 9);
    await orm.getMigrator().up();
    const up = await sql.query(`select policy from organization where slug = 'old'`);
    expect(up.rows[0].policy).toEqual([
      { severity: 'SEV2', targetSeconds: 5400, clock: 'CALENDAR' },
      { severity: 'SEV3', targetSeconds: 86_420, clock: 'BUSINESS_HOURS' },
    ]);
  });
});
