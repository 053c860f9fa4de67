import { Field, ID, InputType, registerEnumType } from 'type-graphql';
import { payloadType } from '../common/payload';
import { SlaState } from '../sla-cycles/sla-enums';
import { Environment, Severity } from '../policy/enums';
import { TicketCategory, TicketStatus } from './ticket-enums';
import { Ticket } from './ticket.entity';

export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 10_000;
export const IDEMPOTENCY_KEY_MAX = 100;
export const SEARCH_MAX = 200;
export const REASON_MAX = 5_000;

@InputType({ description: 'A new ticket. Enhancement requests are not tickets: they are redirected to the community forum.' })
export class TicketCreateInput {
  @Field({ description: `One-line summary (at most ${TITLE_MAX} characters).` })
  title!: string;

  @Field({ description: `What happened and what it affects (at most ${DESCRIPTION_MAX} characters).` })
  description!: string;

  @Field(() => Severity, { description: 'Severity; SEV1 and SEV2 are for PRODUCTION only.' })
  severity!: Severity;

  @Field(() => Environment, { description: 'The environment affected.' })
  environment!: Environment;

  @Field(() => TicketCategory, { description: 'INCIDENT or QUESTION; ENHANCEMENT is answered with the community forum’s URL.' })
  category!: TicketCategory;

  @Field(() => ID, {
    nullable: true,
    description: 'An existing ticket this one relates to, e.g. a new P1 outage related to an older ticket.',
  })
  relatedTicketId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: `A client-chosen key (at most ${IDEMPOTENCY_KEY_MAX} characters): retrying with the same key returns the first ticket instead of a duplicate.`,
  })
  idempotencyKey?: string | null;

  @Field(() => ID, {
    nullable: true,
    description: 'Staff only: the organization the ticket is filed for. Customers always file for their own.',
  })
  organizationId?: string | null;
}

@InputType({ description: 'A status change.' })
export class TicketUpdateStatusInput {
  @Field(() => ID, { description: 'The ticket.' })
  ticketId!: string;

  @Field(() => TicketStatus, { description: 'The new status. Customers may only close their tickets.' })
  status!: TicketStatus;
}

@InputType({ description: 'An assignment.' })
export class TicketAssignInput {
  @Field(() => ID, { description: 'The ticket.' })
  ticketId!: string;

  @Field(() => ID, { nullable: true, description: 'The engineer or manager to assign; null to unassign.' })
  assigneeId?: string | null;
}

@InputType({ description: 'Which tickets to list; all conditions must hold.' })
export class TicketFilter {
  @Field(() => [TicketStatus], { nullable: true, description: 'Any of these statuses.' })
  status?: TicketStatus[] | null;

  @Field(() => [Severity], { nullable: true, description: 'Any of these severities.' })
  severity?: Severity[] | null;

  @Field(() => ID, { nullable: true, description: 'Tickets of this organization.' })
  organizationId?: string | null;

  @Field(() => [SlaState], { nullable: true, description: 'Tickets whose current response cycle is in any of these SLA states.' })
  slaState?: SlaState[] | null;

  @Field(() => ID, { nullable: true, description: 'Tickets assigned to this user.' })
  assigneeId?: string | null;

  @Field(() => String, { nullable: true, description: `Words in the title or description, or a ticket number such as RS-1001 (at most ${SEARCH_MAX} characters).` })
  search?: string | null;
}

export enum TicketOrderField {
  CREATED_AT = 'CREATED_AT',
  UPDATED_AT = 'UPDATED_AT',
  SEVERITY = 'SEVERITY',
  SLA_DUE_AT = 'SLA_DUE_AT',
}

export enum OrderDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}

registerEnumType(TicketOrderField, {
  name: 'TicketOrderField',
  description: 'What tickets can be ordered by. Ties are broken by ticket number.',
  valuesConfig: {
    CREATED_AT: { description: 'When filed.' },
    UPDATED_AT: { description: 'When last changed.' },
    SEVERITY: { description: 'Severity, SEV1 first when ascending.' },
    SLA_DUE_AT: { description: 'When the running response cycle is due, soonest first when ascending; tickets without one last.' },
  },
});

registerEnumType(OrderDirection, {
  name: 'OrderDirection',
  description: 'Sort direction.',
  valuesConfig: { ASC: { description: 'Smallest first.' }, DESC: { description: 'Largest first.' } },
});

@InputType({ description: 'How to order tickets.' })
export class TicketOrder {
  @Field(() => TicketOrderField, { description: 'The field to order by.' })
  field!: TicketOrderField;

  @Field(() => OrderDirection, { description: 'The direction.' })
  direction!: OrderDirection;
}

export const TicketCreatePayload = payloadType('TicketCreatePayload', 'ticket', Ticket, 'The result of `ticketCreate`.');
export type TicketCreatePayload = InstanceType<typeof TicketCreatePayload>;

export const TicketUpdateStatusPayload = payloadType(
  'TicketUpdateStatusPayload',
  'ticket',
  Ticket,
  'The result of `ticketUpdateStatus`.',
);
export type TicketUpdateStatusPayload = InstanceType<typeof TicketUpdateStatusPayload>;

export const TicketAssignPayload = payloadType('TicketAssignPayload', 'ticket', Ticket, 'The result of `ticketAssign`.');
export type TicketAssignPayload = InstanceType<typeof TicketAssignPayload>;

@InputType({ description: 'A direct severity change by support staff.' })
export class TicketChangeSeverityInput {
  @Field(() => ID, { description: 'The ticket.' })
  ticketId!: string;

  @Field(() => Severity, { description: 'The new severity (SEV1/SEV2 need a PRODUCTION ticket).' })
  severity!: Severity;

  @Field({ description: `Why (required, at most ${REASON_MAX} characters); recorded in the timeline.` })
  reason!: string;
}

@InputType({ description: 'A customer’s request for an update on a ticket.' })
export class TicketRequestUpdateInput {
  @Field(() => ID, { description: 'The ticket.' })
  ticketId!: string;

  @Field({ description: `What you would like to know (at most ${DESCRIPTION_MAX} characters).` })
  body!: string;
}

export const TicketChangeSeverityPayload = payloadType(
  'TicketChangeSeverityPayload',
  'ticket',
  Ticket,
  'The result of `ticketChangeSeverity`.',
);
export type TicketChangeSeverityPayload = InstanceType<typeof TicketChangeSeverityPayload>;

export const TicketRequestUpdatePayload = payloadType(
  'TicketRequestUpdatePayload',
  'ticket',
  Ticket,
  'The result of `ticketRequestUpdate`.',
);
export type TicketRequestUpdatePayload = InstanceType<typeof TicketRequestUpdatePayload>;
