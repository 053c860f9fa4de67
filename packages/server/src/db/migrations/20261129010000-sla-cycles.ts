import { Migration } from '@mikro-orm/migrations';

/** Response cycles, the ticket's current SLA state and due time, and the SLA event types. */
export class Migration20261129010000SlaCycles extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "sla_cycle" ("id" uuid not null, "ticket_id" uuid not null, "metric" text check ("metric" in ('FIRST_RESPONSE', 'NEXT_RESPONSE')) not null, "started_at" timestamptz not null, "target_minutes" double precision not null, "clock" text check ("clock" in ('CALENDAR', 'BUSINESS_HOURS')) not null, "pauses" jsonb not null, "stopped_at" timestamptz null, "responded_at" timestamptz null, "due_at" timestamptz null, "at_risk_at" timestamptz null, "state" text check ("state" in ('ON_TRACK', 'AT_RISK', 'BREACHED', 'MET', 'PAUSED')) not null, "next_transition_at" timestamptz null, constraint "sla_cycle_pkey" primary key ("id"));`);
    this.addSql(`create index "sla_cycle_next_transition_at_index" on "sla_cycle" ("next_transition_at");`);
    this.addSql(`create index "sla_cycle_ticket_index" on "sla_cycle" ("ticket_id", "started_at");`);
    this.addSql(`alter table "sla_cycle" add constraint "sla_cycle_ticket_id_foreign" foreign key ("ticket_id") references "ticket" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "ticket" add column "sla_state" text check ("sla_state" in ('ON_TRACK', 'AT_RISK', 'BREACHED', 'MET', 'PAUSED')) null, add column "sla_due_at" timestamptz null;`);
    this.addSql(`create index "ticket_sla_state_index" on "ticket" ("sla_state");`);
    this.addSql(`create index "ticket_sla_due_at_index" on "ticket" ("sla_due_at");`);
    this.addSql(`alter table "ticket_event" drop constraint if exists "ticket_event_type_check";`);
    this.addSql(`alter table "ticket_event" add constraint "ticket_event_type_check" check("type" in ('CREATED', 'STATUS_CHANGED', 'SEVERITY_CHANGED', 'ASSIGNED', 'NOTE_ADDED', 'SLA_CYCLE_STARTED', 'SLA_CYCLE_STOPPED', 'SLA_STATE_CHANGED', 'SLA_RETARGETED'));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "sla_cycle" cascade;`);
    this.addSql(`alter table "ticket" drop column "sla_state", drop column "sla_due_at";`);
  }
}
