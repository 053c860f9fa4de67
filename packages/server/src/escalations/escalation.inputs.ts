import { Field, ID, InputType } from 'type-graphql';
import { payloadType } from '../common/payload';
import { Escalation, EscalationStatus } from './escalation.entity';

export const TEXT_MAX = 5_000;

@InputType({ description: 'An escalation to support management: the ticket, why, and the business impact.' })
export class EscalationCreateInput {
  @Field(() => ID, { description: 'The ticket (it must already have an update request or a severity change request).' })
  ticketId!: string;

  @Field({ description: `Why elevated attention is needed (required, at most ${TEXT_MAX} characters).` })
  reason!: string;

  @Field({ description: `The business impact you are experiencing (required, at most ${TEXT_MAX} characters).` })
  businessImpact!: string;
}

@InputType({ description: 'A manager takes an escalation, or hands it to another manager.' })
export class EscalationAcknowledgeInput {
  @Field(() => ID, { description: 'The escalation.' })
  escalationId!: string;

  @Field(() => ID, { nullable: true, description: 'The manager who will own it; default you.' })
  ownerId?: string | null;
}

@InputType({ description: 'Management resolves an escalation.' })
export class EscalationResolveInput {
  @Field(() => ID, { description: 'The escalation.' })
  escalationId!: string;

  @Field({ description: `How it was resolved (required, at most ${TEXT_MAX} characters).` })
  resolution!: string;
}

@InputType({ description: 'Which escalations to list.' })
export class EscalationFilter {
  @Field(() => [EscalationStatus], { nullable: true, description: 'Any of these statuses.' })
  status?: EscalationStatus[] | null;

  @Field(() => ID, { nullable: true, description: 'Escalations of this organization’s tickets.' })
  organizationId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Escalations of this ticket.' })
  ticketId?: string | null;
}

export const EscalationCreatePayload = payloadType('EscalationCreatePayload', 'escalation', Escalation, 'The result of `escalationCreate`.');
export type EscalationCreatePayload = InstanceType<typeof EscalationCreatePayload>;

export const EscalationAcknowledgePayload = payloadType(
  'EscalationAcknowledgePayload',
  'escalation',
  Escalation,
  'The result of `escalationAcknowledge`.',
);
export type EscalationAcknowledgePayload = InstanceType<typeof EscalationAcknowledgePayload>;

export const EscalationResolvePayload = payloadType('EscalationResolvePayload', 'escalation', Escalation, 'The result of `escalationResolve`.');
export type EscalationResolvePayload = InstanceType<typeof EscalationResolvePayload>;
