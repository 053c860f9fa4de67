import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, ObjectType, Query, Resolver, Root, Subscription } from 'type-graphql';
import { canSeeOrganization, requireViewer, viewerIsStaff } from '../auth/rules';
import { badUserInput, notFound } from '../common/errors';
import { idOf } from '../common/global-id';
import { Loaders } from '../common/loaders';
import { Context } from '../context';
import { Organization } from '../organizations/organization.entity';
import { Environment, Severity } from '../policy/enums';
import { SeverityLevel, slaTarget } from '../policy/severity-level.entity';
import { SlaStatusMessage } from '../realtime/pubsub';
import { renewRequestScope } from '../common/request-scope';
import { hear, ResumableArgs } from '../common/subscriptions';
import { previewCycle } from '../sla/cycle';
import { TicketStatus } from '../tickets/ticket-enums';
import { Ticket } from '../tickets/ticket.entity';
import { SlaMetric, SlaState } from './sla-enums';
import { SlaCycle } from './sla-cycle.entity';
import { calendarOf, targetOf } from './sla-tracker';
import { SlaPreview, SlaStatus, slaStatus, SlaSummary } from './sla.types';

@ObjectType({ description: 'A change of a ticket’s SLA state, as pushed to dashboards.' })
export class SlaStatusChange {
  @Field(() => Ticket, { description: 'The ticket.' })
  ticket!: Ticket;

  @Field(() => SlaMetric, { description: 'Which cycle changed.' })
  metric!: SlaMetric;

  @Field(() => SlaState, { nullable: true, description: 'The state before; null when the cycle just started.' })
  previousState!: SlaState | null;

  @Field(() => SlaState, { description: 'The state now.' })
  state!: SlaState;

  @Field(() => SlaStatus, { description: 'The ticket’s SLA as it stands.' })
  sla!: SlaStatus;

  @Field({ description: 'When the change happened (for time-driven changes: the moment of the transition).' })
  at!: Date;

  @Field({ description: 'Where this event sits in the live log: pass it as `after` to resume from it (kept 24 hours).' })
  cursor!: string;
}

const CYCLE_ORDER = { startedAt: 'asc', id: 'asc' } as const;

async function ticketSla(ctx: Context, ticket: Ticket): Promise<SlaStatus> {
  const cycles = await ctx.loaders.children(SlaCycle, 'ticket', ticket.id, CYCLE_ORDER);
  const organization = (await ctx.loaders.load(Organization, ticket.organization.id))!;
  if (!cycles.length) throw new Error(`Ticket ${ticket.displayNumber} has no SLA cycle`);
  return slaStatus(cycles, calendarOf(organization), ctx.clock());
}

/** What `Ticket.sla` reads, for a ticket whose cycles (all of them) and organization the request holds: a new one. */
export function primeTicketSla(loaders: Loaders, ticket: Ticket, cycles: SlaCycle[], organization: Organization): void {
  loaders.primeChildren(SlaCycle, 'ticket', ticket.id, CYCLE_ORDER, cycles);
  loaders.prime(Organization, organization);
}

/** The organization a customer may ask about (its own), or any for staff; NOT_FOUND otherwise. */
async function organizationFor(ctx: Context, globalId: string | null | undefined, required: boolean): Promise<Organization | null> {
  const viewer = requireViewer(ctx.viewer);
  const id = globalId ? idOf(globalId, 'Organization') : viewer.organizationId;
  if (!id) {
    if (globalId || required) throw notFound('organization');
    return null;
  }
  if (!canSeeOrganization(viewer, id)) throw notFound('organization');
  const organization = await ctx.loaders.load(Organization, id);
  if (!organization) throw notFound('organization');
  return organization;
}

@ArgsType()
class SlaStatusChangedArgs extends ResumableArgs {
  @Field(() => ID, { nullable: true, description: 'Only this organization’s tickets.' })
  organizationId?: string | null;

  @Field(() => [Severity], { nullable: true, description: 'Only tickets of these severities.' })
  severities?: Severity[] | null;
}

@Resolver(() => Ticket)
export class TicketSlaResolver {
  @FieldResolver(() => SlaStatus, { description: 'The ticket’s SLA: the current response cycle and its history.' })
  sla(@Root() ticket: Ticket, @Ctx() ctx: Context): Promise<SlaStatus> {
    return ticketSla(ctx, ticket);
  }
}

