import { ArrayType, Entity, Enum, PrimaryKey, Property } from '@mikro-orm/core';
import { Duration } from 'luxon';
import { Field, Float, Int, ObjectType } from 'type-graphql';
import { formatTargetDuration } from '../sla/target-duration';
import { Environment, Severity, SlaClock } from './enums';

@ObjectType({ description: 'A target response time and how it is counted.' })
export class SlaTarget {
  @Field(() => Float, { description: 'The target in minutes (of business hours when `clock` is BUSINESS_HOURS).' })
  minutes!: number;

  @Field(() => Int, { description: 'The target in seconds.' })
  seconds!: number;

  @Field(() => SlaClock, { description: 'Calendar time or business hours.' })
  clock!: SlaClock;

  @Field({ description: 'The target in words, e.g. `1 hour` or `4 business hours`.' })
  label!: string;
}

/** A target in words: `1 hour`, `4 business hours`, `1 hour 30 minutes`, `20 seconds`. */
export function slaTarget(seconds: number, clock: SlaClock): SlaTarget {
  const duration = Duration.fromObject({ seconds }).shiftTo('hours', 'minutes', 'seconds');
  const units: [number, string][] = [
    [duration.hours, clock === SlaClock.BUSINESS_HOURS ? 'business hour' : 'hour'],
    [duration.minutes, 'minute'],
    [duration.seconds, 'second'],
  ];
  const parts = units.filter(([count]) => count > 0).map(([count, unit]) => `${count} ${unit}${count === 1 ? '' : 's'}`);
  return { minutes: seconds / 60, seconds, clock, label: parts.join(' ') || '0 seconds' };
}

/** One row of the policy's severity table; seeded from the vendor's policy, changeable by an admin. */
@Entity({ tableName: 'severity_level' })
@ObjectType({ description: 'A severity of the support policy: its business impact, where it applies, and its target.' })
export class SeverityLevel {
  @PrimaryKey({ type: 'string', length: 10 })
  @Field(() => Severity, { description: 'The severity.' })
  severity!: Severity;

  @Property({ type: 'string', length: 100 })
  @Field({ description: 'The business impact in a word or two, e.g. `Critical`.' })
  businessImpact!: string;

  @Property({ type: 'text' })
  @Field({ description: 'When this severity applies, in the policy’s words.' })
  description!: string;

  @Property({ type: ArrayType })
  @Field(() => [Environment], { description: 'The environments a ticket of this severity may be filed for.' })
  allowedEnvironments!: Environment[];

  /** Whole seconds of the target's clock, as in sla_cycle (src/sla/target-duration.ts). */
  @Property({ type: 'integer' })
  targetSeconds!: number;

  @Enum({ items: () => SlaClock })
  clock!: SlaClock;

  @Field(() => SlaTarget, { description: 'Target first response.' })
  get target(): SlaTarget {
    return slaTarget(this.targetSeconds, this.clock);
  }

  @Field({ description: 'Target first response as an ISO-8601 duration in its shortest form, e.g. `PT1H` or `PT1H30M`.' })
  get targetResponse(): string {
    return formatTargetDuration(this.targetSeconds);
  }
}
