// The business calendar and contract-specific targets an organization carries (SPEC §2, §4).
import { Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { Severity, SlaClock } from '../policy/enums';

export enum Weekday {
  MONDAY = 'MONDAY',
  TUESDAY = 'TUESDAY',
  WEDNESDAY = 'WEDNESDAY',
  THURSDAY = 'THURSDAY',
  FRIDAY = 'FRIDAY',
  SATURDAY = 'SATURDAY',
  SUNDAY = 'SUNDAY',
}

registerEnumType(Weekday, {
  name: 'Weekday',
  description: 'A day of the week, in the calendar’s time zone.',
  valuesConfig: Object.fromEntries(
    Object.values(Weekday).map((day) => [day, { description: day.charAt(0) + day.slice(1).toLowerCase() }]),
  ),
});

@ObjectType({ description: 'One interval of business hours on a weekday, in the calendar’s time zone.' })
@InputType('BusinessHoursInput', { description: 'One interval of business hours on a weekday.' })
export class BusinessHours {
  @Field(() => Weekday, { description: 'The weekday the interval is on.' })
  day!: Weekday;

  @Field({ description: 'Start, `HH:MM` (24-hour clock).' })
  start!: string;

  @Field({ description: 'End, `HH:MM`, after the start; `24:00` means midnight at the end of the day.' })
  end!: string;
}

@ObjectType({ description: 'When an organization’s business hours run: the clock for SEV2–4 targets.' })
export class BusinessCalendar {
  @Field({ description: 'IANA time zone, e.g. `America/New_York`.' })
  timezone!: string;

  @Field(() => [BusinessHours], { description: 'The weekly hours; a day may have several intervals, or none.' })
  weeklyHours!: BusinessHours[];

  @Field(() => [String], { description: 'Holiday dates (`YYYY-MM-DD`, in the calendar’s time zone) with no business hours.' })
  holidays!: string[];
}

@InputType({ description: 'A business calendar: time zone, weekly hours and holidays.' })
export class BusinessCalendarInput {
  @Field({ description: 'IANA time zone, e.g. `America/New_York`.' })
  timezone!: string;

  @Field(() => [BusinessHours], { description: 'The weekly hours; several intervals a day are allowed, `24:00` as an end.' })
  weeklyHours!: BusinessHours[];

  @Field(() => [String], { nullable: true, description: 'Holiday dates, `YYYY-MM-DD` in the calendar’s time zone.' })
  holidays?: string[] | null;
}

@ObjectType({ description: 'A contract-specific target that replaces the default policy’s for one severity.' })
@InputType('SeverityTargetInput', { description: 'A contract-specific target for one severity.' })
export class SeverityTarget {
  @Field(() => Severity, { description: 'The severity this target applies to.' })
  severity!: Severity;

  @Field({
    description:
      'Target first response as an ISO-8601 duration in days, hours, minutes or whole seconds, e.g. `PT2H`; read back in its ' +
      'shortest form (`PT90M` reads `PT1H30M`).',
  })
  targetResponse!: string;

  @Field(() => SlaClock, { description: 'Whether the target counts calendar time or business hours.' })
  clock!: SlaClock;
}
