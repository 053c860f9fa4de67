import { Field, Int, ObjectType } from 'type-graphql';
import { Severity } from '../policy/enums';
import { SlaTarget, slaTarget } from '../policy/severity-level.entity';
import { CompiledCalendar } from '../sla/business-calendar';
import { clockRunning, cycleState, cycleTimes, pausedTime, remaining } from '../sla/cycle';
import { SlaMetric, SlaState } from './sla-enums';
import { SlaCycle } from './sla-cycle.entity';
import { factsOf } from './sla-tracker';

@ObjectType('SlaCycle', { description: 'One response cycle of a ticket, as it stands now.' })
export class SlaCycleStatus {
  @Field(() => SlaMetric, { description: 'What the cycle measures.' })
  metric!: SlaMetric;

  @Field(() => SlaState, { description: 'Where it stands against its target now.' })
  state!: SlaState;

  @Field(() => SlaTarget, { description: 'The target response time and its clock.' })
  target!: SlaTarget;

  @Field({ description: 'When the cycle started (filing, or an update request).' })
  startedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When the target is reached; null while paused.' })
  dueAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When 75% of the target is reached; null while paused.' })
  atRiskAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When support responded, ending the cycle; null until then.' })
  respondedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the cycle stopped (a response, or the ticket resolved or closed).' })
  stoppedAt!: Date | null;

  @Field(() => Int, {
    nullable: true,
    description:
      'Seconds left on the target’s clock (business seconds for business-hours targets), negative once overdue; null once stopped.',
  })
  remainingSeconds!: number | null;

  @Field(() => Int, { description: 'Wall-clock seconds spent paused (waiting on the customer); they do not count.' })
  pausedSeconds!: number;

  @Field({
    description:
      'Whether the target’s clock counts now: false once stopped, while paused (waiting on the customer), and for ' +
      'business-hours targets outside business hours (nights, weekends, holidays). While true, `remainingSeconds` ' +
      'falls by one each second.',
  })
  running!: boolean;

  @Field(() => Date, {
    nullable: true,
    description:
      'When `running` next changes by time alone, for a live countdown to stop or restart at: for a business-hours ' +
      'target neither stopped nor paused, the end of the current business hours (back-to-back intervals such as ' +
      '09:00–12:00 and 12:00–17:00 count as one) or, outside them, the next opening. Null for CALENDAR targets ' +
      '(round the clock), for business hours that never close, and for stopped or paused cycles, which change only ' +
      'when the ticket does.',
  })
  runningChangesAt!: Date | null;
}

@ObjectType({ description: 'A ticket’s SLA: its current response cycle, and every cycle so far.' })
export class SlaStatus extends SlaCycleStatus {
  @Field(() => [SlaCycleStatus], { description: 'All response cycles of the ticket, oldest first.' })
  cycles!: SlaCycleStatus[];
}

export function cycleStatus(cycle: SlaCycle, calendar: CompiledCalendar, now: Date): SlaCycleStatus {
  const facts = factsOf(cycle);
  const at = now.getTime();
  const times = cycleTimes(calendar, facts);
  const clock = clockRunning(calendar, facts, at);
  return {
    metric: cycle.metric,
    state: cycleState(calendar, facts, at),
    target: slaTarget(cycle.targetSeconds, cycle.clock),
    startedAt: cycle.startedAt,
    dueAt: times.dueAt === null ? null : new Date(times.dueAt),
    atRiskAt: times.atRiskAt === null ? null : new Date(times.atRiskAt),
    respondedAt: cycle.respondedAt ?? null,
    stoppedAt: cycle.stoppedAt ?? null,
    remainingSeconds: cycle.stoppedAt ? null : Math.round(remaining(calendar, facts, at) / 1000),
    pausedSeconds: Math.round(pausedTime(facts, at) / 1000),
    running: clock.running,
    runningChangesAt: clock.changesAt === null ? null : new Date(clock.changesAt),
  };
}

/** The current cycle is the running one, else the latest. */
export function slaStatus(cycles: SlaCycle[], calendar: CompiledCalendar, now: Date): SlaStatus {
  const statuses = cycles.map((cycle) => cycleStatus(cycle, calendar, now));
  const currentIndex = cycles.findIndex((cycle) => !cycle.stoppedAt);
  const current = statuses[currentIndex >= 0 ? currentIndex : statuses.length - 1]!;
  return { ...current, cycles: statuses };
}

@ObjectType({ description: 'What the SLA of a ticket filed now would be.' })
export class SlaPreview {
  @Field(() => SlaTarget, { description: 'The target that would apply.' })
  target!: SlaTarget;

  @Field({ description: 'When the clock would start counting (the next business minute for business-hours targets).' })
  startsAt!: Date;

  @Field({ description: 'When the first response would be due.' })
  dueAt!: Date;

  @Field({ description: 'When the ticket would become AT_RISK.' })
  atRiskAt!: Date;
}

@ObjectType({ description: 'How many open tickets are in one SLA state.' })
export class SlaStateCount {
  @Field(() => SlaState, { description: 'The state.' })
  state!: SlaState;

  @Field(() => Int, { description: 'Open tickets in it.' })
  count!: number;
}

@ObjectType({ description: 'How many open tickets of one severity are in one SLA state.' })
export class SlaSeverityStateCount {
  @Field(() => Severity, { description: 'The severity.' })
  severity!: Severity;

  @Field(() => SlaState, { description: 'The state.' })
  state!: SlaState;

  @Field(() => Int, { description: 'Open tickets of that severity in that state.' })
  count!: number;
}

@ObjectType({ description: 'Counts of open (not resolved or closed) tickets by SLA state and severity.' })
export class SlaSummary {
  @Field(() => Int, { description: 'All open tickets counted.' })
  total!: number;

  @Field(() => [SlaStateCount], { description: 'Per state, every state listed (zero included).' })
  byState!: SlaStateCount[];

  @Field(() => [SlaSeverityStateCount], { description: 'Per severity and state, every pair listed (zero included).' })
  bySeverityAndState!: SlaSeverityStateCount[];
}
