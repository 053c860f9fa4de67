// Escalating to support management, as the policy describes: only after asking for an update or a severity
// change, with the reason and the business impact; the account manager and the escalations address are told.
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { viewerIsStaff } from '../auth/rules';
import { idOf, toGlobalId } from '../common/global-id';
import { InputCheck } from '../common/input-check';
import { Change } from '../common/mutation';
import { refuse, UserErrorCode } from '../common/user-error';
import { recordEvent } from '../events/record-event';
import { TicketEventType } from '../events/ticket-event.entity';
import { Note, NoteKind } from '../notes/note.entity';
import { enqueueNotification } from '../notifications/enqueue';
import { NotificationKind } from '../notifications/notification.entity';
import { Organization } from '../organizations/organization.entity';
import { policySettings } from '../policy/policy-admin';
import { SeverityChangeRequest } from '../severity-requests/severity-change-request.entity';
import { canSeeTicket, ticketForMutation } from '../tickets/ticket-access';
import { TicketStatus } from '../tickets/ticket-enums';
import { Ticket } from '../tickets/ticket.entity';
import { Role, User } from '../users/user.entity';
import { Escalation, EscalationStatus } from './escalation.entity';
import { EscalationAcknowledgeInput, EscalationCreateInput, EscalationResolveInput, TEXT_MAX } from './escalation.inputs';

export async function createEscalation(change: Change, input: EscalationCreateInput): Promise<Escalation> {
  const { em, viewer, now } = change;
  if (viewerIsStaff(viewer)) {
    refuse(UserErrorCode.NOT_ALLOWED, null, 'Escalations to support management are raised by customers; staff acknowledge and resolve them.');
  }
  const ticket = await ticketForMutation(change, input);
  const check = new InputCheck();
  const reason = check.text('reason', input.reason, TEXT_MAX);
  const businessImpact = check.text('businessImpact', input.businessImpact, TEXT_MAX);
  check.orThrow();
  if (ticket.status === TicketStatus.CLOSED) {
    refuse(UserErrorCode.NOT_ALLOWED, 'ticketId', `${ticket.displayNumber} is closed; file a new ticket with relatedTicketId.`);
  }
  const [updateRequests, severityRequests] = await Promise.all([
    em.count(Note, { ticket: ticket.id, kind: NoteKind.UPDATE_REQUEST }),
    em.count(SeverityChangeRequest, { ticket: ticket.id }),
  ]);
  if (updateRequests + severityRequests === 0) {
    refuse(
      UserErrorCode.ESCALATION_PRECONDITION,
      'ticketId',
      `First request an update on ${ticket.displayNumber} (ticketRequestUpdate) or ask for a change in severity ` +
        `(severityChangeRequest). If you are still not satisfied with the attention you receive, escalate to support management then.`,
    );
  }
  const open = await em.findOne(Escalation, { ticket: ticket.id, status: { $ne: EscalationStatus.RESOLVED } });
  if (open) {
    refuse(UserErrorCode.ESCALATION_ALREADY_OPEN, 'ticketId', `${ticket.displayNumber} already has an open escalation (${open.status}); management is on it.`);
  }
  const organization = await em.findOneOrFail(Organization, { id: ticket.organization.id });
  // The escalations address: the admin's setting, else config (and the seed).
  const { escalationsEmail } = await policySettings(em, change.config);
  const notifiedAddresses = [...new Set([organization.accountManagerEmail, escalationsEmail])];
  const escalation = em.create(Escalation, {
    ticket,
    organizationId: organization.id,
    raisedBy: viewer.userId,
    reason: reason!,
    businessImpact: businessImpact!,
    notifiedAddresses,
    createdAt: now,
  });
  enqueueNotification(
    em,
    {
      kind: NotificationKind.ESCALATION_RAISED,
      to: notifiedAddresses,
      subject: `[${ticket.displayNumber}] Escalation to support management: ${ticket.title}`,
      body:
        `${organization.name} escalated ticket ${ticket.displayNumber} (${ticket.severity}, ${ticket.status}).\n\n` +
        `Reason:\n${reason}\n\nBusiness impact:\n${businessImpact}\n`,
      ticketId: ticket.id,
    },
    now,
  );
  ticket.updatedAt = now;
  recordEvent(em, ticket, {
    type: TicketEventType.ESCALATION_RAISED,
    actorId: viewer.userId,
    at: now,
    data: { escalationId: escalation.nodeId, notified: notifiedAddresses },
  });
  try {
    await em.flush();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) {
      refuse(UserErrorCode.ESCALATION_ALREADY_OPEN, 'ticketId', `${ticket.displayNumber} already has an open escalation.`);
    }
    throw error;
  }
  return escalation;
}

