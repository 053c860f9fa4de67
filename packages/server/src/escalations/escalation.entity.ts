import { ArrayType, Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Ref, Unique } from '@mikro-orm/core';
import { Field, MiddlewareFn, ObjectType, registerEnumType, UseMiddleware } from 'type-graphql';
import { viewerIsStaff } from '../auth/rules';
import { toGlobalId } from '../common/global-id';
import { Node } from '../common/node';
import { uuid7 } from '../common/uuid7';
import { Context } from '../context';
import { Ticket } from '../tickets/ticket.entity';
import { User } from '../users/user.entity';

export enum EscalationStatus {
  OPEN = 'OPEN',
  ACKNOWLEDGED = 'ACKNOWLEDGED',
  RESOLVED = 'RESOLVED',
}

registerEnumType(EscalationStatus, {
  name: 'EscalationStatus',
  description: 'Where an escalation to support management stands.',
  valuesConfig: {
    OPEN: { description: 'Raised; no manager has taken it yet.' },
    ACKNOWLEDGED: { description: 'A manager owns it.' },
    RESOLVED: { description: 'Management has resolved it, with a resolution.' },
  },
});

/** The vendor's internal addresses are staff's to see: a customer reads null rather than an error, so that one
 * selection (the SDK's fragment) serves both. */
const staffOnly: MiddlewareFn<Context> = ({ context }, next) =>
  context.viewer && viewerIsStaff(context.viewer) ? next() : Promise.resolve(null);

/** A request for support management's intervention on a ticket (the policy's escalation path). */
@Entity({ tableName: 'escalation' })
@Index({ name: 'escalation_ticket_index', properties: ['ticket', 'createdAt'] })
@Index({ name: 'escalation_status_index', properties: ['status', 'createdAt'] })
@Unique({
  name: 'escalation_one_open_per_ticket',
  expression: `create unique index "escalation_one_open_per_ticket" on "escalation" ("ticket_id") where "status" <> 'RESOLVED'`,
})
@ObjectType({ implements: Node, description: 'An escalation of a ticket to support management, with the reason and business impact.' })
export class Escalation implements Node {
  [OptionalProps]?: 'nodeId' | 'status' | 'owner' | 'acknowledgedAt' | 'resolvedAt' | 'resolution' | 'version';

  @PrimaryKey({ type: 'uuid' })
  id: string = uuid7();

  get nodeId(): string {
    return toGlobalId('Escalation', this.id);
  }

  @ManyToOne(() => Ticket, { ref: true, deleteRule: 'cascade', index: false })
  ticket!: Ref<Ticket>;

  /** Kept with the escalation so that lists filter by organization without a join. */
  @Property({ type: 'uuid', index: 'escalation_organization_index' })
  organizationId!: string;

  @ManyToOne(() => User, { ref: true, deleteRule: 'restrict' })
  raisedBy!: Ref<User>;

  @Property({ type: 'text' })
  @Field({ description: 'Why elevated attention is needed.' })
  reason!: string;

  @Property({ type: 'text' })
  @Field({ description: 'The business impact the customer is experiencing.' })
  businessImpact!: string;

  @Enum({ items: () => EscalationStatus })
  @Field(() => EscalationStatus, { description: 'Open, acknowledged or resolved.' })
  status: EscalationStatus = EscalationStatus.OPEN;

  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'restrict' })
  owner?: Ref<User> | null;

  @Property({ type: ArrayType })
  @Field(() => [String], {
    nullable: true,
    description: 'Who was notified: the account manager and the escalations address. Staff only; null for customers.',
  })
  @UseMiddleware(staffOnly)
  notifiedAddresses!: string[];

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'How management resolved it; null until resolved.' })
  resolution?: string | null;

  @Property({ type: 'datetime' })
  @Field({ description: 'When it was raised.' })
  createdAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When a manager acknowledged it.' })
  acknowledgedAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When it was resolved.' })
  resolvedAt?: Date | null;

  @Property({ version: true, type: 'integer' })
  version!: number;
}
