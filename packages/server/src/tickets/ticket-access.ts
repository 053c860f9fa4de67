// Finding tickets as the viewer may see them: another organization's ticket does not exist for a customer.
import { FilterQuery } from '@mikro-orm/core';
import { canSeeOrganization, viewerIsStaff } from '../auth/rules';
import { Viewer } from '../auth/viewer';
import { idOf } from '../common/global-id';
import { Change } from '../common/mutation';
import { refuse, UserErrorCode } from '../common/user-error';
import { Ticket } from './ticket.entity';

/** Restricts a ticket query to what the viewer may see. */
export function ticketScope(viewer: Viewer): FilterQuery<Ticket> {
  return viewerIsStaff(viewer) ? {} : { organization: viewer.organizationId! };
}

export function canSeeTicket(viewer: Viewer, ticket: Ticket): boolean {
  return canSeeOrganization(viewer, ticket.organization.id);
}

/** The ticket a mutation's input names by `ticketId`, as the viewer may see it, or a NOT_FOUND user error on it. */
export async function ticketForMutation({ em, viewer }: Change, input: { ticketId: string }): Promise<Ticket> {
  const id = idOf(input.ticketId, 'Ticket');
  const ticket = id ? await em.findOne(Ticket, { $and: [{ id }, ticketScope(viewer)] }) : null;
  if (!ticket) {
    refuse(UserErrorCode.NOT_FOUND, 'ticketId', 'No ticket with that id exists or you cannot see it.');
  }
  return ticket;
}
