// Live ticket changes over graphql-ws. A customer hears only of its own organization's tickets, whatever it asks.
import { Args, ArgsType, Ctx, Field, ID, ObjectType, Resolver, Root, Subscription } from 'type-graphql';
import { requireViewer, viewerIsStaff } from '../auth/rules';
import { Viewer } from '../auth/viewer';
import { notFound } from '../common/errors';
import { idOf } from '../common/global-id';
import { renewRequestScope } from '../common/request-scope';
import { hear, ResumableArgs } from '../common/subscriptions';
import { Context } from '../context';
import { heardWith } from '../events/live-log';
import { TicketEvent } from '../events/ticket-event.entity';
import { TicketEventMessage, TicketStatusMessage } from '../realtime/pubsub';
import { User } from '../users/user.entity';
import { TicketStatus } from './ticket-enums';
import { canSeeTicket } from './ticket-access';
import { Ticket } from './ticket.entity';

@ObjectType({ description: 'A ticket moved from one status to another.' })
export class TicketStatusChange {
  @Field(() => Ticket, { description: 'The ticket, as it is now.' })
  ticket!: Ticket;

  @Field(() => TicketStatus, { description: 'The status before.' })
  from!: TicketStatus;

  @Field(() => TicketStatus, { description: 'The status after.' })
  to!: TicketStatus;

  @Field({ description: 'When it changed.' })
  at!: Date;

  @Field(() => User, { nullable: true, description: 'Who changed it.' })
  actor!: User | null;

  @Field({ description: 'Where this event sits in the live log: pass it as `after` to resume from it (kept 24 hours).' })
  cursor!: string;
}

@ArgsType()
class TicketStatusChangedArgs extends ResumableArgs {
  @Field(() => ID, { nullable: true, description: 'Only this ticket.' })
  ticketId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only this organization’s tickets.' })
  organizationId?: string | null;
}

@ArgsType()
class TicketEventsArgs extends ResumableArgs {
  @Field(() => ID, { description: 'The ticket.' })
  ticketId!: string;
}

function mayHear(viewer: Viewer, message: { organizationId: string }): boolean {
  return viewerIsStaff(viewer) || message.organizationId === viewer.organizationId;
}

/** The ticket a subscription names, checked at subscribe time: NOT_FOUND unless the viewer may see it. */
async function subscribedTicketId(ctx: Context, globalId: string): Promise<string> {
  const viewer = requireViewer(ctx.viewer);
  const id = idOf(globalId, 'Ticket');
  const ticket = id ? await ctx.em.fork().findOne(Ticket, { id }) : null;
  if (!ticket || !canSeeTicket(viewer, ticket)) throw notFound('ticket');
  return ticket.id;
}

@Resolver()
export class TicketSubscriptionResolver {
  @Subscription(() => TicketStatusChange, {
    description: 'Status changes of one ticket, of one organization’s tickets, or (staff) of all tickets.',
    subscribe: hear<TicketStatusChangedArgs>()('TICKET_STATUS', async (args, ctx) => {
      const viewer = requireViewer(ctx.viewer);
      const ticketId = args.ticketId ? await subscribedTicketId(ctx, args.ticketId) : null;
      const organizationId = args.organizationId ? idOf(args.organizationId, 'Organization') : null;
      return (message) =>
        mayHear(viewer, message) && (!ticketId || message.ticketId === ticketId) && (!args.organizationId || message.organizationId === organizationId);
    }),
  })
  async ticketStatusChanged(@Root() message: TicketStatusMessage, @Args() _args: TicketStatusChangedArgs, @Ctx() ctx: Context): Promise<TicketStatusChange> {
    renewRequestScope(ctx, message);
    return {
      ticket: (await ctx.loaders.load(Ticket, message.ticketId))!,
      from: message.from as TicketStatus,
      to: message.to as TicketStatus,
      at: new Date(message.at),
      actor: message.actorId ? await ctx.loaders.load(User, message.actorId) : null,
      cursor: message.cursor,
    };
  }

  @Subscription(() => TicketEvent, {
    description: 'Every change to one ticket, as it is added to its timeline. Customers do not receive internal ones.',
    subscribe: hear<TicketEventsArgs>()('TICKET_EVENT', async (args, ctx) => {
      const viewer = requireViewer(ctx.viewer);
      const ticketId = await subscribedTicketId(ctx, args.ticketId);
      return (message) => message.ticketId === ticketId && mayHear(viewer, message) && (viewerIsStaff(viewer) || !message.internal);
    }),
  })
  async ticketEvents(@Root() message: TicketEventMessage, @Args() _args: TicketEventsArgs, @Ctx() ctx: Context): Promise<TicketEvent> {
    renewRequestScope(ctx, message);
    return heardWith((await ctx.loaders.load(TicketEvent, message.eventId))!, message.cursor);
  }
}
