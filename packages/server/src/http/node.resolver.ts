// Relay's `node` and `nodes`: any object by global id, as long as the viewer may see it.
import { GraphQLError } from 'graphql';
import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import { canSeeOrganization, requireViewer, viewerIsStaff } from '../auth/rules';
import { Viewer } from '../auth/viewer';
import { Context } from '../context';
import { Escalation } from '../escalations/escalation.entity';
import { TicketEvent } from '../events/ticket-event.entity';
import { SeverityChangeRequest } from '../severity-requests/severity-change-request.entity';
import { Note, NoteVisibility } from '../notes/note.entity';
import { Organization } from '../organizations/organization.entity';
import { canSeeTicket } from '../tickets/ticket-access';
import { Ticket } from '../tickets/ticket.entity';
import { isStaff, User } from '../users/user.entity';
import { MAX_NODES } from '../common/connection';
import { badUserInput, notFound } from '../common/errors';
import { fromGlobalId } from '../common/global-id';
import { Node } from '../common/node';


async function visibleTicket(ctx: Context, viewer: Viewer, ticketId: string): Promise<Ticket | null> {
  const ticket = await ctx.loaders.load(Ticket, ticketId);
  return ticket && canSeeTicket(viewer, ticket) ? ticket : null;
}

/** The object behind a global id, or null when it does not exist or the viewer may not see it. */
async function visibleNode(ctx: Context, viewer: Viewer, globalId: string): Promise<Node | null> {
  const parsed = fromGlobalId(globalId);
  if (!parsed) return null;
  const staff = viewerIsStaff(viewer);
  switch (parsed.type) {
    case 'Ticket':
      return visibleTicket(ctx, viewer, parsed.id);
    case 'Organization':
      return canSeeOrganization(viewer, parsed.id) ? ctx.loaders.load(Organization, parsed.id) : null;
    case 'User': {
      const user = await ctx.loaders.load(User, parsed.id);
      const visible = user && (staff || isStaff(user.role) || user.organization?.id === viewer.organizationId);
      return visible ? user : null;
    }
    case 'Note': {
      const note = await ctx.loaders.load(Note, parsed.id);
      if (!note || (!staff && note.visibility !== NoteVisibility.PUBLIC)) return null;
      return (await visibleTicket(ctx, viewer, note.ticket.id)) ? note : null;
    }
    case 'TicketEvent': {
      const event = await ctx.loaders.load(TicketEvent, parsed.id);
      if (!event || (!staff && event.internal)) return null;
      return (await visibleTicket(ctx, viewer, event.ticket.id)) ? event : null;
    }
    case 'Escalation':
    case 'SeverityChangeRequest': {
      const entity = parsed.type === 'Escalation' ? Escalation : SeverityChangeRequest;
      const found = await ctx.loaders.load<Escalation | SeverityChangeRequest>(entity, parsed.id);
      return found && (await visibleTicket(ctx, viewer, found.ticket.id)) ? found : null;
    }
  }
}

@Resolver()
export class NodeResolver {
  @Authorized()
  @Query(() => Node, { nullable: true, description: 'Any object by its global id. NOT_FOUND when it does not exist or is not yours to see.' })
  async node(@Arg('id', () => ID, { description: 'A global id.' }) id: string, @Ctx() ctx: Context): Promise<Node> {
    const found = await visibleNode(ctx, requireViewer(ctx.viewer), id);
    if (!found) throw notFound('object');
    return found;
  }

  @Authorized()
  @Query(() => [Node], {
    nullable: 'items',
    description: `Objects by global id, in the order asked (at most ${MAX_NODES}); null, with a NOT_FOUND error, for each one not found.`,
  })
  async nodes(@Arg('ids', () => [ID], { description: 'Global ids.' }) ids: string[], @Ctx() ctx: Context): Promise<(Node | GraphQLError)[]> {
    const viewer = requireViewer(ctx.viewer);
    if (ids.length > MAX_NODES) throw badUserInput(`Ask for at most ${MAX_NODES} ids at once.`, 'ids');
    return Promise.all(ids.map(async (id) => (await visibleNode(ctx, viewer, id)) ?? notFound('object')));
  }
}
