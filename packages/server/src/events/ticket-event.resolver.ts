import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
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

  @FieldResolver(() => Ticket, { description: 'The ticket that changed.' })
  async ticket(@Root() event: TicketEvent, @Ctx() ctx: Context): Promise<Ticket> {
    return (await ctx.loaders.load(Ticket, event.ticket.id))!;
  }
}
