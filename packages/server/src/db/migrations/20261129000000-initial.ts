import { Migration } from '@mikro-orm/migrations';

/** Organizations, users, tickets, notes, the audit trail and the policy tables. */
export class Migration20261129000000Initial extends Migration {
  override async up(): Promise<void> {
    this.addSql('create table "organization" ("id" uuid not null, "slug" varchar(50) not null, "name" varchar(200) not null, "region" text check ("region" in (\'US\', \'CA\', \'UK\', \'DE\', \'AU\', \'BR\')) not null, "account_manager_email" varchar(254) not null, "calendar" jsonb not null, "policy" jsonb not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, constraint "organization_pkey" primary key ("id"));');
    this.addSql('alter table "organization" add constraint "organization_slug_unique" unique ("slug");');
    this.addSql('create table "severity_level" ("severity" varchar(10) not null, "business_impact" varchar(100) not null, "description" text not null, "allowed_environments" text[] not null, "target_minutes" int not null, "clock" text check ("clock" in (\'CALENDAR\', \'BUSINESS_HOURS\')) not null, constraint "severity_level_pkey" primary key ("severity"));');
    this.addSql('create table "support_line" ("region" varchar(2) not null, "country" varchar(100) not null, "number" varchar(50) not null, constraint "support_line_pkey" primary key ("region"));');
    this.addSql('create table "app_user" ("id" uuid not null, "sub" varchar(255) not null, "email" varchar(254) not null, "name" varchar(200) not null, "role" text check ("role" in (\'CUSTOMER\', \'ENGINEER\', \'MANAGER\', \'ADMIN\')) not null, "organization_id" uuid null, "created_at" timestamptz not null, "last_seen_at" timestamptz not null, constraint "app_user_pkey" primary key ("id"));');
    this.addSql('alter table "app_user" add constraint "app_user_sub_unique" unique ("sub");');
    this.addSql('create table "ticket" ("id" uuid not null, "number" int not null, "title" varchar(200) not null, "description" text not null, "severity" text check ("severity" in (\'SEV1\', \'SEV2\', \'SEV3\', \'SEV4\')) not null, "environment" text check ("environment" in (\'PRODUCTION\', \'NON_PRODUCTION\')) not null, "category" text check ("category" in (\'INCIDENT\', \'QUESTION\', \'ENHANCEMENT\')) not null, "status" text check ("status" in (\'NEW\', \'IN_PROGRESS\', \'WAITING_ON_CUSTOMER\', \'RESOLVED\', \'CLOSED\')) not null default \'NEW\', "organization_id" uuid not null, "requester_id" uuid not null, "assignee_id" uuid null, "related_ticket_id" uuid null, "idempotency_key" varchar(100) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "resolved_at" timestamptz null, "closed_at" timestamptz null, "version" int not null default 1, constraint "ticket_pkey" primary key ("id"));');
    this.addSql('alter table "ticket" add constraint "ticket_number_unique" unique ("number");');
    this.addSql('create index "ticket_severity_index" on "ticket" ("severity");');
    this.addSql('create index "ticket_status_index" on "ticket" ("status");');
    this.addSql('create index "ticket_assignee_index" on "ticket" ("assignee_id");');
    this.addSql('create index "ticket_updated_at_index" on "ticket" ("updated_at");');
    this.addSql('create index "ticket_organization_created_at_index" on "ticket" ("organization_id", "created_at");');
    this.addSql('alter table "ticket" add constraint "ticket_requester_idempotency_key_unique" unique ("requester_id", "idempotency_key");');
    this.addSql('create table "ticket_event" ("id" uuid not null, "ticket_id" uuid not null, "type" text check ("type" in (\'CREATED\', \'STATUS_CHANGED\', \'SEVERITY_CHANGED\', \'ASSIGNED\', \'NOTE_ADDED\')) not null, "actor_id" uuid null, "at" timestamptz not null, "data" jsonb not null, "internal" boolean not null default false, constraint "ticket_event_pkey" primary key ("id"));');
    this.addSql('create index "ticket_event_ticket_at_index" on "ticket_event" ("ticket_id", "at");');
    this.addSql('create table "note" ("id" uuid not null, "ticket_id" uuid not null, "author_id" uuid not null, "body" text not null, "kind" text check ("kind" in (\'COMMENT\', \'UPDATE_REQUEST\', \'SEVERITY_CHANGE_REQUEST\', \'RESPONSE\')) not null, "visibility" text check ("visibility" in (\'PUBLIC\', \'INTERNAL\')) not null, "created_at" timestamptz not null, constraint "note_pkey" primary key ("id"));');
    this.addSql('create index "note_ticket_created_at_index" on "note" ("ticket_id", "created_at");');
    this.addSql('alter table "app_user" add constraint "app_user_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete restrict;');
    this.addSql('alter table "ticket" add constraint "ticket_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete restrict;');
    this.addSql('alter table "ticket" add constraint "ticket_requester_id_foreign" foreign key ("requester_id") references "app_user" ("id") on update cascade on delete restrict;');
    this.addSql('alter table "ticket" add constraint "ticket_assignee_id_foreign" foreign key ("assignee_id") references "app_user" ("id") on update cascade on delete set null;');
    this.addSql('alter table "ticket" add constraint "ticket_related_ticket_id_foreign" foreign key ("related_ticket_id") references "ticket" ("id") on update cascade on delete set null;');
    this.addSql('alter table "ticket_event" add constraint "ticket_event_ticket_id_foreign" foreign key ("ticket_id") references "ticket" ("id") on update cascade on delete cascade;');
    this.addSql('alter table "ticket_event" add constraint "ticket_event_actor_id_foreign" foreign key ("actor_id") references "app_user" ("id") on update cascade on delete restrict;');
    this.addSql('alter table "note" add constraint "note_ticket_id_foreign" foreign key ("ticket_id") references "ticket" ("id") on update cascade on delete cascade;');
    this.addSql('alter table "note" add constraint "note_author_id_foreign" foreign key ("author_id") references "app_user" ("id") on update cascade on delete restrict;');
    this.addSql(`create sequence "ticket_number_seq" start with 1001;`);
  }

  override async down(): Promise<void> {
    for (const table of ['note', 'ticket_event', 'ticket', 'app_user', 'support_line', 'severity_level', 'organization']) {
      this.addSql(`drop table if exists "${table}" cascade;`);
    }
    this.addSql('drop sequence if exists "ticket_number_seq";');
  }
}
