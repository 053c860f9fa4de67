import { Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Ref } from '@mikro-orm/core';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { toGlobalId } from '../common/global-id';
import { uuid7 } from '../common/uuid7';
import { Node } from '../common/node';
import { Ticket } from '../tickets/ticket.entity';
import { User } from '../users/user.entity';

export enum TicketEventType {
  CREATED = 'CREATED',
  STATUS_CHANGED = 'STATUS_CHANGED',
  SEVERITY_CHANGED = 'SEVERITY_CHANGED',
  ASSIGNED = 'ASSIGNED',
  NOTE_ADDED = 'NOTE_ADDED',
  SLA_CYCLE_STARTED = 'SLA_CYCLE_STARTED',
  SLA_CYCLE_STOPPED = 'SLA_CYCLE_STOPPED',
  SLA_STATE_CHANGED = 'SLA_STATE_CHANGED',
  SLA_RETARGETED = 'SLA_RETARGETED',
  UPDATE_REQUESTED = 'UPDATE_REQUESTED',
  SEVERITY_CHANGE_REQUESTED = 'SEVERITY_CHANGE_REQUESTED',
  SEVERITY_CHANGE_DECIDED = 'SEVERITY_CHANGE_DECIDED',
  ESCALATION_RAISED = 'ESCALATION_RAISED',
  ESCALATION_ACKNOWLEDGED = 'ESCALATION_ACKNOWLEDGED',
  ESCALATION_RESOLVED = 'ESCALATION_RESOLVED',
}

registerEnumType(TicketEventType, {
  name: 'TicketEventType',
  description: 'What changed on a ticket.',
  valuesConfig: {
    CREATED: { description: 'The ticket was filed. Data: severity, environment, category, relatedTicketId.' },
    STATUS_CHANGED: { description: 'Data: from, to.' },
    SEVERITY_CHANGED: { description: 'Data: from, to, reason.' },
    ASSIGNED: { description: 'Data: fromAssigneeId, toAssigneeId (null when unassigned).' },
    NOTE_ADDED: { description: 'Data: noteId, kind, visibility.' },
    SLA_CYCLE_STARTED: { description: 'A response cycle started. Data: metric, targetSeconds, clock, dueAt, state.' },
    SLA_CYCLE_STOPPED: { description: 'A response cycle stopped. Data: metric, reason (RESPONDED, RESOLVED, CLOSED), state.' },
    SLA_STATE_CHANGED: { description: 'A cycle’s state changed. Data: metric, from, to; actor null when time alone changed it.' },
    SLA_RETARGETED: { description: 'A running cycle got a new target after a severity change. Data: metric, targetSeconds, clock, dueAt.' },
    UPDATE_REQUESTED: { description: 'The customer asked for an update. Data: noteId, notified.' },
    SEVERITY_CHANGE_REQUESTED: { description: 'The customer asked for another severity. Data: requestId, from, to.' },
    SEVERITY_CHANGE_DECIDED: { description: 'Support decided a severity request. Data: requestId, status, to.' },
    ESCALATION_RAISED: { description: 'Escalated to support management. Data: escalationId, notified.' },
    ESCALATION_ACKNOWLEDGED: { description: 'A manager took the escalation. Data: escalationId, ownerId.' },
    ESCALATION_RESOLVED: { description: 'Management resolved the escalation. Data: escalationId.' },
  },
});

/** The audit trail: one row for every change to a ticket. Nothing changes without one. */
@Entity({ tableName: 'ticket_event' })
@Index({ name: 'ticket_event_ticket_at_index', properties: ['ticket', 'at'] })
@Index({ name: 'ticket_event_log_index', properties: ['logXid', 'logPosition'] })
@ObjectType({ implements: Node, description: 'One change to a ticket, with who made it and when.' })
export class TicketEvent implements Node {
  [OptionalProps]?: 'nodeId' | 'logXid' | 'logPosition';

  @PrimaryKey({ type: 'uuid' })
  /** Time-ordered, so that rows of the same instant keep their creation order (see uuid7). */
  id: string = uuid7();

  get nodeId(): string {
    return toGlobalId('TicketEvent', this.id);
  }

  @ManyToOne(() => Ticket, { ref: true, deleteRule: 'cascade', index: false })
  ticket!: Ref<Ticket>;

  @Enum({ items: () => TicketEventType })
  @Field(() => TicketEventType, { description: 'What changed.' })
  type!: TicketEventType;

  /** Null for changes the system makes on its own (e.g. time-driven SLA transitions). */
  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'restrict' })
  actor?: Ref<User> | null;

  @Property({ type: 'datetime' })
  @Field({ description: 'When it changed.' })
  at!: Date;

  @Property({ type: 'json' })
  @Field(() => GraphQLJSONObject, { description: 'The details of the change; the keys depend on `type`.' })
  data!: Record<string, unknown>;

  /** Staff-only events (about internal notes) are hidden from customers. */
  @Property({ type: 'boolean' })
  internal: boolean = false;

  /**
   * Its place in the live log (events/live-log.ts): the id of the transaction that wrote it (the database's
   * default), then the order of insertion. Written by the database; lazy, so nothing reads it by the way.
   */
  @Property({ type: 'string', columnType: 'xid8', defaultRaw: 'pg_current_xact_id()', lazy: true })
  logXid?: string;

  @Property({ type: 'bigint', autoincrement: true, lazy: true })
  logPosition?: string;
}
