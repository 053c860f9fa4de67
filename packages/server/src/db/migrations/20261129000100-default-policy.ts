import { Migration } from '@mikro-orm/migrations';
import { DEFAULT_SEVERITY_LEVELS, DEFAULT_SUPPORT_LINES } from '../../policy/default-policy';

/** Seeds the vendor's policy (severity table and phone lines) as data an admin can change later. */
export class Migration20261129000100DefaultPolicy extends Migration {
  override async up(): Promise<void> {
    for (const level of DEFAULT_SEVERITY_LEVELS) {
      this.addSql(
        this.getKnex()
          .insert({
            severity: level.severity,
            business_impact: level.businessImpact,
            description: level.description,
            allowed_environments: `{${level.allowedEnvironments.join(',')}}`, // a PostgreSQL array literal
            target_minutes: level.targetSeconds / 60, // whole seconds since 20261129050000
            clock: level.clock,
          })
          .into('severity_level')
          .onConflict('severity')
          .ignore(),
      );
    }
    for (const line of DEFAULT_SUPPORT_LINES) {
      this.addSql(this.getKnex().insert(line).into('support_line').onConflict('region').ignore());
    }
  }

  override async down(): Promise<void> {
    this.addSql('delete from "support_line";');
    this.addSql('delete from "severity_level";');
  }
}
