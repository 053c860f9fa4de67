import { Migration } from '@mikro-orm/migrations';

/** A ticket's number is the column's default, so filing takes it in the insert rather than in a statement of its own. */
export class Migration20261129070000TicketNumberDefault extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "ticket" alter column "number" set default nextval('ticket_number_seq');`);
  }

  override async down(): Promise<void> {
    this.addSql('alter table "ticket" alter column "number" drop default;');
  }
}