@Resolver()
export class SlaResolver {
  @Authorized()
  @Query(() => SlaPreview, { description: 'The target, start and due time a ticket filed at `at` would get.' })
  async slaPreview(
    @Arg('severity', () => Severity, { description: 'The severity.' }) severity: Severity,
    @Arg('environment', () => Environment, { description: 'The environment; SEV1/SEV2 need PRODUCTION.' }) environment: Environment,
    @Ctx() ctx: Context,
    @Arg('organizationId', () => ID, { nullable: true, description: 'The organization (customers: their own, the default).' })
    organizationId?: string | null,
    @Arg('at', () => Date, { nullable: true, description: 'When the ticket would be filed; default now.' }) at?: Date | null,
  ): Promise<SlaPreview> {
    const organization = (await organizationFor(ctx, organizationId, true))!;
    const level = await ctx.em.findOneOrFail(SeverityLevel, { severity });
    if (!level.allowedEnvironments.includes(environment)) {
      throw badUserInput(`${severity} tickets are for ${level.allowedEnvironments.join(' or ')} only.`, 'environment');
    }
    const target = await targetOf(ctx.em, organization, severity);
    const preview = previewCycle(calendarOf(organization), target, (at ?? ctx.clock()).getTime());
    return {
      target: slaTarget(target.seconds, target.clock),
      startsAt: new Date(preview.startsAt),
      dueAt: new Date(preview.dueAt),
      atRiskAt: new Date(preview.atRiskAt),
    };
  }

  @Authorized()
  @Query(() => SlaSummary, {
    description: 'Open tickets by SLA state and severity: of one organization, or (staff, no argument) of all.',
  })
  async slaSummary(
    @Ctx() ctx: Context,
    @Arg('organizationId', () => ID, { nullable: true, description: 'The organization; customers always get their own.' })
    organizationId?: string | null,
  ): Promise<SlaSummary> {
    const organization = await organizationFor(ctx, organizationId, false);
    const rows: { severity: Severity; sla_state: SlaState; count: string }[] = await ctx.em.execute(
      `select severity, sla_state, count(*) as count from ticket
       where status not in (?, ?) and sla_state is not null ${organization ? 'and organization_id = ?' : ''}
       group by severity, sla_state`,
      [TicketStatus.RESOLVED, TicketStatus.CLOSED, ...(organization ? [organization.id] : [])],
    );
    const count = (severity: Severity | null, state: SlaState) =>
      rows.filter((row) => row.sla_state === state && (severity === null || row.severity === severity)).reduce((sum, row) => sum + Number(row.count), 0);
    const states = Object.values(SlaState);
    return {
      total: rows.reduce((sum, row) => sum + Number(row.count), 0),
      byState: states.map((state) => ({ state, count: count(null, state) })),
      bySeverityAndState: Object.values(Severity).flatMap((severity) => states.map((state) => ({ severity, state, count: count(severity, state) }))),
    };
  }

  @Subscription(() => SlaStatusChange, {
    description:
      'Every SLA state change, including those caused by time alone (AT_RISK, BREACHED), within a second. Customers get their own organization’s only.',
    subscribe: hear<SlaStatusChangedArgs>()('SLA_STATUS', (args, ctx) => {
      const viewer = requireViewer(ctx.viewer);
      const organizationId = args.organizationId ? idOf(args.organizationId, 'Organization') : null;
      const severities = args.severities ?? null;
      return (message) =>
        (viewerIsStaff(viewer) || message.organizationId === viewer.organizationId) &&
        (!args.organizationId || message.organizationId === organizationId) &&
        (!severities?.length || severities.includes(message.severity as Severity));
    }),
  })
  async slaStatusChanged(@Root() message: SlaStatusMessage, @Args() _args: SlaStatusChangedArgs, @Ctx() ctx: Context): Promise<SlaStatusChange> {
    renewRequestScope(ctx, message);
    const ticket = (await ctx.loaders.load(Ticket, message.ticketId))!;
    return {
      ticket,
      metric: message.metric,
      previousState: message.previousState,
      state: message.state,
      sla: await ticketSla(ctx, ticket),
      at: new Date(message.at),
      cursor: message.cursor,
    };
  }
}
