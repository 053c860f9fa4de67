import { Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Ref, Unique } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { toGlobalId } from '../common/global-id';
import { Node } from '../common/node';
import { uuid7 } from '../common/uuid7';
import { Note } from '../notes/note.entity';
import { Severity } from '../policy/enums';
import { Ticket } from '../tickets/ticket.entity';
import { User } from '../users/user.entity';

export enum SeverityChangeRequestStatus {
  PENDING = 'PENDING',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
}

registerEnumType(SeverityChangeRequestStatus, {
  name: 'SeverityChangeRequestStatus',
  description: 'Where a customer’s request for another severity stands.',
  valuesConfig: {
    PENDING: { description: 'Waiting for support to decide.' },
    APPROVED: { description: 'Approved: the ticket has the requested severity.' },
    REJECTED: { description: 'Rejected, with the engineer’s note.' },
  },
});

/** A customer's request to change a ticket's severity, decided by support (SPEC §2). */
@Entity({ tableName: 'severity_change_request' })
@Index({ name: 'severity_change_request_ticket_index', properties: ['ticket', 'createdAt'] })
@Unique({
  name: 'severity_change_request_one_pending_per_ticket',
  expression: `create unique index "severity_change_request_one_pending_per_ticket" on "severity_change_request" ("ticket_id") where "status" = 'PENDING'`,
})
@ObjectType({ implements: Node, description: 'A customer’s request to change a ticket’s severity, and support’s decision.' })
export class SeverityChangeRequest implements Node {
  [OptionalProps]?: 'nodeId' | 'status' | 'decider' | 'decisionNote' | 'decidedAt' | 'version';

  @PrimaryKey({ type: 'uuid' })
  id: string = uuid7();

  get nodeId(): string {
    return toGlobalId('SeverityChangeRequest', this.id);
  }

  @ManyToOne(() => Ticket, { ref: true, deleteRule: 'cascade', index: false })
  ticket!: Ref<Ticket>;

  /** The note of kind SEVERITY_CHANGE_REQUEST that carries the request on the ticket. */
  @ManyToOne(() => Note, { ref: true, deleteRule: 'cascade' })
  note!: Ref<Note>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'restrict' })
  requester!: Ref<User>;

  @Enum({ items: () => Severity })
  @Field(() => Severity, { description: 'The severity when the request was made.' })
  from!: Severity;

  @Enum({ items: () => Severity })
  @Field(() => Severity, { description: 'The severity asked for.' })
  to!: Severity;

  @Property({ type: 'text' })
  @Field({ description: 'Why the customer asks for it.' })
  reason!: string;

  @Enum({ items: () => SeverityChangeRequestStatus })
  @Field(() => SeverityChangeRequestStatus, { description: 'Pending, approved or rejected.' })
  status: SeverityChangeRequestStatus = SeverityChangeRequestStatus.PENDING;

  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'restrict' })
  decider?: Ref<User> | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'The engineer’s note on the decision.' })
  decisionNote?: string | null;

  @Property({ type: 'datetime' })
  @Field({ description: 'When it was requested.' })
  createdAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When it was decided; null while pending.' })
  decidedAt?: Date | null;

  @Property({ version: true, type: 'integer' })
  version!: number;
}
