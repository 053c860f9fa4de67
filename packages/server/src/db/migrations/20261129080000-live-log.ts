import { Migration } from '@mikro-orm/migrations';

/**
 * The audit trail becomes the live log that subscriptions deliver and resume from (events/live-log.ts): each row
 * keeps the id of the transaction that wrote it and its order of insertion. Rows already there all get this
 * migration's transaction id, in the order PostgreSQL numbers them.
 */
export class Migration20261129080000LiveLog extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "ticket_event" add column "log_xid" xid8 not null default pg_current_xact_id();`);
    this.addSql(`alter table "ticket_event" add column "log_position" bigserial;`);
    this.addSql(`create index "ticket_event_log_index" on "ticket_event" ("log_xid", "log_position");`);
  }

  override async down(): Promise<void> {
    this.addSql('drop index "ticket_event_log_index";');
    this.addSql('alter table "ticket_event" drop column "log_position", drop column "log_xid";');
  }
}
