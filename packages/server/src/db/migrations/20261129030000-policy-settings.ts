import { Migration } from '@mikro-orm/migrations';

/** Policy values an admin sets (the escalations and queue addresses); absent ones fall back to the config. */
export class Migration20261129030000PolicySettings extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "policy_setting" ("key" varchar(50) not null, "value" varchar(254) not null, "updated_at" timestamptz not null, constraint "policy_setting_pkey" primary key ("key"));`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "policy_setting";');
  }
}
