// Elevating severity the way the policy says: the customer asks in a note, support decides; a P1 is a new ticket.
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { viewerIsStaff } from '../auth/rules';
import { idOf } from '../common/global-id';
import { InputCheck } from '../common/input-check';
import { Change } from '../common/mutation';
import { refuse, UserErrorCode } from '../common/user-error';
import { recordEvent } from '../events/record-event';
import { TicketEventType } from '../events/ticket-event.entity';
import { NoteKind, NoteVisibility } from '../notes/note.entity';
import { Severity } from '../policy/enums';
import { canSeeTicket, ticketForMutation } from '../tickets/ticket-access';
import { TicketStatus } from '../tickets/ticket-enums';
import { Ticket } from '../tickets/ticket.entity';
import { changeSeverity, writeNote } from '../tickets/ticket-lifecycle';
import { checkSeverityAllowed } from '../tickets/ticket.service';
import { User } from '../users/user.entity';
import { SeverityChangeRequest, SeverityChangeRequestStatus } from './severity-change-request.entity';
import { REASON_MAX, SeverityChangeDecideInput, SeverityChangeRequestInput } from './severity-request.inputs';

export async function requestSeverityChange(change: Change, input: SeverityChangeRequestInput): Promise<SeverityChangeRequest> {
  const { em, viewer, now } = change;
  if (viewerIsStaff(viewer)) {
    refuse(UserErrorCode.NOT_ALLOWED, null, 'Staff change severity directly with ticketChangeSeverity (with a reason).');
  }
  const ticket = await ticketForMutation(change, input);
  const check = new InputCheck();
  const reason = check.text('reason', input.reason, REASON_MAX);
  check.orThrow();
  if (ticket.status === TicketStatus.CLOSED || ticket.status === TicketStatus.RESOLVED) {
    refuse(UserErrorCode.NOT_ALLOWED, 'ticketId', `${ticket.displayNumber} is ${ticket.status}; file a new ticket with relatedTicketId if the problem is back.`);
  }
  if (input.to === Severity.SEV1) {
    refuse(
      UserErrorCode.NEW_P1_REQUIRED,
      'to',
      `A P1 is not raised on an existing ticket: immediately file a NEW SEV1 ticket (ticketCreate with severity SEV1 and ` +
        `relatedTicketId "${ticket.nodeId}") with all the current details of the outage; the team will address it as defined in the new ticket.`,
    );
  }
  if (input.to === ticket.severity) refuse(UserErrorCode.INVALID, 'to', `${ticket.displayNumber} is already ${ticket.severity}.`);
  await checkSeverityAllowed(em, ticket, input.to, 'to');
  const pending = await em.findOne(SeverityChangeRequest, { ticket: ticket.id, status: SeverityChangeRequestStatus.PENDING });
  if (pending) {
    refuse(UserErrorCode.REQUEST_PENDING, 'to', `A request to change ${ticket.displayNumber} to ${pending.to} is already waiting for a decision.`);
  }

  const note = await writeNote(change, ticket, {
    body: `Severity change requested: ${ticket.severity} → ${input.to}.\n\n${reason}`,
    kind: NoteKind.SEVERITY_CHANGE_REQUEST,
    visibility: NoteVisibility.PUBLIC,
  });
  const request = em.create(SeverityChangeRequest, {
    ticket,
    note,
    requester: viewer.userId,
    from: ticket.severity,
    to: input.to,
    reason: reason!,
    createdAt: now,
  });
  recordEvent(em, ticket, {
    type: TicketEventType.SEVERITY_CHANGE_REQUESTED,
    actorId: viewer.userId,
    at: now,
    data: {
      requestId: request.nodeId,
      from: request.from,
      to: request.to,
    },
  });
  try {
    await em.flush();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) {
      refuse(UserErrorCode.REQUEST_PENDING, 'to', `Another severity change request on ${ticket.displayNumber} is already waiting for a decision.`);
    }
    throw error;
  }
  return request;
}

export async function decideSeverityChange(change: Change, input: SeverityChangeDecideInput): Promise<SeverityChangeRequest> {
  const { em, viewer, now } = change;
  const id = idOf(input.requestId, 'SeverityChangeRequest');
  const request = id ? await em.findOne(SeverityChangeRequest, { id }) : null;
  const ticket = request ? await em.findOneOrFail(Ticket, { id: request.ticket.id }) : null;
  if (!request || !ticket || !canSeeTicket(viewer, ticket)) {
    return refuse(UserErrorCode.NOT_FOUND, 'requestId', 'No severity change request with that id.');
  }
  const check = new InputCheck();
  const note = check.text('note', input.note, REASON_MAX, false);
  check.orThrow();
  if (request.status !== SeverityChangeRequestStatus.PENDING) {
    refuse(UserErrorCode.INVALID_TRANSITION, 'requestId', `The request was already ${request.status.toLowerCase()}.`);
  }
  if (input.approve) {
    if (ticket.status === TicketStatus.CLOSED) refuse(UserErrorCode.NOT_ALLOWED, 'requestId', `${ticket.displayNumber} is closed; reject the request instead.`);
    await checkSeverityAllowed(em, ticket, request.to, 'requestId');
  }
  request.status = input.approve ? SeverityChangeRequestStatus.APPROVED : SeverityChangeRequestStatus.REJECTED;
  request.decider = em.getReference(User, viewer.userId, { wrapped: true });
  request.decisionNote = note;
  request.decidedAt = now;
  if (input.approve && ticket.severity !== request.to) {
    await changeSeverity(change, ticket, request.to, `Approved request: ${request.reason}`);
  }
  recordEvent(em, ticket, {
    type: TicketEventType.SEVERITY_CHANGE_DECIDED,
    actorId: viewer.userId,
    at: now,
    data: {
      requestId: request.nodeId,
      status: request.status,
      to: request.to,
      note,
    },
  });
  await em.flush();
  return request;
}
