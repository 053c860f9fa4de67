import { ArrayType, Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Ref } from '@mikro-orm/core';
import { uuid7 } from '../common/uuid7';
import { Ticket } from '../tickets/ticket.entity';

export enum NotificationKind {
  ESCALATION_RAISED = 'ESCALATION_RAISED',
  UPDATE_REQUESTED = 'UPDATE_REQUESTED',
  SLA_AT_RISK = 'SLA_AT_RISK',
  SLA_BREACHED = 'SLA_BREACHED',
}

export enum NotificationStatus {
  /** Waiting for (another) delivery attempt. */
  PENDING = 'PENDING',
  /** Handed to the SMTP server. */
  SENT = 'SENT',
  /** No SMTP_URL: kept in the outbox and logged instead of sent. */
  LOGGED = 'LOGGED',
  /** Gave up after the last retry. */
  FAILED = 'FAILED',
}

/** The outbox: a notification is stored with the change that causes it and delivered after commit. */
@Entity({ tableName: 'notification' })
@Index({ name: 'notification_due_index', properties: ['status', 'nextAttemptAt'] })
export class Notification {
  [OptionalProps]?: 'status' | 'attempts' | 'lastError' | 'sentAt' | 'ticket';

  @PrimaryKey({ type: 'uuid' })
  id: string = uuid7();

  @Enum({ items: () => NotificationKind })
  kind!: NotificationKind;

  @Property({ type: ArrayType })
  recipients!: string[];

  @Property({ type: 'string', length: 300 })
  subject!: string;

  @Property({ type: 'text' })
  body!: string;

  @ManyToOne(() => Ticket, { ref: true, nullable: true, deleteRule: 'set null' })
  ticket?: Ref<Ticket> | null;

  @Enum({ items: () => NotificationStatus })
  status: NotificationStatus = NotificationStatus.PENDING;

  @Property({ type: 'integer' })
  attempts: number = 0;

  @Property({ type: 'datetime' })
  nextAttemptAt!: Date;

  @Property({ type: 'text', nullable: true })
  lastError?: string | null;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  sentAt?: Date | null;
}
