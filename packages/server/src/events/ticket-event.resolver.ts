import { GraphQLJSONObject } from 'graphql-scalars';
import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { viewerIsStaff } from '../auth/rules';
import { Context } from '../context';
import { Ticket } from '../tickets/ticket.entity';
import { User } from '../users/user.entity';
import { TicketEvent } from './ticket-event.entity';

@Resolver(() => TicketEvent)
export class TicketEventResolver {
  @FieldResolver(() => User, { nullable: true, description: 'Who made the change; null when the system did (e.g. time passing).' })
  actor(@Root() event: TicketEvent, @Ctx() ctx: Context): Promise<User | null> | null {
    return event.actor ? ctx.loaders.load(User, event.actor.id) : null;
  }

  /** Who was notified (the vendor's escalation and queue addresses among them) is for staff to see. */
  @FieldResolver(() => GraphQLJSONObject, { description: 'The details of the change; the keys depend on `type`.' })
  data(@Root() event: TicketEvent, @Ctx() ctx: Context): Record<string, unknown> {
    if ((ctx.viewer && viewerIsStaff(ctx.viewer)) || !('notified' in event.data)) return event.data;
    const { notified: _notified, ...visible } = event.data;
    return visible;
  }

  @FieldResolver(() => Ticket, { description: 'The ticket that changed.' })
  async ticket(@Root() event: TicketEvent, @Ctx() ctx: Context): Promise<Ticket> {
    return (await ctx.loaders.load(Ticket, event.ticket.id))!;
  }
}
