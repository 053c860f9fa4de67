// Filing tickets and moving them through their lifecycle. Every change records a TicketEvent.
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { viewerIsStaff } from '../auth/rules';
import { idOf, toGlobalId } from '../common/global-id';
import { findEach } from '../common/find-each';
import { flushInOneStatement } from '../common/flush-in-one-statement';
import { InputCheck } from '../common/input-check';
import { Change, stepOf } from '../common/mutation';
import { refuse, UserErrorCode } from '../common/user-error';
import { recordEvent } from '../events/record-event';
import { SlaCycle } from '../sla-cycles/sla-cycle.entity';
import { SlaMetric } from '../sla-cycles/sla-enums';
import { SlaTracker } from '../sla-cycles/sla-tracker';
import { TicketEventType } from '../events/ticket-event.entity';
import { Organization } from '../organizations/organization.entity';
import { SeverityLevel } from '../policy/severity-level.entity';
import { Severity } from '../policy/enums';
import { NoteKind, NoteVisibility } from '../notes/note.entity';
import { changeSeverity, changeStatus, writeNote } from './ticket-lifecycle';
import { isStaff, User } from '../users/user.entity';
import { STATUS_TRANSITIONS, TicketCategory, TicketStatus } from './ticket-enums';
import { canSeeTicket, ticketForMutation } from './ticket-access';
import { Ticket } from './ticket.entity';
import {
  DESCRIPTION_MAX,
  IDEMPOTENCY_KEY_MAX,
  TicketAssignInput,
  REASON_MAX,
  TicketChangeSeverityInput,
  TicketCreateInput,
  TicketRequestUpdateInput,
  TicketUpdateStatusInput,
  TITLE_MAX,
} from './ticket.inputs';

/** Thrown when the idempotency key was used before: the filing is answered as a retry (`replayTicketCreate`). */
export class IdempotentReplay extends Error {
  constructor(readonly requesterId: string, readonly idempotencyKey: string) {
    super('idempotent replay');
  }
}

const IDEMPOTENCY_KEY_UNIQUE = 'ticket_requester_idempotency_key_unique';

/** A ticket just filed, with what its payload would otherwise read back: its first cycle and its organization. */
export interface FiledTicket {
  ticket: Ticket;
  firstCycle: SlaCycle;
  organization: Organization;
}

/**
 * Files a ticket in four round trips: begin, one read of what the filing depends on (the severity's level, the
 * organization, the related ticket), one insert of the ticket with its number, its events and its first SLA cycle,
 * commit. A used idempotency key is caught by its unique constraint, not looked up first: the insert fails, the
 * transaction rolls back, and IdempotentReplay sends the caller to `replayTicketCreate`.
 */
export async function createTicket(change: Change, input: TicketCreateInput): Promise<FiledTicket> {
  const { em, viewer, now } = change;
  const { communityUrl } = change.config;
  if (input.category === TicketCategory.ENHANCEMENT) {
    refuse(UserErrorCode.ENHANCEMENT_REDIRECT, 'category', `Enhancement requests are handled in the community forum, not as support tickets: post it at ${communityUrl}`, communityUrl);
  }
  const check = new InputCheck();
  const { title, description, idempotencyKey } = filingText(check, input);
  const organizationId = filingOrganizationId(change, input, check);
  const relatedTicketId = input.relatedTicketId ? idOf(input.relatedTicketId, 'Ticket') : null;
  // Read fresh, whichever instance changed them last; SlaTracker then finds the level and the organization in `em`.
  const [level, organization, relatedTicket] = await findEach(
    em,
    [SeverityLevel, input.severity],
    [Organization, organizationId],
    [Ticket, relatedTicketId],
  );
  if (organizationId && !organization) check.add(UserErrorCode.NOT_FOUND, 'organizationId', 'No organization with that id.');
  if (level && !level.allowedEnvironments.includes(input.environment)) {
    const allowed = level.allowedEnvironments.join(' or ');
    check.add(
      UserErrorCode.ENVIRONMENT_NOT_ALLOWED,
      'environment',
      `${input.severity} tickets are for ${allowed} only; file a ${input.environment} issue as SEV3 or SEV4.`,
    );
  }
  if (input.relatedTicketId) {
    if (!relatedTicket || !canSeeTicket(viewer, relatedTicket) || (organization && relatedTicket.organization.id !== organization.id)) {
      check.add(UserErrorCode.NOT_FOUND, 'relatedTicketId', 'No ticket of this organization with that id exists or you cannot see it.');
    }
  }
  // A retry is answered as one even when its content would now be refused (or differs: IDEMPOTENCY_KEY_REUSED).
  if (!check.ok && idempotencyKey && (await em.count(Ticket, { requester: viewer.userId, idempotencyKey }))) {
    throw new IdempotentReplay(viewer.userId, idempotencyKey);
  }
  check.orThrow();

  const ticket = em.create(Ticket, {
    title: title!,
    description: description!,
    severity: input.severity,
    environment: input.environment,
    category: input.category,
    status: TicketStatus.NEW,
    organization: organization!,
    requester: viewer.userId,
    relatedTicket,
    idempotencyKey,
    createdAt: now,
    updatedAt: now,
  });
  recordEvent(em, ticket, {
    type: TicketEventType.CREATED,
    actorId: viewer.userId,
    at: now,
    data: {
      severity: input.severity,
      environment: input.environment,
      category: input.category,
      relatedTicketId: relatedTicket ? relatedTicket.nodeId : null,
    },
  });
  const firstCycle = await (await SlaTracker.for(stepOf(change), ticket)).start(SlaMetric.FIRST_RESPONSE);
  try {
    await flushInOneStatement(em);
  } catch (error) {
    const keyTaken = error instanceof UniqueConstraintViolationException && (error as { constraint?: string }).constraint === IDEMPOTENCY_KEY_UNIQUE;
    if (idempotencyKey && keyTaken) throw new IdempotentReplay(viewer.userId, idempotencyKey);
    throw error;
  }
  return { ticket, firstCycle, organization: organization! };
}

