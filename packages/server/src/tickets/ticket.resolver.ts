import { FilterQuery } from '@mikro-orm/core';
import { Arg, Args, Authorized, Ctx, Field, FieldResolver, ID, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { requireViewer, viewerIsStaff } from '../auth/rules';
import { childPage } from '../common/child-page';
import { Connection, PageArgs } from '../common/connection';
import { badUserInput, notFound } from '../common/errors';
import { filterIdOf } from '../common/global-id';
import { inTransaction } from '../common/mutation';
import { Context } from '../context';
import { TicketEvent } from '../events/ticket-event.entity';
import { Note } from '../notes/note.entity';
import { Organization } from '../organizations/organization.entity';
import { primeTicketSla } from '../sla-cycles/sla.resolver';
import { Role, User } from '../users/user.entity';
import { canSeeTicket, ticketScope } from './ticket-access';
import { findTickets, ticketNumber } from './ticket-queries';
import { Ticket } from './ticket.entity';
import {
  TicketAssignInput,
  TicketAssignPayload,
  TicketChangeSeverityInput,
  TicketChangeSeverityPayload,
  TicketCreateInput,
  TicketCreatePayload,
  TicketFilter,
  TicketOrder,
  TicketRequestUpdateInput,
  TicketRequestUpdatePayload,
  TicketUpdateStatusInput,
  TicketUpdateStatusPayload,
} from './ticket.inputs';
import {
  assignTicket,
  changeTicketSeverity,
  createTicket,
  IdempotentReplay,
  replayTicketCreate,
  requestUpdate,
  updateTicketStatus,
} from './ticket.service';
import { SupportLine } from '../policy/support-line.entity';
import { Region } from '../policy/enums';

@ObjectType({ description: 'Phone escalation for a ticket already filed: which line to call and what to quote.' })
export class PhoneEscalation {
  @Field(() => SupportLine, { nullable: true, description: 'The support line of the organization’s region.' })
  line!: SupportLine | null;

  @Field({ description: 'The ticket number to quote on the call.' })
  ticketNumber!: string;

  @Field({ description: 'What to do, in words.' })
  instructions!: string;
}

@ObjectType({ description: 'A page of tickets.' })
export class TicketConnection extends Connection(Ticket) {}

@ObjectType({ description: 'A page of notes, oldest first.' })
export class NoteConnection extends Connection(Note) {}

@ObjectType({ description: 'A page of a ticket’s audit trail, oldest first.' })
export class TicketEventConnection extends Connection(TicketEvent) {}

@Resolver(() => Ticket)
export class TicketResolver {
  @Authorized()
  @Query(() => Ticket, {
    nullable: true,
    description: 'One ticket by global id or by number (`RS-1001`); give exactly one. NOT_FOUND when it does not exist or is not yours to see.',
  })
  async ticket(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { nullable: true, description: 'The ticket’s global id.' }) id?: string | null,
    @Arg('number', () => String, { nullable: true, description: 'The ticket number, e.g. `RS-1001`.' }) number?: string | null,
  ): Promise<Ticket> {
    const viewer = requireViewer(ctx.viewer);
    if ((id ? 1 : 0) + (number ? 1 : 0) !== 1) throw badUserInput('Give either `id` or `number` of the ticket, not both or neither.');
    const where: FilterQuery<Ticket> = id ? { id: filterIdOf(id, 'Ticket') } : { number: ticketNumber(number!) ?? -1 };
    const ticket = await ctx.em.findOne(Ticket, { $and: [where, ticketScope(viewer)] });
    if (!ticket) throw notFound('ticket');
    return ticket;
  }

  @Authorized()
  @Query(() => TicketConnection, { description: 'Tickets you can see, filtered and ordered; newest first by default.' })
  async tickets(
    @Args() { first, after }: PageArgs,
    @Ctx() ctx: Context,
    @Arg('filter', () => TicketFilter, { nullable: true, description: 'Which tickets.' }) filter?: TicketFilter | null,
    @Arg('orderBy', () => TicketOrder, { nullable: true, description: 'Order; default CREATED_AT DESC.' }) orderBy?: TicketOrder | null,
  ): Promise<TicketConnection> {
    const page = await findTickets(ctx.em, requireViewer(ctx.viewer), { filter, orderBy, page: { first, after } });
    return new TicketConnection(page);
  }

  @Authorized()
  @Mutation(() => TicketCreatePayload, {
    description:
      'Files a ticket. SEV1/SEV2 only for PRODUCTION; ENHANCEMENT is redirected to the community forum; an `idempotencyKey` makes retries safe.',
  })
  async ticketCreate(
    @Arg('input', () => TicketCreateInput, { description: 'The ticket.' }) input: TicketCreateInput,
    @Ctx() ctx: Context,
  ): Promise<TicketCreatePayload> {
    try {
      const { value, userErrors } = await inTransaction(ctx, (change) => createTicket(change, input));
      // The payload's `sla` is what was just written: nothing to read back.
      if (value) primeTicketSla(ctx.loaders, value.ticket, [value.firstCycle], value.organization);
      return { ticket: value?.ticket ?? null, userErrors };
    } catch (error) {
      if (!(error instanceof IdempotentReplay)) throw error;
      // The key was used before, perhaps by a concurrent submit that won the insert: answer as a retry.
      const { value, userErrors } = await inTransaction({ ...ctx, em: ctx.em.fork() }, (change) => replayTicketCreate(change, input));
      return { ticket: value, userErrors };
    }
  }

  @Authorized()
  @Mutation(() => TicketUpdateStatusPayload, {
    description: 'Changes a ticket’s status. Staff move tickets through the lifecycle; customers may close theirs.',
  })
  async ticketUpdateStatus(
    @Arg('input', () => TicketUpdateStatusInput, { description: 'The change.' }) input: TicketUpdateStatusInput,
    @Ctx() ctx: Context,
  ): Promise<TicketUpdateStatusPayload> {
    const { value, userErrors } = await inTransaction(ctx, (change) => updateTicketStatus(change, input));
    return { ticket: value, userErrors };
  }

  @Authorized(Role.ENGINEER, Role.MANAGER, Role.ADMIN)
  @Mutation(() => TicketAssignPayload, { description: 'Assigns a ticket to an engineer or manager, or unassigns it (staff).' })
  async ticketAssign(
    @Arg('input', () => TicketAssignInput, { description: 'The assignment.' }) input: TicketAssignInput,
    @Ctx() ctx: Context,
  ): Promise<TicketAssignPayload> {
    const { value, userErrors } = await inTransaction(ctx, (change) => assignTicket(change, input));
    return { ticket: value, userErrors };
  }

  @Authorized(Role.ENGINEER, Role.MANAGER, Role.ADMIN)
  @Mutation(() => TicketChangeSeverityPayload, {
    description: 'Changes a ticket’s severity directly (staff), with a reason; running SLA cycles take the new target.',
  })
  async ticketChangeSeverity(
    @Arg('input', () => TicketChangeSeverityInput, { description: 'The change.' }) input: TicketChangeSeverityInput,
    @Ctx() ctx: Context,
  ): Promise<TicketChangeSeverityPayload> {
    const { value, userErrors } = await inTransaction(ctx, (change) => changeTicketSeverity(change, input));
    return { ticket: value, userErrors };
  }

  @Authorized()
  @Mutation(() => TicketRequestUpdatePayload, {
    description:
      'Asks support for an update (customers): a note of kind UPDATE_REQUEST that starts a next-response cycle and notifies the assignee (or the queue).',
  })
  async ticketRequestUpdate(
    @Arg('input', () => TicketRequestUpdateInput, { description: 'The request.' }) input: TicketRequestUpdateInput,
    @Ctx() ctx: Context,
  ): Promise<TicketRequestUpdatePayload> {
    const { value, userErrors } = await inTransaction(ctx, (change) => requestUpdate(change, input));
    return { ticket: value, userErrors };
  }

  @FieldResolver(() => [Ticket], { description: 'Later tickets that name this one as their related ticket (e.g. a new P1).' })
  linkedTickets(@Root() ticket: Ticket, @Ctx() ctx: Context): Promise<Ticket[]> {
    return ctx.loaders.children(Ticket, 'relatedTicket', ticket.id, { number: 'asc' });
  }

  @FieldResolver(() => PhoneEscalation, {
    description: 'How to call support about this ticket: the line of the organization’s region and the number to quote.',
  })
  async phoneEscalation(@Root() ticket: Ticket, @Ctx() ctx: Context): Promise<PhoneEscalation> {
    const organization = (await ctx.loaders.load(Organization, ticket.organization.id))!;
    const lines = await ctx.loaders
      .keyed<string, SupportLine | null>('supportLines', async (regions) => {
        const rows = await ctx.em.find(SupportLine, { region: { $in: [...regions] as Region[] } });
        return regions.map((region) => rows.find((row) => row.region === region) ?? null);
      })
      .load(organization.region);
    return {
      line: lines,
      ticketNumber: ticket.displayNumber,
      instructions: lines
        ? `Call ${lines.number} (${lines.country}), listen to the current message, and quote ticket ${ticket.displayNumber}.`
        : `No phone line is published for ${organization.region}; add a note to ${ticket.displayNumber} instead.`,
    };
  }

  @FieldResolver(() => Organization, { description: 'The customer organization the ticket belongs to.' })
  async organization(@Root() ticket: Ticket, @Ctx() ctx: Context): Promise<Organization> {
    return (await ctx.loaders.load(Organization, ticket.organization.id))!;
  }

  @FieldResolver(() => User, { description: 'Who filed the ticket.' })
  async requester(@Root() ticket: Ticket, @Ctx() ctx: Context): Promise<User> {
    return (await ctx.loaders.load(User, ticket.requester.id))!;
  }

  @FieldResolver(() => User, { nullable: true, description: 'The engineer or manager working on it; null while unassigned.' })
  assignee(@Root() ticket: Ticket, @Ctx() ctx: Context): Promise<User | null> | null {
    return ticket.assignee ? ctx.loaders.load(User, ticket.assignee.id) : null;
  }

  @FieldResolver(() => Ticket, { nullable: true, description: 'The earlier ticket this one relates to, if any.' })
  async relatedTicket(@Root() ticket: Ticket, @Ctx() ctx: Context): Promise<Ticket | null> {
    if (!ticket.relatedTicket) return null;
    const related = await ctx.loaders.load(Ticket, ticket.relatedTicket.id);
    return related && canSeeTicket(requireViewer(ctx.viewer), related) ? related : null;
  }

  @FieldResolver(() => NoteConnection, { description: 'The ticket’s notes, oldest first. Customers see public notes only.' })
  async notes(@Root() ticket: Ticket, @Args() page: PageArgs, @Ctx() ctx: Context): Promise<NoteConnection> {
    const publicOnly = !viewerIsStaff(requireViewer(ctx.viewer));
    return new NoteConnection(await childPage(ctx, NOTE_CHILDREN, ticket.id, publicOnly, page));
  }

  @FieldResolver(() => TicketEventConnection, {
    description: 'The audit trail: every change to the ticket, oldest first. Customers do not see events about internal notes.',
  })
  async timeline(@Root() ticket: Ticket, @Args() page: PageArgs, @Ctx() ctx: Context): Promise<TicketEventConnection> {
    const publicOnly = !viewerIsStaff(requireViewer(ctx.viewer));
    return new TicketEventConnection(await childPage(ctx, EVENT_CHILDREN, ticket.id, publicOnly, page));
  }
}

const NOTE_CHILDREN = {
  name: 'notes',
  entity: Note,
  table: 'note',
  parentColumn: 'ticket_id',
  orderColumn: 'created_at',
  orderProperty: 'createdAt' as const,
  publicCondition: `visibility = 'PUBLIC'`,
};

const EVENT_CHILDREN = {
  name: 'timeline',
  entity: TicketEvent,
  table: 'ticket_event',
  parentColumn: 'ticket_id',
  orderColumn: 'at',
  orderProperty: 'at' as const,
  publicCondition: 'internal = false',
};
