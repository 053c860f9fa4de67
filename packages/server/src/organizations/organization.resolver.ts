import { Arg, Args, Authorized, Ctx, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { requireViewer, viewerIsStaff } from '../auth/rules';
import { Connection, decodeCursor, encodeCursor, PageArgs, pageOf, pageSize } from '../common/connection';
import { inTransaction } from '../common/mutation';
import { Context } from '../context';
import { Role } from '../users/user.entity';
import { Organization } from './organization.entity';
import {
  OrganizationCreateInput,
  OrganizationCreatePayload,
  OrganizationUpdateInput,
  OrganizationUpdatePayload,
} from './organization.inputs';
import { createOrganization, updateOrganization } from './organization.service';

@ObjectType({ description: 'A page of organizations, by slug.' })
export class OrganizationConnection extends Connection(Organization) {}

@Resolver(() => Organization)
export class OrganizationResolver {
  @Authorized()
  @Query(() => OrganizationConnection, { description: 'Customer organizations by slug; a customer sees only its own.' })
  async organizations(@Args() { first, after }: PageArgs, @Ctx() ctx: Context): Promise<OrganizationConnection> {
    const viewer = requireViewer(ctx.viewer);
    const limit = pageSize(first);
    const scope = viewerIsStaff(viewer) ? {} : { id: viewer.organizationId! };
    const where = after ? { ...scope, slug: { $gt: decodeCursor(after, 1, ([slug]) => typeof slug === 'string')[0] as string } } : scope;
    const rows = await ctx.em.find(Organization, where, { orderBy: { slug: 'asc' }, limit: limit + 1 });
    return new OrganizationConnection(
      pageOf(rows, limit, after, (organization) => encodeCursor([organization.slug]), () => ctx.em.count(Organization, scope)),
    );
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => OrganizationCreatePayload, { description: 'Creates a customer organization (admins).' })
  async organizationCreate(
    @Arg('input', () => OrganizationCreateInput, { description: 'The organization.' }) input: OrganizationCreateInput,
    @Ctx() ctx: Context,
  ): Promise<OrganizationCreatePayload> {
    const { value, userErrors } = await inTransaction(ctx, (em) => createOrganization(em, input, ctx.clock()));
    return { organization: value, userErrors };
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => OrganizationUpdatePayload, {
    description: 'Changes an organization’s details, calendar or targets (admins); running SLA cycles are recomputed with them.',
  })
  async organizationUpdate(
    @Arg('input', () => OrganizationUpdateInput, { description: 'The changes.' }) input: OrganizationUpdateInput,
    @Ctx() ctx: Context,
  ): Promise<OrganizationUpdatePayload> {
    const viewer = requireViewer(ctx.viewer);
    const { value, userErrors } = await inTransaction(ctx, (em) => updateOrganization(em, input, ctx.clock(), viewer.userId));
    return { organization: value, userErrors };
  }
}
