import { Arg, Args, Authorized, Ctx, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { requireViewer, viewerIsStaff } from '../auth/rules';
import { Connection, keysetPage, PageArgs, SortKey } from '../common/connection';
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
    const scope = viewerIsStaff(viewer) ? {} : { id: viewer.organizationId! };
    const bySlug: SortKey<Organization>[] = [{ property: 'slug', kind: 'text', direction: 'asc' }];
    return new OrganizationConnection(await keysetPage(ctx.em, Organization, scope, bySlug, { first, after }));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => OrganizationCreatePayload, { description: 'Creates a customer organization (admins).' })
  async organizationCreate(
    @Arg('input', () => OrganizationCreateInput, { description: 'The organization.' }) input: OrganizationCreateInput,
    @Ctx() ctx: Context,
  ): Promise<OrganizationCreatePayload> {
    const { value, userErrors } = await inTransaction(ctx, (change) => createOrganization(change, input));
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
    const { value, userErrors } = await inTransaction(ctx, (change) => updateOrganization(change, input));
    return { organization: value, userErrors };
  }
}
