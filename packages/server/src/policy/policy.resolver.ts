import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { inTransaction } from '../common/mutation';
import { Context } from '../context';
import { Role, STAFF_ROLES } from '../users/user.entity';
import {
  PolicySettings,
  policySettings,
  PolicySettingsUpdateInput,
  PolicySettingsUpdatePayload,
  SeverityLevelUpdateInput,
  SeverityLevelUpdatePayload,
  SupportLineUpdateInput,
  SupportLineUpdatePayload,
  updatePolicySettings,
  updateSeverityLevel,
  updateSupportLine,
} from './policy-admin';
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

  @Authorized(...STAFF_ROLES)
  @Query(() => PolicySettings, { description: 'The addresses the policy notifies (escalations, engineers’ queue). Staff only.' })
  policySettings(@Ctx() ctx: Context): Promise<PolicySettings> {
    return policySettings(ctx.em, ctx.config);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => PolicySettingsUpdatePayload, { description: 'Changes the addresses the policy notifies (admins).' })
  async policySettingsUpdate(
    @Arg('input', () => PolicySettingsUpdateInput, { description: 'The new addresses.' }) input: PolicySettingsUpdateInput,
    @Ctx() ctx: Context,
  ): Promise<PolicySettingsUpdatePayload> {
    const { value, userErrors } = await inTransaction(ctx, (change) => updatePolicySettings(change, input));
    return { settings: value, userErrors };
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => SeverityLevelUpdatePayload, {
    description: 'Changes a severity level of the policy (admins); a new target applies to running SLA cycles of that severity.',
  })
  async severityLevelUpdate(
    @Arg('input', () => SeverityLevelUpdateInput, { description: 'The changes.' }) input: SeverityLevelUpdateInput,
    @Ctx() ctx: Context,
  ): Promise<SeverityLevelUpdatePayload> {
    const { value, userErrors } = await inTransaction(ctx, (change) => updateSeverityLevel(change, input));
    return { severityLevel: value, userErrors };
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => SupportLineUpdatePayload, { description: 'Changes a support phone line (admins).' })
  async supportLineUpdate(
    @Arg('input', () => SupportLineUpdateInput, { description: 'The changes.' }) input: SupportLineUpdateInput,
    @Ctx() ctx: Context,
  ): Promise<SupportLineUpdatePayload> {
    const { value, userErrors } = await inTransaction(ctx, (change) => updateSupportLine(change, input));
    return { supportLine: value, userErrors };
  }
}
