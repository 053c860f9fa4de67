import { Field, ID, InputType } from 'type-graphql';
import { payloadType } from '../common/payload';
import { Region } from '../policy/enums';
import { BusinessCalendarInput, SeverityTarget } from './calendar';
import { Organization } from './organization.entity';

@InputType({ description: 'A new customer organization.' })
export class OrganizationCreateInput {
  @Field({ description: 'Unique short name, lowercase letters, digits and dashes (2–50); tokens carry it as `org`. Cannot change later.' })
  slug!: string;

  @Field({ description: 'Display name (at most 200 characters).' })
  name!: string;

  @Field(() => Region, { description: 'Region served from.' })
  region!: Region;

  @Field({ description: 'The vendor’s account manager for the organization.' })
  accountManagerEmail!: string;

  @Field(() => BusinessCalendarInput, {
    nullable: true,
    description: 'Business calendar; default Monday–Friday 09:00–17:00 in the region’s main time zone.',
  })
  calendar?: BusinessCalendarInput | null;

  @Field(() => [SeverityTarget], { nullable: true, description: 'Contract-specific targets replacing the default policy’s.' })
  policy?: SeverityTarget[] | null;
}

@InputType({ description: 'Changes to an organization; omitted fields stay as they are.' })
export class OrganizationUpdateInput {
  @Field(() => ID, { description: 'The organization to change.' })
  organizationId!: string;

  @Field(() => String, { nullable: true, description: 'New display name.' })
  name?: string | null;

  @Field(() => Region, { nullable: true, description: 'New region.' })
  region?: Region | null;

  @Field(() => String, { nullable: true, description: 'New account manager email.' })
  accountManagerEmail?: string | null;

  @Field(() => BusinessCalendarInput, { nullable: true, description: 'The new calendar, replacing the old one whole.' })
  calendar?: BusinessCalendarInput | null;

  @Field(() => [SeverityTarget], { nullable: true, description: 'The new targets, replacing the old ones whole; `[]` for the default policy.' })
  policy?: SeverityTarget[] | null;
}

export const OrganizationCreatePayload = payloadType(
  'OrganizationCreatePayload',
  'organization',
  Organization,
  'The result of `organizationCreate`.',
);
export type OrganizationCreatePayload = InstanceType<typeof OrganizationCreatePayload>;

export const OrganizationUpdatePayload = payloadType(
  'OrganizationUpdatePayload',
  'organization',
  Organization,
  'The result of `organizationUpdate`.',
);
export type OrganizationUpdatePayload = InstanceType<typeof OrganizationUpdatePayload>;
