import { FilterQuery } from '@mikro-orm/core';
import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, ObjectType, Query, Resolver, Root, Subscription } from 'type-graphql';
import { requireRole, requireViewer, viewerIsStaff } from '../auth/rules';
import { Connection, keysetPage, PageArgs, SortKey } from '../common/connection';
import { filterIdOf } from '../common/global-id';
import { inTransaction } from '../common/mutation';
import { Context } from '../context';
import { EscalationMessage } from '../realtime/pubsub';
import { renewRequestScope } from '../common/request-scope';
import { hear, ResumableArgs } from '../common/subscriptions';
import { encodeCursor, heardCursor, heardWith, LogRowPosition, positionOf } from '../events/live-log';
import { TicketEventType } from '../events/ticket-event.entity';
import { Ticket } from '../tickets/ticket.entity';
import { Role, STAFF_ROLES, User } from '../users/user.entity';
import { Escalation } from './escalation.entity';
import {
  EscalationAcknowledgeInput,
  EscalationAcknowledgePayload,
  EscalationCreateInput,
  EscalationCreatePayload,
  EscalationFilter,
  EscalationResolveInput,
  EscalationResolvePayload,
} from './escalation.inputs';
import { acknowledgeEscalation, createEscalation, resolveEscalation } from './escalation.service';

@ObjectType({ description: 'A page of escalations, newest first.' })
export class EscalationConnection extends Connection(Escalation) {}

@Resolver(() => Escalation)
export class EscalationResolver {
  @Authorized()
  @Query(() => EscalationConnection, { description: 'Escalations, newest first: all for staff, their own tickets’ for customers.' })
  async escalations(
    @Args() { first, after }: PageArgs,
    @Ctx() ctx: Context,
    @Arg('filter', () => EscalationFilter, { nullable: true, description: 'Which escalations.' }) filter?: EscalationFilter | null,
  ): Promise<EscalationConnection> {
    const viewer = requireViewer(ctx.viewer);
    const conditions: FilterQuery<Escalation>[] = [viewerIsStaff(viewer) ? {} : { organizationId: viewer.organizationId! }];
    if (filter?.status?.length) conditions.push({ status: { $in: filter.status } });
    if (filter?.organizationId) conditions.push({ organizationId: filterIdOf(filter.organizationId, 'Organization') });
    if (filter?.ticketId) conditions.push({ ticket: filterIdOf(filter.ticketId, 'Ticket') });
    const newestFirst: SortKey<Escalation>[] = [
      { property: 'createdAt', kind: 'date', direction: 'desc' },
      { property: 'id', kind: 'uuid', direction: 'desc' },
    ];
    return new EscalationConnection(await keysetPage(ctx.em, Escalation, { $and: conditions }, newestFirst, { first, after }));
  }

  @Authorized()
  @Mutation(() => EscalationCreatePayload, {
    description:
      'Escalates a ticket to support management with the reason and the business impact. Only after an update request or a severity change request (ESCALATION_PRECONDITION), one open escalation per ticket. Notifies the account manager and the escalations address.',
  })
  async escalationCreate(
    @Arg('input', () => EscalationCreateInput, { description: 'The escalation.' }) input: EscalationCreateInput,
    @Ctx() ctx: Context,
  ): Promise<EscalationCreatePayload> {
    const { value, userErrors } = await inTransaction(ctx, (change) => createEscalation(change, input));
    return { escalation: value, userErrors };
  }

  @Authorized(Role.MANAGER)
  @Mutation(() => EscalationAcknowledgePayload, { description: 'A manager takes an escalation (or hands it to another manager).' })
  async escalationAcknowledge(
    @Arg('input', () => EscalationAcknowledgeInput, { description: 'Which escalation, and its owner.' }) input: EscalationAcknowledgeInput,
    @Ctx() ctx: Context,
  ): Promise<EscalationAcknowledgePayload> {
    const { value, userErrors } = await inTransaction(ctx, (change) => acknowledgeEscalation(change, input));
    return { escalation: value, userErrors };
  }

