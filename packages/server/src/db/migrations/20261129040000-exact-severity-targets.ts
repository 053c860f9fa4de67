import { Migration } from '@mikro-orm/migrations';

/** Severity targets in seconds (PT20S) were rounded to whole minutes; store fractional minutes, as sla_cycle does. */
export class Migration20261129040000ExactSeverityTargets extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table "severity_level" alter column "target_minutes" type double precision;');
  }

  override async down(): Promise<void> {
    // Rounds sub-minute targets up, so that none becomes 0 (breached on filing).
    this.addSql('alter table "severity_level" alter column "target_minutes" type int using ceil("target_minutes");');
  }
}