/**
 * A filing whose idempotency key was used before (a retry, perhaps concurrent with the first submit, whose commit
 * is what made our insert fail): the first ticket, unless the key is being reused for something else.
 */
export async function replayTicketCreate(change: Change, input: TicketCreateInput): Promise<Ticket> {
  const { title, description, idempotencyKey } = filingText(new InputCheck(), input);
  const first = await change.em.findOneOrFail(Ticket, { requester: change.viewer.userId, idempotencyKey: idempotencyKey! });
  return replayed(first, input, { title, description });
}

/** The filing's text, trimmed and checked. */
function filingText(check: InputCheck, input: TicketCreateInput) {
  return {
    title: check.text('title', input.title, TITLE_MAX),
    description: check.text('description', input.description, DESCRIPTION_MAX),
    idempotencyKey: check.text('idempotencyKey', input.idempotencyKey, IDEMPOTENCY_KEY_MAX, false),
  };
}

/** A retried submit: the first ticket, unless the key is being reused for something else. */
function replayed(first: Ticket, input: TicketCreateInput, { title, description }: { title: string | null; description: string | null }): Ticket {
  const same =
    first.title === title &&
    first.description === description &&
    first.severity === input.severity &&
    first.environment === input.environment &&
    first.category === input.category &&
    (first.relatedTicket?.id ?? null) === (input.relatedTicketId ? idOf(input.relatedTicketId, 'Ticket') : null) &&
    (!input.organizationId || first.organization.id === idOf(input.organizationId, 'Organization'));
  if (!same) {
    refuse(UserErrorCode.IDEMPOTENCY_KEY_REUSED, 'idempotencyKey', `This idempotency key was already used for ticket ${first.displayNumber} with different content; use a new key for a new ticket.`);
  }
  return first;
}

/** The organization the ticket is filed for: the customer's own; the one staff name (checked to exist by the read). */
function filingOrganizationId({ viewer }: Change, input: TicketCreateInput, check: InputCheck): string | null {
  if (!viewerIsStaff(viewer)) {
    if (input.organizationId && idOf(input.organizationId, 'Organization') !== viewer.organizationId) {
      check.add(UserErrorCode.NOT_FOUND, 'organizationId', 'Customers file tickets for their own organization; leave organizationId out.');
    }
    return viewer.organizationId;
  }
  if (!input.organizationId) {
    check.add(UserErrorCode.REQUIRED, 'organizationId', 'Staff file tickets on behalf of an organization: give its organizationId.');
    return null;
  }
  const id = idOf(input.organizationId, 'Organization');
  if (!id) check.add(UserErrorCode.NOT_FOUND, 'organizationId', 'No organization with that id.');
  return id;
}

