import { Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Ref } from '@mikro-orm/core';
import { uuid7 } from '../common/uuid7';
import { SlaClock } from '../policy/enums';
import { Ticket } from '../tickets/ticket.entity';
import { SlaMetric, SlaState } from './sla-enums';

export interface StoredPause {
  from: string;
  to: string | null;
}

/**
 * One response cycle of a ticket (SPEC §3). The facts (start, target, pauses, stop) are what the SLA engine
 * computes from; due, at-risk, state and the next time-driven transition are stored for queries and the timer.
 */
@Entity({ tableName: 'sla_cycle' })
@Index({ name: 'sla_cycle_ticket_index', properties: ['ticket', 'startedAt'] })
export class SlaCycle {
  [OptionalProps]?: 'pauses' | 'stoppedAt' | 'respondedAt' | 'dueAt' | 'atRiskAt' | 'nextTransitionAt';

  @PrimaryKey({ type: 'uuid' })
  /** Time-ordered: cycles started at the same instant keep their order. */
  id: string = uuid7();

  @ManyToOne(() => Ticket, { ref: true, deleteRule: 'cascade', index: false })
  ticket!: Ref<Ticket>;

  @Enum({ items: () => SlaMetric })
  metric!: SlaMetric;

  @Property({ type: 'datetime' })
  startedAt!: Date;

  /** Whole seconds of the target's clock (src/sla/target-duration.ts). */
  @Property({ type: 'integer' })
  targetSeconds!: number;

  @Enum({ items: () => SlaClock })
  clock!: SlaClock;

  @Property({ type: 'json' })
  pauses: StoredPause[] = [];

  @Property({ type: 'datetime', nullable: true })
  stoppedAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  respondedAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  dueAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  atRiskAt?: Date | null;

  /** The state last recorded (and published). */
  @Enum({ items: () => SlaState })
  state!: SlaState;

  /** When time alone will next change the state; what the SLA timer claims. Null when nothing is pending. */
  @Property({ type: 'datetime', nullable: true, index: 'sla_cycle_next_transition_at_index' })
  nextTransitionAt?: Date | null;
}
