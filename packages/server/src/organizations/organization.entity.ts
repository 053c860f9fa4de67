import { Entity, Enum, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Field, ObjectType } from 'type-graphql';
import { toGlobalId } from '../common/global-id';
import { Node } from '../common/node';
import { Region, Severity, SlaClock } from '../policy/enums';
import { formatTargetDuration } from '../sla/target-duration';
import { TargetOverride } from '../sla/targets';
import { BusinessCalendar, SeverityTarget } from './calendar';

@Entity({ tableName: 'organization' })
@ObjectType({ implements: Node, description: 'A customer organization: its people file tickets, served on its calendar.' })
export class Organization implements Node {
  [OptionalProps]?: 'nodeId' | 'version' | 'policy' | 'ownTargets';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  get nodeId(): string {
    return toGlobalId('Organization', this.id);
  }

  @Property({ type: 'string', length: 50, unique: true })
  @Field({ description: 'Short unique name, as in tokens’ `org` claim (e.g. `acme`).' })
  slug!: string;

  @Property({ type: 'string', length: 200 })
  @Field({ description: 'Display name.' })
  name!: string;

  @Enum({ items: () => Region })
  @Field(() => Region, { description: 'Region served from: picks the phone line and default time zone.' })
  region!: Region;

  @Property({ type: 'string', length: 254 })
  @Field({ description: 'The vendor’s account manager for this organization, notified of escalations.' })
  accountManagerEmail!: string;

  @Property({ type: 'json' })
  @Field(() => BusinessCalendar, { description: 'Business hours, time zone and holidays: the clock for SEV2–4.' })
  calendar!: BusinessCalendar;

  /** Contract-specific targets, in whole seconds as the policy's levels (column `policy`). */
  @Property({ type: 'json', fieldName: 'policy' })
  ownTargets: TargetOverride[] = [];

  @Field(() => [SeverityTarget], { description: 'Contract-specific targets replacing the default policy’s; empty for none.' })
  get policy(): SeverityTarget[] {
    return this.ownTargets.map(({ severity, targetSeconds, clock }) => ({
      severity: severity as Severity,
      targetResponse: formatTargetDuration(targetSeconds),
      clock: clock as SlaClock,
    }));
  }

  @Property({ type: 'datetime' })
  @Field({ description: 'When the organization was created.' })
  createdAt!: Date;

  @Property({ type: 'datetime' })
  @Field({ description: 'When the organization was last changed.' })
  updatedAt!: Date;

  @Property({ version: true, type: 'integer' })
  version!: number;
}