export async function updateTicketStatus(change: Change, input: TicketUpdateStatusInput): Promise<Ticket> {
  const { em, viewer } = change;
  const ticket = await ticketForMutation(change, input);
  const from = ticket.status;
  const to = input.status;
  if (!viewerIsStaff(viewer) && to !== TicketStatus.CLOSED) {
    refuse(UserErrorCode.NOT_ALLOWED, 'status', 'Customers can close their tickets; other status changes are made by support. Add a note to ask for one.');
  }
  if (!STATUS_TRANSITIONS[from].includes(to)) {
    const allowed = STATUS_TRANSITIONS[from];
    const message =
      from === to
        ? `The ticket is already ${to}.`
        : allowed.length
          ? `A ${from} ticket can move to ${allowed.join(', ')}, not ${to}.`
          : `A ${from} ticket is final; file a new ticket with relatedTicketId to follow up.`;
    refuse(UserErrorCode.INVALID_TRANSITION, 'status', message);
  }
  await changeStatus(change, ticket, to);
  await em.flush();
  return ticket;
}

export async function assignTicket(change: Change, input: TicketAssignInput): Promise<Ticket> {
  const { em, viewer, now } = change;
  const ticket = await ticketForMutation(change, input);
  let assignee: User | null = null;
  if (input.assigneeId) {
    const id = idOf(input.assigneeId, 'User');
    assignee = id ? await em.findOne(User, { id }) : null;
    if (!assignee) refuse(UserErrorCode.NOT_FOUND, 'assigneeId', 'No user with that id.');
    if (!isStaff(assignee.role)) {
      refuse(UserErrorCode.INVALID, 'assigneeId', 'Tickets are assigned to support staff (engineers or managers), not customers.');
    }
  }
  const fromId = ticket.assignee?.id ?? null;
  if (fromId === (assignee?.id ?? null)) return ticket;
  ticket.assignee = assignee ? em.getReference(User, assignee.id, { wrapped: true }) : null;
  ticket.updatedAt = now;
  recordEvent(em, ticket, {
    type: TicketEventType.ASSIGNED,
    actorId: viewer.userId,
    at: now,
    data: {
      fromAssigneeId: fromId ? toGlobalId('User', fromId) : null,
      toAssigneeId: assignee ? assignee.nodeId : null,
    },
  });
  await em.flush();
  return ticket;
}

/** Whether `severity` may be used on the ticket's environment; a user error on `field` otherwise. */
export async function checkSeverityAllowed(em: EntityManager, ticket: Ticket, severity: Severity, field: string): Promise<void> {
  const level = await em.findOneOrFail(SeverityLevel, { severity });
  if (!level.allowedEnvironments.includes(ticket.environment)) {
    refuse(UserErrorCode.ENVIRONMENT_NOT_ALLOWED, field, `${severity} is for ${level.allowedEnvironments.join(' or ')} only; this ticket is ${ticket.environment}.`);
  }
}

export async function changeTicketSeverity(change: Change, input: TicketChangeSeverityInput): Promise<Ticket> {
  const { em } = change;
  const ticket = await ticketForMutation(change, input);
  const check = new InputCheck();
  const reason = check.text('reason', input.reason, REASON_MAX);
  if (input.severity === ticket.severity) check.add(UserErrorCode.INVALID, 'severity', `${ticket.displayNumber} is already ${ticket.severity}.`);
  if (ticket.status === TicketStatus.CLOSED) check.add(UserErrorCode.NOT_ALLOWED, 'ticketId', `${ticket.displayNumber} is closed.`);
  check.orThrow();
  await checkSeverityAllowed(em, ticket, input.severity, 'severity');
  await changeSeverity(change, ticket, input.severity, reason!);
  await em.flush();
  return ticket;
}

export async function requestUpdate(change: Change, input: TicketRequestUpdateInput): Promise<Ticket> {
  if (viewerIsStaff(change.viewer)) {
    refuse(UserErrorCode.NOT_ALLOWED, null, 'Update requests come from customers; staff respond with noteAdd.');
  }
  const ticket = await ticketForMutation(change, input);
  const check = new InputCheck();
  const body = check.text('body', input.body, DESCRIPTION_MAX);
  check.orThrow();
  await writeNote(change, ticket, { body: body!, kind: NoteKind.UPDATE_REQUEST, visibility: NoteVisibility.PUBLIC });
  await change.em.flush();
  return ticket;
}
