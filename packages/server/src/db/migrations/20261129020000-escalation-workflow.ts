import { Migration } from '@mikro-orm/migrations';

/** Severity change requests, escalations to management, and the notification outbox. */
export class Migration20261129020000EscalationWorkflow extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "notification" ("id" uuid not null, "kind" text check ("kind" in ('ESCALATION_RAISED', 'UPDATE_REQUESTED', 'SLA_AT_RISK', 'SLA_BREACHED')) not null, "recipients" text[] not null, "subject" varchar(300) not null, "body" text not null, "ticket_id" uuid null, "status" text check ("status" in ('PENDING', 'SENT', 'LOGGED', 'FAILED')) not null default 'PENDING', "attempts" int not null default 0, "next_attempt_at" timestamptz not null, "last_error" text null, "created_at" timestamptz not null, "sent_at" timestamptz null, constraint "notification_pkey" primary key ("id"));`);
    this.addSql(`create index "notification_due_index" on "notification" ("status", "next_attempt_at");`);
    this.addSql(`create table "severity_change_request" ("id" uuid not null, "ticket_id" uuid not null, "note_id" uuid not null, "requester_id" uuid not null, "from" text check ("from" in ('SEV1', 'SEV2', 'SEV3', 'SEV4')) not null, "to" text check ("to" in ('SEV1', 'SEV2', 'SEV3', 'SEV4')) not null, "reason" text not null, "status" text check ("status" in ('PENDING', 'APPROVED', 'REJECTED')) not null default 'PENDING', "decider_id" uuid null, "decision_note" text null, "created_at" timestamptz not null, "decided_at" timestamptz null, "version" int not null default 1, constraint "severity_change_request_pkey" primary key ("id"));`);
    this.addSql(`create index "severity_change_request_ticket_index" on "severity_change_request" ("ticket_id", "created_at");`);
    this.addSql(`create table "escalation" ("id" uuid not null, "ticket_id" uuid not null, "organization_id" uuid not null, "raised_by_id" uuid not null, "reason" text not null, "business_impact" text not null, "status" text check ("status" in ('OPEN', 'ACKNOWLEDGED', 'RESOLVED')) not null default 'OPEN', "owner_id" uuid null, "notified_addresses" text[] not null, "resolution" text null, "created_at" timestamptz not null, "acknowledged_at" timestamptz null, "resolved_at" timestamptz null, "version" int not null default 1, constraint "escalation_pkey" primary key ("id"));`);
    this.addSql(`create index "escalation_organization_index" on "escalation" ("organization_id");`);
    this.addSql(`create index "escalation_status_index" on "escalation" ("status", "created_at");`);
    this.addSql(`create index "escalation_ticket_index" on "escalation" ("ticket_id", "created_at");`);
    this.addSql(`alter table "notification" add constraint "notification_ticket_id_foreign" foreign key ("ticket_id") references "ticket" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "severity_change_request" add constraint "severity_change_request_ticket_id_foreign" foreign key ("ticket_id") references "ticket" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "severity_change_request" add constraint "severity_change_request_note_id_foreign" foreign key ("note_id") references "note" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "severity_change_request" add constraint "severity_change_request_requester_id_foreign" foreign key ("requester_id") references "app_user" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "severity_change_request" add constraint "severity_change_request_decider_id_foreign" foreign key ("decider_id") references "app_user" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "escalation" add constraint "escalation_ticket_id_foreign" foreign key ("ticket_id") references "ticket" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "escalation" add constraint "escalation_raised_by_id_foreign" foreign key ("raised_by_id") references "app_user" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "escalation" add constraint "escalation_owner_id_foreign" foreign key ("owner_id") references "app_user" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "ticket_event" drop constraint if exists "ticket_event_type_check";`);
    this.addSql(`alter table "ticket_event" add constraint "ticket_event_type_check" check("type" in ('CREATED', 'STATUS_CHANGED', 'SEVERITY_CHANGED', 'ASSIGNED', 'NOTE_ADDED', 'SLA_CYCLE_STARTED', 'SLA_CYCLE_STOPPED', 'SLA_STATE_CHANGED', 'SLA_RETARGETED', 'UPDATE_REQUESTED', 'SEVERITY_CHANGE_REQUESTED', 'SEVERITY_CHANGE_DECIDED', 'ESCALATION_RAISED', 'ESCALATION_ACKNOWLEDGED', 'ESCALATION_RESOLVED'));`);
    // At most one open escalation and one pending severity request per ticket, whatever races.
    this.addSql(`create unique index "escalation_one_open_per_ticket" on "escalation" ("ticket_id") where "status" <> 'RESOLVED';`);
    this.addSql(`create unique index "severity_change_request_one_pending_per_ticket" on "severity_change_request" ("ticket_id") where "status" = 'PENDING';`);
  }

  override async down(): Promise<void> {
    for (const table of ['escalation', 'severity_change_request', 'notification']) this.addSql(`drop table if exists "${table}" cascade;`);
  }
}
