import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { idOf } from '../common/global-id';
import { InputCheck } from '../common/input-check';
import { Change, stepOf } from '../common/mutation';
import { refuse, UserErrorCode } from '../common/user-error';
import { retargetRunningCycles } from '../sla-cycles/sla-tracker';
import { SeverityLevel } from '../policy/severity-level.entity';
import { checkCalendar, checkPolicy, checkTargetsReachable, defaultCalendar, targetsInForce } from './calendar-check';
import { TargetOverride } from '../sla/targets';
import { SeverityTarget } from './calendar';
import { Organization } from './organization.entity';
import { OrganizationCreateInput, OrganizationUpdateInput } from './organization.inputs';

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])$/;

export async function createOrganization(change: Change, input: OrganizationCreateInput): Promise<Organization> {
  const { em, now } = change;
  const check = new InputCheck();
  const slug = check.text('slug', input.slug, 50);
  if (slug && slug.length <= 50 && !SLUG.test(slug)) {
    check.add(UserErrorCode.INVALID, 'slug', 'The slug must be 2–50 lowercase letters, digits or dashes, not starting or ending with a dash.');
  }
  const name = check.text('name', input.name, 200);
  const accountManagerEmail = check.email('accountManagerEmail', input.accountManagerEmail);
  const calendar = input.calendar ? checkCalendar(check, input.calendar) : defaultCalendar(input.region);
  const policy = checkPolicy(check, input.policy ?? []);
  check.orThrow();
  await checkReachable(change, check, calendar, policy, input.policy);
  check.orThrow();

  const organization = em.create(Organization, {
    slug: slug!,
    name: name!,
    region: input.region,
    accountManagerEmail: accountManagerEmail!,
    calendar,
    ownTargets: policy,
    createdAt: now,
    updatedAt: now,
  });
  try {
    await em.flush();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) {
      refuse(UserErrorCode.TAKEN, 'slug', `The slug '${slug}' is taken; choose another.`);
    }
    throw error;
  }
  return organization;
}

export async function updateOrganization(change: Change, input: OrganizationUpdateInput): Promise<Organization> {
  const { em, now } = change;
  const id = idOf(input.organizationId, 'Organization');
  const organization = id ? await em.findOne(Organization, { id }) : null;
  if (!organization) {
    refuse(UserErrorCode.NOT_FOUND, 'organizationId', 'No organization with that id.');
  }
  const check = new InputCheck();
  if (input.name !== undefined && input.name !== null) organization.name = check.text('name', input.name, 200) ?? organization.name;
  if (input.region) organization.region = input.region;
  if (input.accountManagerEmail !== undefined && input.accountManagerEmail !== null) {
    organization.accountManagerEmail = check.email('accountManagerEmail', input.accountManagerEmail) ?? organization.accountManagerEmail;
  }
  if (input.calendar) organization.calendar = checkCalendar(check, input.calendar);
  if (input.policy) organization.ownTargets = checkPolicy(check, input.policy);
  check.orThrow();
  if (input.calendar || input.policy) {
    await checkReachable(change, check, organization.calendar, organization.ownTargets, input.policy, input.calendar ? undefined : ['policy']);
    check.orThrow();
  }
  organization.updatedAt = now;
  // A new calendar or new targets apply to the cycles still running, recomputed from their start (SPEC §3).
  if (input.calendar || input.policy) await retargetRunningCycles(stepOf(change), { organization: organization.id });
  await em.flush();
  return organization;
}

/** Every target in force must be reachable on the calendar: the organization's own (named by their input index) and the policy's. */
async function checkReachable(
  { em, now }: Change,
  check: InputCheck,
  calendar: Organization['calendar'],
  policy: TargetOverride[],
  inputPolicy: SeverityTarget[] | null | undefined,
  calendarField?: string[],
): Promise<void> {
  const levels = await em.find(SeverityLevel, {});
  const fieldOf = (severity: string) => {
    const index = inputPolicy?.findIndex((target) => target.severity === severity) ?? -1;
    return index >= 0 ? ['policy', String(index), 'targetResponse'] : undefined;
  };
  checkTargetsReachable(check, calendar, targetsInForce(policy, levels, fieldOf), now, calendarField);
}
