import { Authorized, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { requireViewer } from '../auth/rules';
import { Context } from '../context';
import { Organization } from '../organizations/organization.entity';
import { User } from './user.entity';

@Resolver(() => User)
export class UserResolver {
  @Authorized()
  @Query(() => User, { description: 'The signed-in user, as provisioned from the token.' })
  async me(@Ctx() ctx: Context): Promise<User> {
    const viewer = requireViewer(ctx.viewer);
    return (await ctx.loaders.load(User, viewer.userId))!;
  }

  @FieldResolver(() => Organization, { nullable: true, description: 'The customer’s organization; null for staff.' })
  organization(@Root() user: User, @Ctx() ctx: Context): Promise<Organization | null> | null {
    return user.organization ? ctx.loaders.load(Organization, user.organization.id) : null;
  }
}
