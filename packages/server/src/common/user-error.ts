// Errors a user can fix, returned in mutation payloads rather than thrown (Shopify's `userErrors`).
import { Field, ObjectType, registerEnumType } from 'type-graphql';

export enum UserErrorCode {
  REQUIRED = 'REQUIRED',
  TOO_LONG = 'TOO_LONG',
  INVALID = 'INVALID',
  NOT_FOUND = 'NOT_FOUND',
  TAKEN = 'TAKEN',
  ENVIRONMENT_NOT_ALLOWED = 'ENVIRONMENT_NOT_ALLOWED',
  ENHANCEMENT_REDIRECT = 'ENHANCEMENT_REDIRECT',
  INVALID_TRANSITION = 'INVALID_TRANSITION',
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  NOT_ALLOWED = 'NOT_ALLOWED',
  NEW_P1_REQUIRED = 'NEW_P1_REQUIRED',
  REQUEST_PENDING = 'REQUEST_PENDING',
  ESCALATION_PRECONDITION = 'ESCALATION_PRECONDITION',
  ESCALATION_ALREADY_OPEN = 'ESCALATION_ALREADY_OPEN',
}

registerEnumType(UserErrorCode, {
  name: 'UserErrorCode',
  description: 'Why a mutation’s input was refused; the message says what to do instead.',
  valuesConfig: {
    REQUIRED: { description: 'A value is required here.' },
    TOO_LONG: { description: 'The value is longer than allowed; the message gives the limit.' },
    INVALID: { description: 'The value is not in the expected form; the message gives the form.' },
    NOT_FOUND: { description: 'The referenced object does not exist or is not visible to you.' },
    TAKEN: { description: 'The value must be unique and is already in use.' },
    ENVIRONMENT_NOT_ALLOWED: { description: 'The severity is not allowed on that environment (SEV1/SEV2 are production only).' },
    ENHANCEMENT_REDIRECT: { description: 'Enhancement requests go to the community forum; the message carries its URL.' },
    INVALID_TRANSITION: { description: 'The ticket cannot move from its current status to the one asked for.' },
    IDEMPOTENCY_KEY_REUSED: { description: 'The idempotency key was already used for a different request.' },
    NOT_ALLOWED: { description: 'Your role may not do this; the message says who may.' },
    NEW_P1_REQUIRED: { description: 'A P1 is filed as a new SEV1 ticket linked to this one (relatedTicketId), not by raising an existing ticket.' },
    REQUEST_PENDING: { description: 'A severity change request is already waiting for a decision on this ticket.' },
    ESCALATION_PRECONDITION: { description: 'Escalate only after requesting an update or a severity change; the message says what to do first.' },
    ESCALATION_ALREADY_OPEN: { description: 'The ticket already has an open escalation.' },
  },
});

@ObjectType({ description: 'A problem with a mutation’s input that the caller can fix.' })
export class UserError {
  @Field(() => UserErrorCode, { description: 'Machine-readable reason.' })
  code!: UserErrorCode;

  @Field(() => [String], {
    nullable: true,
    description: 'Path to the input field at fault, relative to `input` (e.g. `["calendar", "weeklyHours", "0", "end"]`).',
  })
  field?: string[] | null;

  @Field({ description: 'What went wrong and what to do, in words for people.' })
  message!: string;

  @Field(() => String, { nullable: true, description: 'A link that helps, e.g. the community forum for enhancement requests.' })
  url?: string | null;
}

export function userError(code: UserErrorCode, field: string | string[] | null, message: string, url?: string): UserError {
  return Object.assign(new UserError(), {
    code,
    field: field === null ? null : Array.isArray(field) ? field : [field],
    message,
    url: url ?? null,
  });
}

/**
 * Refuses a mutation's input with one user error: aborts the transaction, and the payload's `userErrors` says what
 * to do. (To report several problems at once, collect them with an InputCheck.)
 */
export function refuse(code: UserErrorCode, field: string | string[] | null, message: string, url?: string): never {
  throw new UserErrors([userError(code, field, message, url)]);
}

/** Thrown inside a service to abort its transaction and answer with user errors. */
export class UserErrors extends Error {
  constructor(readonly errors: UserError[]) {
    super(errors.map((e) => e.message).join('; '));
  }
}
