import { GraphQLJSONObject } from 'graphql-scalars';
import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { viewerIsStaff } from '../auth/rules';
import { Context } from '../context';
import { Ticket } from '../tickets/ticket.entity';
import { User } from '../users/user.entity';
import { encodeCursor, heardCursor, LogRowPosition, positionOf } from './live-log';
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

  @FieldResolver(() => String, {
    description:
      'Where this event sits in the live log: pass it as `after` to `ticketEvents` to hear every change after it, ' +
      'e.g. after reading the timeline (kept 24 hours).',
  })
  async cursor(@Root() event: TicketEvent, @Ctx() ctx: Context): Promise<string> {
    const heard = heardCursor(event);
    if (heard) return heard;
    // Rows read for the API carry their place (`select *`); an entity loaded for a write does not (lazy columns).
    const row = event.logXid && event.logPosition ? { xid: event.logXid, seq: event.logPosition } : await eventPositions(ctx).load(event.id);
    return encodeCursor(positionOf(row), ctx.clock());
  }

  @FieldResolver(() => Ticket, { description: 'The ticket that changed.' })
  async ticket(@Root() event: TicketEvent, @Ctx() ctx: Context): Promise<Ticket> {
    return (await ctx.loaders.load(Ticket, event.ticket.id))!;
  }
}

function eventPositions(ctx: Context) {
  return ctx.loaders.keyed<string, LogRowPosition>('ticketEventPosition', async (ids) => {
    const rows: (LogRowPosition & { id: string })[] = await ctx.em.execute(
      'select id, log_xid::text as xid, log_position::text as seq from ticket_event where id in (?)',
      [ids],
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id)!);
  });
}
