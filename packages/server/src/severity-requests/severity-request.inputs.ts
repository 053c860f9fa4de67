import { Field, ID, InputType } from 'type-graphql';
import { payloadType } from '../common/payload';
import { Severity } from '../policy/enums';
import { SeverityChangeRequest } from './severity-change-request.entity';

export const REASON_MAX = 5_000;

@InputType({ description: 'A customer’s request for another severity, with the reason.' })
export class SeverityChangeRequestInput {
  @Field(() => ID, { description: 'The ticket.' })
  ticketId!: string;

  @Field(() => Severity, { description: 'The severity wanted. A P1 (SEV1) is filed as a new ticket instead: see NEW_P1_REQUIRED.' })
  to!: Severity;

  @Field({ description: `Why (required, at most ${REASON_MAX} characters).` })
  reason!: string;
}

@InputType({ description: 'Support’s decision on a severity change request.' })
export class SeverityChangeDecideInput {
  @Field(() => ID, { description: 'The request.' })
  requestId!: string;

  @Field({ description: 'True approves (the ticket takes the severity), false rejects.' })
  approve!: boolean;

  @Field(() => String, { nullable: true, description: `A note on the decision for the customer (at most ${REASON_MAX} characters).` })
  note?: string | null;
}

export const SeverityChangeRequestPayload = payloadType(
  'SeverityChangeRequestPayload',
  'request',
  SeverityChangeRequest,
  'The result of `severityChangeRequest`.',
);
export type SeverityChangeRequestPayload = InstanceType<typeof SeverityChangeRequestPayload>;

export const SeverityChangeDecidePayload = payloadType(
  'SeverityChangeDecidePayload',
  'request',
  SeverityChangeRequest,
  'The result of `severityChangeDecide`.',
);
export type SeverityChangeDecidePayload = InstanceType<typeof SeverityChangeDecidePayload>;
