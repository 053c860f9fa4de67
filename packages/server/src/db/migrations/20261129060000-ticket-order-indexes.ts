import { Migration } from '@mikro-orm/migrations';

/**
 * An index for each order of `tickets`, ending in the tie-breaker `number`: the default order (newest first) was a
 * sequential scan and a sort of the whole table, for staff, and of the organization's tickets, for customers.
 */
export class Migration20261129060000TicketOrderIndexes extends Migration {
  override async up(): Promise<void> {
    this.addSql('create index "ticket_created_at_number_index" on "ticket" ("created_at", "number");');
    this.addSql('create index "ticket_organization_created_at_number_index" on "ticket" ("organization_id", "created_at", "number");');
    this.addSql('create index "ticket_updated_at_number_index" on "ticket" ("updated_at", "number");');
    this.addSql('create index "ticket_severity_number_index" on "ticket" ("severity", "number");');
    this.addSql('create index "ticket_sla_due_at_number_index" on "ticket" ("sla_due_at", "number");');
    this.addSql('drop index "ticket_organization_created_at_index", "ticket_updated_at_index", "ticket_severity_index", "ticket_sla_due_at_index";');
  }

  override async down(): Promise<void> {
    this.addSql('create index "ticket_organization_created_at_index" on "ticket" ("organization_id", "created_at");');
    this.addSql('create index "ticket_updated_at_index" on "ticket" ("updated_at");');
    this.addSql('create index "ticket_severity_index" on "ticket" ("severity");');
    this.addSql('create index "ticket_sla_due_at_index" on "ticket" ("sla_due_at");');
    this.addSql(
      'drop index "ticket_created_at_number_index", "ticket_organization_created_at_number_index", "ticket_updated_at_number_index", ' +
        '"ticket_severity_number_index", "ticket_sla_due_at_number_index";',
    );
  }
}
