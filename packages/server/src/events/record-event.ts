import { EntityManager } from '@mikro-orm/postgresql';
import { Ticket } from '../tickets/ticket.entity';
import { TicketEvent, TicketEventType } from './ticket-event.entity';

/** Appends to a ticket's audit trail, in the caller's transaction. */
export function recordEvent(
  em: EntityManager,
  ticket: Ticket,
  type: TicketEventType,
  actorId: string | null,
  at: Date,
  data: Record<string, unknown>,
  internal = false,
): TicketEvent {
  return em.create(TicketEvent, { ticket, type, actor: actorId, at, data, internal });
}
