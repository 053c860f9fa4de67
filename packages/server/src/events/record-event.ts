import { EntityManager } from '@mikro-orm/postgresql';
import { publishAfterCommit } from '../realtime/after-commit';
import { Ticket } from '../tickets/ticket.entity';
import { TicketEvent, TicketEventType } from './ticket-event.entity';

export interface EventRecord {
  type: TicketEventType;
  /** Who did it; null for what time alone does (the SLA timer). */
  actorId: string | null;
  at: Date;
  data: Record<string, unknown>;
  /** Staff-only: customers neither see it in the timeline nor hear of it. */
  internal?: boolean;
}

/**
 * Appends to a ticket's audit trail, in the caller's transaction. The trail is the live log: once committed, every
 * instance reads the event from it and delivers it to the subscriptions that hear it (events/live-log.ts).
 */
export function recordEvent(em: EntityManager, ticket: Ticket, { type, actorId, at, data, internal = false }: EventRecord): TicketEvent {
  const event = em.create(TicketEvent, { ticket, type, actor: actorId, at, data, internal });
  publishAfterCommit(em, { topic: 'LOG', payload: {} });
  return event;
}
