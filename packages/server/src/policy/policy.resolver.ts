import { Ctx, Query, Resolver } from 'type-graphql';
import { Context } from '../context';
import { SeverityLevel } from './severity-level.entity';
import { SupportLine } from './support-line.entity';

/** The published policy: readable without signing in. */
@Resolver()
export class PolicyResolver {
  @Query(() => [SeverityLevel], { description: 'The severity levels of the support policy with their targets. No sign-in needed.' })
  severityLevels(@Ctx() ctx: Context): Promise<SeverityLevel[]> {
    return ctx.em.find(SeverityLevel, {}, { orderBy: { severity: 'asc' } });
  }

  @Query(() => [SupportLine], {
    description: 'The support phone lines. Call only about a ticket already filed in the portal. No sign-in needed.',
  })
  supportLines(@Ctx() ctx: Context): Promise<SupportLine[]> {
    return ctx.em.find(SupportLine, {}, { orderBy: { region: 'asc' } });
  }
}