async function escalationForManager({ em, viewer }: Change, globalId: string): Promise<{ escalation: Escalation; ticket: Ticket }> {
  const id = idOf(globalId, 'Escalation');
  const escalation = id ? await em.findOne(Escalation, { id }) : null;
  const ticket = escalation ? await em.findOneOrFail(Ticket, { id: escalation.ticket.id }) : null;
  if (!escalation || !ticket || !canSeeTicket(viewer, ticket)) return refuse(UserErrorCode.NOT_FOUND, 'escalationId', 'No escalation with that id.');
  return { escalation, ticket };
}

export async function acknowledgeEscalation(change: Change, input: EscalationAcknowledgeInput): Promise<Escalation> {
  const { em, viewer, now } = change;
  const { escalation, ticket } = await escalationForManager(change, input.escalationId);
  if (escalation.status === EscalationStatus.RESOLVED) {
    refuse(UserErrorCode.INVALID_TRANSITION, 'escalationId', 'The escalation is resolved; a new one can be raised if needed.');
  }
  let ownerId = viewer.userId;
  if (input.ownerId) {
    const id = idOf(input.ownerId, 'User');
    const owner = id ? await em.findOne(User, { id }) : null;
    if (!owner) refuse(UserErrorCode.NOT_FOUND, 'ownerId', 'No user with that id.');
    if (owner!.role !== Role.MANAGER) refuse(UserErrorCode.INVALID, 'ownerId', 'Escalations are owned by support managers.');
    ownerId = owner!.id;
  }
  if (escalation.status === EscalationStatus.ACKNOWLEDGED && escalation.owner?.id === ownerId) {
    refuse(UserErrorCode.INVALID_TRANSITION, 'escalationId', 'The escalation is already acknowledged by that manager.');
  }
  escalation.status = EscalationStatus.ACKNOWLEDGED;
  escalation.owner = em.getReference(User, ownerId, { wrapped: true });
  escalation.acknowledgedAt ??= now;
  recordEvent(em, ticket, {
    type: TicketEventType.ESCALATION_ACKNOWLEDGED,
    actorId: viewer.userId,
    at: now,
    data: {
      escalationId: escalation.nodeId,
      ownerId: toGlobalId('User', ownerId),
    },
  });
  await em.flush();
  return escalation;
}

export async function resolveEscalation(change: Change, input: EscalationResolveInput): Promise<Escalation> {
  const { em, viewer, now } = change;
  const { escalation, ticket } = await escalationForManager(change, input.escalationId);
  const check = new InputCheck();
  const resolution = check.text('resolution', input.resolution, TEXT_MAX);
  check.orThrow();
  if (escalation.status === EscalationStatus.RESOLVED) refuse(UserErrorCode.INVALID_TRANSITION, 'escalationId', 'The escalation is already resolved.');
  escalation.status = EscalationStatus.RESOLVED;
  escalation.resolution = resolution;
  escalation.resolvedAt = now;
  escalation.owner ??= em.getReference(User, viewer.userId, { wrapped: true });
  recordEvent(em, ticket, {
    type: TicketEventType.ESCALATION_RESOLVED,
    actorId: viewer.userId,
    at: now,
    data: { escalationId: escalation.nodeId, resolution },
  });
  await em.flush();
  return escalation;
}
