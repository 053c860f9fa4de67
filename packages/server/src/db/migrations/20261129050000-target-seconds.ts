import { Migration } from '@mikro-orm/migrations';

/**
 * Targets are whole seconds everywhere (src/sla/target-duration.ts): severity levels and cycles had fractional
 * minutes, organizations' own targets ISO-8601 text, and SLA events `targetMinutes` in their data.
 */
export class Migration20261129050000TargetSeconds extends Migration {
  override async up(): Promise<void> {
    for (const table of ['severity_level', 'sla_cycle']) {
      this.addSql(`alter table "${table}" add column "target_seconds" int;`);
      this.addSql(`update "${table}" set "target_seconds" = round("target_minutes" * 60);`);
      this.addSql(`alter table "${table}" alter column "target_seconds" set not null, drop column "target_minutes";`);
    }
    // Contract targets were validated as whole seconds of days, hours, minutes and seconds when saved.
    this.addSql(`
      update "organization" set "policy" = (
        select coalesce(jsonb_agg(jsonb_build_object(
          'severity', target->>'severity',
          'targetSeconds', round(extract(epoch from (target->>'targetResponse')::interval))::int,
          'clock', target->>'clock'
        ) order by position), '[]'::jsonb)
        from jsonb_array_elements("policy") with ordinality as targets(target, position)
      ) where jsonb_array_length("policy") > 0;`);
    this.addSql(`
      update "ticket_event" set "data" = ("data" - 'targetMinutes')
        || jsonb_build_object('targetSeconds', round(("data"->>'targetMinutes')::numeric * 60)::int)
      where "data" ? 'targetMinutes';`);
  }

  override async down(): Promise<void> {
    for (const table of ['severity_level', 'sla_cycle']) {
      this.addSql(`alter table "${table}" add column "target_minutes" double precision;`);
      this.addSql(`update "${table}" set "target_minutes" = "target_seconds" / 60.0;`);
      this.addSql(`alter table "${table}" alter column "target_minutes" set not null, drop column "target_seconds";`);
    }
    this.addSql(`
      update "organization" set "policy" = (
        select jsonb_agg(jsonb_build_object(
          'severity', target->>'severity',
          'targetResponse', 'PT' || (target->>'targetSeconds') || 'S',
          'clock', target->>'clock'
        ) order by position)
        from jsonb_array_elements("policy") with ordinality as targets(target, position)
      ) where jsonb_array_length("policy") > 0;`);
    this.addSql(`
      update "ticket_event" set "data" = ("data" - 'targetSeconds')
        || jsonb_build_object('targetMinutes', ("data"->>'targetSeconds')::numeric / 60)
      where "data" ? 'targetSeconds';`);
  }
}
