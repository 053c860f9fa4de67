// The policy as data an admin can change (SPEC: severities, targets, phone lines and the escalations address),
// seeded from the vendor's policy. Changed targets apply to running SLA cycles, as organization overrides do.
import { EntityManager } from '@mikro-orm/postgresql';
import { Field, InputType, ObjectType } from 'type-graphql';
import { InputCheck } from '../common/input-check';
import { Change, stepOf } from '../common/mutation';
import { payloadType } from '../common/payload';
import { refuse, UserErrorCode } from '../common/user-error';
import { retargetRunningCycles } from '../sla-cycles/sla-tracker';
import { BusinessCalendar } from '../organizations/calendar';
import { defaultCalendar } from '../organizations/calendar-check';
import { Organization } from '../organizations/organization.entity';
import { businessHours, parseTargetDuration, reachableBusinessSeconds, TARGET_HORIZON_DAYS } from '../sla/target-duration';
import { Environment, Region, Severity, SlaClock } from './enums';
import { PolicySetting, PolicySettingKey } from './policy-setting.entity';
import { SeverityLevel } from './severity-level.entity';
import { SupportLine } from './support-line.entity';

/** The configuration's addresses, in force where an admin has set none. */
export interface PolicyDefaults {
  escalationsEmail: string;
  supportQueueEmail: string;
}

@ObjectType({ description: 'The addresses the policy notifies.' })
export class PolicySettings {
  @Field({ description: 'Support management’s escalations address, told of every escalation.' })
  escalationsEmail!: string;

  @Field({ description: 'The engineers’ queue, told of update requests on unassigned tickets.' })
  supportQueueEmail!: string;
}

/** The addresses in force: what an admin set, else the configuration's. */
export async function policySettings(em: EntityManager, defaults: PolicyDefaults): Promise<PolicySettings> {
  const rows = await em.find(PolicySetting, {});
  const value = (key: PolicySettingKey) => rows.find((row) => row.key === key)?.value;
  return {
    escalationsEmail: value(PolicySettingKey.ESCALATIONS_EMAIL) ?? defaults.escalationsEmail,
    supportQueueEmail: value(PolicySettingKey.SUPPORT_QUEUE_EMAIL) ?? defaults.supportQueueEmail,
  };
}

@InputType({ description: 'New policy addresses; omitted ones stay as they are.' })
export class PolicySettingsUpdateInput {
  @Field(() => String, { nullable: true, description: 'Support management’s escalations address.' })
  escalationsEmail?: string | null;

  @Field(() => String, { nullable: true, description: 'The engineers’ queue address.' })
  supportQueueEmail?: string | null;
}

@InputType({ description: 'Changes to a severity level of the policy; omitted fields stay as they are.' })
export class SeverityLevelUpdateInput {
  @Field(() => Severity, { description: 'The severity to change.' })
  severity!: Severity;

  @Field(() => String, { nullable: true, description: 'Business impact in a word or two (at most 100 characters).' })
  businessImpact?: string | null;

  @Field(() => String, { nullable: true, description: 'When this severity applies (at most 5000 characters).' })
  description?: string | null;

  @Field(() => [Environment], { nullable: true, description: 'The environments it may be filed for (at least one).' })
  allowedEnvironments?: Environment[] | null;

  @Field(() => String, { nullable: true, description: 'Target first response, an ISO-8601 duration such as `PT2H`.' })
  targetResponse?: string | null;

  @Field(() => SlaClock, { nullable: true, description: 'Calendar time or business hours.' })
  clock?: SlaClock | null;
}

@InputType({ description: 'Changes to a support phone line; omitted fields stay as they are.' })
export class SupportLineUpdateInput {
  @Field(() => Region, { description: 'The region of the line.' })
  region!: Region;

  @Field(() => String, { nullable: true, description: 'The country, in words (at most 100 characters).' })
  country?: string | null;

  @Field(() => String, { nullable: true, description: 'The number to dial (at most 50 characters).' })
  number?: string | null;
}

export const PolicySettingsUpdatePayload = payloadType('PolicySettingsUpdatePayload', 'settings', PolicySettings, 'The result of `policySettingsUpdate`.');
export type PolicySettingsUpdatePayload = InstanceType<typeof PolicySettingsUpdatePayload>;
export const SeverityLevelUpdatePayload = payloadType('SeverityLevelUpdatePayload', 'severityLevel', SeverityLevel, 'The result of `severityLevelUpdate`.');
export type SeverityLevelUpdatePayload = InstanceType<typeof SeverityLevelUpdatePayload>;
export const SupportLineUpdatePayload = payloadType('SupportLineUpdatePayload', 'supportLine', SupportLine, 'The result of `supportLineUpdate`.');
export type SupportLineUpdatePayload = InstanceType<typeof SupportLineUpdatePayload>;

