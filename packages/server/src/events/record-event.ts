import { EntityManager } from '@mikro-orm/postgresql';
import { publishAfterCommit } from '../realtime/after-commit';
import { Ticket } from '../tickets/ticket.entity';
import { TicketEvent, TicketEventType } from './ticket-event.entity';

/** Appends to a ticket's audit trail, in the caller's transaction, and announces it once committed. */
export function recordEvent(
  em: EntityManager,
  ticket: Ticket,
  type: TicketEventType,
  actorId: string | null,
  at: Date,
  data: Record<string, unknown>,
  internal = false,
): TicketEvent {
  const event = em.create(TicketEvent, { ticket, type, actor: actorId, at, data, internal });
  publishAfterCommit(em, {
    topic: 'TICKET_EVENT',
    payload: { eventId: event.id, ticketId: ticket.id, organizationId: ticket.organization.id, internal },
  });
  return event;
}