  @Authorized(Role.MANAGER)
  @Mutation(() => EscalationResolvePayload, { description: 'Management resolves an escalation, saying how.' })
  async escalationResolve(
    @Arg('input', () => EscalationResolveInput, { description: 'Which escalation, and the resolution.' }) input: EscalationResolveInput,
    @Ctx() ctx: Context,
  ): Promise<EscalationResolvePayload> {
    const { value, userErrors } = await inTransaction(ctx, (change) => resolveEscalation(change, input));
    return { escalation: value, userErrors };
  }

  @Subscription(() => Escalation, {
    description: 'Every escalation raised, acknowledged or resolved (staff).',
    subscribe: hear<ResumableArgs>()('ESCALATION', (_args, ctx) => {
      requireRole(ctx.viewer, STAFF_ROLES, 'subscribe to escalationChanged');
      return () => true;
    }),
  })
  async escalationChanged(@Root() message: EscalationMessage, @Args() _args: ResumableArgs, @Ctx() ctx: Context): Promise<Escalation> {
    renewRequestScope(ctx, message);
    // The escalation as it is now, with the cursor of the change heard (its latest may be later still).
    return heardWith((await ctx.loaders.load(Escalation, message.escalationId))!, message.cursor);
  }

  @FieldResolver(() => String, {
    description:
      'Where the escalation’s latest change sits in the live log (in `escalationChanged`: the change delivered). Pass it ' +
      'as `after` to `escalationChanged` to hear every change after it (kept 24 hours).',
  })
  async cursor(@Root() escalation: Escalation, @Ctx() ctx: Context): Promise<string> {
    return heardCursor(escalation) ?? encodeCursor(positionOf(await latestChanges(ctx).load(escalation)), ctx.clock());
  }

  @FieldResolver(() => Ticket, { description: 'The escalated ticket.' })
  async ticket(@Root() escalation: Escalation, @Ctx() ctx: Context): Promise<Ticket> {
    return (await ctx.loaders.load(Ticket, escalation.ticket.id))!;
  }

  @FieldResolver(() => User, { description: 'Who raised it.' })
  async raisedBy(@Root() escalation: Escalation, @Ctx() ctx: Context): Promise<User> {
    return (await ctx.loaders.load(User, escalation.raisedBy.id))!;
  }

  @FieldResolver(() => User, { nullable: true, description: 'The manager who owns it; null until acknowledged.' })
  owner(@Root() escalation: Escalation, @Ctx() ctx: Context): Promise<User | null> | null {
    return escalation.owner ? ctx.loaders.load(User, escalation.owner.id) : null;
  }
}

@Resolver(() => Ticket)
export class TicketEscalationsResolver {
  @FieldResolver(() => [Escalation], { description: 'Escalations of this ticket to support management, oldest first.' })
  escalations(@Root() ticket: Ticket, @Ctx() ctx: Context): Promise<Escalation[]> {
    return ctx.loaders.children(Escalation, 'ticket', ticket.id, { createdAt: 'asc', id: 'asc' });
  }
}

/** The place in the live log of each escalation's latest change: the ESCALATION_* events of its ticket. */
function latestChanges(ctx: Context) {
  return ctx.loaders.keyed<Escalation, LogRowPosition>(
    'escalationLatestChange',
    async (escalations) => {
      const rows: (LogRowPosition & { escalation_id: string })[] = await ctx.em.execute(
        `select distinct on (data->>'escalationId') data->>'escalationId' as escalation_id, log_xid::text as xid, log_position::text as seq
         from ticket_event
         where ticket_id in (?) and type in (?) and data->>'escalationId' in (?)
         order by data->>'escalationId', log_xid desc, log_position desc`,
        [
          [...new Set(escalations.map((escalation) => escalation.ticket.id))],
          [TicketEventType.ESCALATION_RAISED, TicketEventType.ESCALATION_ACKNOWLEDGED, TicketEventType.ESCALATION_RESOLVED],
          escalations.map((escalation) => escalation.nodeId),
        ],
      );
      const byId = new Map(rows.map((row) => [row.escalation_id, row]));
      return escalations.map((escalation) => byId.get(escalation.nodeId)!);
    },
    (escalation) => escalation.id,
  );
}