export async function updatePolicySettings(change: Change, input: PolicySettingsUpdateInput): Promise<PolicySettings> {
  const { em, now } = change;
  const check = new InputCheck();
  const changes: [PolicySettingKey, string | null][] = [
    [PolicySettingKey.ESCALATIONS_EMAIL, input.escalationsEmail == null ? null : check.email('escalationsEmail', input.escalationsEmail)],
    [PolicySettingKey.SUPPORT_QUEUE_EMAIL, input.supportQueueEmail == null ? null : check.email('supportQueueEmail', input.supportQueueEmail)],
  ];
  check.orThrow();
  for (const [key, value] of changes) {
    if (value !== null) await em.upsert(PolicySetting, { key, value, updatedAt: now });
  }
  return policySettings(em, change.config);
}

export async function updateSeverityLevel(change: Change, input: SeverityLevelUpdateInput): Promise<SeverityLevel> {
  const { em } = change;
  const level = await em.findOneOrFail(SeverityLevel, { severity: input.severity });
  const check = new InputCheck();
  if (input.businessImpact != null) level.businessImpact = check.text('businessImpact', input.businessImpact, 100) ?? level.businessImpact;
  if (input.description != null) level.description = check.text('description', input.description, 5000) ?? level.description;
  if (input.allowedEnvironments != null) {
    if (!input.allowedEnvironments.length) check.add(UserErrorCode.REQUIRED, 'allowedEnvironments', 'Allow at least one environment.');
    else level.allowedEnvironments = [...new Set(input.allowedEnvironments)];
  }
  const retarget = input.targetResponse != null || (input.clock != null && input.clock !== level.clock);
  if (input.targetResponse != null) {
    const target = parseTargetDuration(input.targetResponse);
    if ('error' in target) check.add(UserErrorCode.INVALID, 'targetResponse', target.error);
    else level.targetSeconds = target.seconds;
  }
  if (input.clock != null) level.clock = input.clock;
  check.orThrow();
  if (retarget && level.clock === SlaClock.BUSINESS_HOURS) {
    await checkReachableEverywhere(change, check, level, input.targetResponse != null ? 'targetResponse' : 'clock');
    check.orThrow();
  }
  if (retarget) {
    // Running cycles of tickets of that severity take the new target, unless their organization has its own;
    // the level's new target must be what SlaTracker reads.
    await em.flush();
    await retargetRunningCycles(stepOf(change), { severity: input.severity });
  }
  await em.flush();
  return level;
}

/**
 * A business-hours target of the policy must be reachable within TARGET_HORIZON_DAYS on every calendar it applies
 * to: the regions' default calendars (for new organizations) and those of organizations without their own target.
 */
async function checkReachableEverywhere({ em, now }: Change, check: InputCheck, level: SeverityLevel, field: string): Promise<void> {
  const organizations = await em.find(Organization, {});
  const calendars: [string, BusinessCalendar][] = [
    ...Object.values(Region).map((region): [string, BusinessCalendar] => [`the default ${region} calendar`, defaultCalendar(region)]),
    ...organizations
      .filter((organization) => !organization.ownTargets.some((target) => target.severity === level.severity))
      .map((organization): [string, BusinessCalendar] => [`${organization.slug}’s calendar`, organization.calendar]),
  ];
  const unreachable = calendars
    .map(([name, calendar]) => ({ name, reachable: reachableBusinessSeconds(calendar, now) }))
    .filter(({ reachable }) => level.targetSeconds > reachable);
  if (unreachable.length === 0) return;
  const least = Math.min(...unreachable.map(({ reachable }) => reachable));
  check.add(
    UserErrorCode.INVALID,
    field,
    `A ${level.severity} target of ${businessHours(level.targetSeconds)} cannot be met within ${TARGET_HORIZON_DAYS} days on ` +
      `${unreachable.slice(0, 3).map(({ name }) => name).join(', ')}${unreachable.length > 3 ? ` and ${unreachable.length - 3} more` : ''} ` +
      `(as little as ${businessHours(least)} in ${TARGET_HORIZON_DAYS} days); choose a shorter target or calendar time.`,
  );
}

export async function updateSupportLine({ em }: Change, input: SupportLineUpdateInput): Promise<SupportLine> {
  const line = await em.findOne(SupportLine, { region: input.region });
  if (!line) refuse(UserErrorCode.NOT_FOUND, 'region', `No support line for ${input.region}.`);
  const check = new InputCheck();
  if (input.country != null) line.country = check.text('country', input.country, 100) ?? line.country;
  if (input.number != null) {
    const number = check.text('number', input.number, 50);
    if (number && !/^\+?[\d\s().-]{5,}$/.test(number)) check.add(UserErrorCode.INVALID, 'number', 'A phone number has digits, spaces, +, -, ( and ) only.');
    else if (number) line.number = number;
  }
  check.orThrow();
  await em.flush();
  return line;
}
