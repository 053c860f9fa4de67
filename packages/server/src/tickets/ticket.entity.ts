import { Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Ref, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Field, ObjectType } from 'type-graphql';
import { toGlobalId } from '../common/global-id';
import { Node } from '../common/node';
import { Organization } from '../organizations/organization.entity';
import { Environment, Severity } from '../policy/enums';
import { User } from '../users/user.entity';
import { SlaState } from '../sla-cycles/sla-enums';
import { TicketCategory, TicketStatus } from './ticket-enums';

export const TICKET_NUMBER_PREFIX = 'RS-';

@Entity({ tableName: 'ticket' })
@Unique({ name: 'ticket_requester_idempotency_key_unique', properties: ['requester', 'idempotencyKey'] })
// One index per order `tickets` offers (ticket-queries.ts), each ending in the tie-breaker `number`, so that a page
// reads its rows in order instead of sorting every ticket; scanned backwards for the other direction.
@Index({ name: 'ticket_created_at_number_index', properties: ['createdAt', 'number'] })
@Index({ name: 'ticket_organization_created_at_number_index', properties: ['organization', 'createdAt', 'number'] })
@Index({ name: 'ticket_updated_at_number_index', properties: ['updatedAt', 'number'] })
@Index({ name: 'ticket_severity_number_index', properties: ['severity', 'number'] })
@Index({ name: 'ticket_sla_due_at_number_index', properties: ['slaDueAt', 'number'] })
@ObjectType({ implements: Node, description: 'A customer’s request for support, with a severity and a target response time.' })
export class Ticket implements Node {
  [OptionalProps]?: 'nodeId' | 'number' | 'displayNumber' | 'assignee' | 'relatedTicket' | 'idempotencyKey' | 'resolvedAt' | 'closedAt' | 'version' | 'slaState' | 'slaDueAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  get nodeId(): string {
    return toGlobalId('Ticket', this.id);
  }

  /** Sequential: the column's default takes the next of `ticket_number_seq` (MikroORM's `autoincrement`) and the insert reads it back; shown as `RS-1001`. */
  @Property({ type: 'integer', columnType: 'int', unique: true, autoincrement: true })
  number!: number;

  @Field({ name: 'number', description: 'Human ticket number to quote, e.g. `RS-1001`.' })
  get displayNumber(): string {
    return `${TICKET_NUMBER_PREFIX}${this.number}`;
  }

  @Property({ type: 'string', length: 200 })
  @Field({ description: 'One-line summary.' })
  title!: string;

  @Property({ type: 'text' })
  @Field({ description: 'What happened, as the customer described it.' })
  description!: string;

  @Enum({ items: () => Severity })
  @Field(() => Severity, { description: 'Current severity; decides the target response time.' })
  severity!: Severity;

  @Enum({ items: () => Environment })
  @Field(() => Environment, { description: 'The environment affected.' })
  environment!: Environment;

  @Enum({ items: () => TicketCategory })
  @Field(() => TicketCategory, { description: 'Incident or question.' })
  category!: TicketCategory;

  @Enum({ items: () => TicketStatus })
  @Index({ name: 'ticket_status_index' })
  @Field(() => TicketStatus, { description: 'Where the ticket is in its lifecycle.' })
  status: TicketStatus = TicketStatus.NEW;

  @ManyToOne(() => Organization, { ref: true, deleteRule: 'restrict' })
  organization!: Ref<Organization>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'restrict' })
  requester!: Ref<User>;

  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'set null', index: 'ticket_assignee_index' })
  assignee?: Ref<User> | null;

  @ManyToOne(() => Ticket, { ref: true, nullable: true, deleteRule: 'set null' })
  relatedTicket?: Ref<Ticket> | null;

  @Property({ type: 'string', length: 100, nullable: true })
  idempotencyKey?: string | null;

  @Property({ type: 'datetime' })
  @Field({ description: 'When the ticket was filed.' })
  createdAt!: Date;

  @Property({ type: 'datetime' })
  @Field({ description: 'When anything about the ticket last changed.' })
  updatedAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When the ticket was last resolved; null while unresolved.' })
  resolvedAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When the ticket was closed; null while open.' })
  closedAt?: Date | null;

  /** The current response cycle's state, kept with the cycle for filters and counts. */
  @Enum({ items: () => SlaState, nullable: true })
  @Index({ name: 'ticket_sla_state_index' })
  slaState?: SlaState | null;

  /** The running cycle's due time (null when none runs or it is paused), for ordering by urgency. */
  @Property({ type: 'datetime', nullable: true })
  slaDueAt?: Date | null;

  @Property({ version: true, type: 'integer' })
  version!: number;
}
