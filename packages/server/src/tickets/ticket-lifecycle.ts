// What happens to a ticket as it moves: its status, its severity, and the notes written on it, each with the events,
// SLA clock changes and notifications it sets off (SPEC §3). The services of tickets, notes and severity requests
// all go through here, so each rule lives in one place. Callers check permissions and input; these apply.
import { viewerIsStaff } from '../auth/rules';
import { Change, stepOf } from '../common/mutation';
import { refuse, UserErrorCode } from '../common/user-error';
import { recordEvent } from '../events/record-event';
import { TicketEventType } from '../events/ticket-event.entity';
import { enqueueNotification } from '../notifications/enqueue';
import { NotificationKind } from '../notifications/notification.entity';
import { Note, NoteKind, NoteVisibility } from '../notes/note.entity';
import { Severity } from '../policy/enums';
import { policySettings } from '../policy/policy-admin';
import { SlaTracker } from '../sla-cycles/sla-tracker';
import { User } from '../users/user.entity';
import { TicketStatus } from './ticket-enums';
import { Ticket } from './ticket.entity';

/**
 * Moves a ticket to a status (already checked as allowed), records it, and moves its SLA clock: waiting on the
 * customer pauses it, coming back resumes it, resolving or closing stops it. The viewer is the actor.
 */
export async function changeStatus(change: Change, ticket: Ticket, to: TicketStatus): Promise<void> {
  const { em, now } = change;
  const actorId = change.viewer.userId;
  const from = ticket.status;
  ticket.status = to;
  ticket.updatedAt = now;
  if (to === TicketStatus.RESOLVED) ticket.resolvedAt = now;
  else if (from === TicketStatus.RESOLVED && to !== TicketStatus.CLOSED) ticket.resolvedAt = null;
  if (to === TicketStatus.CLOSED) ticket.closedAt = now;
  // Heard on ticketStatusChanged too (events/live-log.ts).
  recordEvent(em, ticket, { type: TicketEventType.STATUS_CHANGED, actorId, at: now, data: { from, to } });
  const sla = await SlaTracker.for(stepOf(change), ticket);
  if (to === TicketStatus.WAITING_ON_CUSTOMER) await sla.pauseRunning();
  else if (from === TicketStatus.WAITING_ON_CUSTOMER) await sla.resumePaused();
  if (to === TicketStatus.RESOLVED || to === TicketStatus.CLOSED) await sla.stopRunning(to);
}

/** Changes a ticket's severity (checked by the caller), records why, and retargets its running SLA cycles. */
export async function changeSeverity(change: Change, ticket: Ticket, to: Severity, reason: string): Promise<void> {
  const { em, now } = change;
  const from = ticket.severity;
  ticket.severity = to;
  ticket.updatedAt = now;
  recordEvent(em, ticket, { type: TicketEventType.SEVERITY_CHANGED, actorId: change.viewer.userId, at: now, data: { from, to, reason } });
  await (await SlaTracker.for(stepOf(change), ticket)).retargetRunning();
}

/**
 * Writes the viewer's note (already validated) with everything it sets off: the event, a response stopping the
 * running response cycles, an update request starting the next one and notifying the assignee (else the engineers'
 * queue: the admin's setting, else config), a customer's note bringing a ticket back from WAITING_ON_CUSTOMER
 * (SPEC §3). The caller flushes.
 */
export async function writeNote(
  change: Change,
  ticket: Ticket,
  content: { body: string; kind: NoteKind; visibility: NoteVisibility },
): Promise<Note> {
  const { em, viewer, now } = change;
  const { body, kind, visibility } = content;
  if (ticket.status === TicketStatus.CLOSED) {
    refuse(UserErrorCode.NOT_ALLOWED, 'ticketId', `${ticket.displayNumber} is closed; file a new ticket with relatedTicketId to follow up.`);
  }
  const note = em.create(Note, { ticket, author: viewer.userId, body, kind, visibility, createdAt: now });
  // An internal note is not news to the customer, who can see (and sort by) updatedAt.
  if (visibility === NoteVisibility.PUBLIC) ticket.updatedAt = now;
  recordEvent(em, ticket, {
    type: TicketEventType.NOTE_ADDED,
    actorId: viewer.userId,
    at: now,
    data: { noteId: note.nodeId, kind, visibility },
    internal: visibility === NoteVisibility.INTERNAL,
  });
  const sla = await SlaTracker.for(stepOf(change), ticket);
  if (kind === NoteKind.RESPONSE) await sla.stopRunning('RESPONDED');
  // The customer answered: the ball is back with support (and the paused clock runs again).
  if (!viewerIsStaff(viewer) && ticket.status === TicketStatus.WAITING_ON_CUSTOMER) {
    await changeStatus(change, ticket, TicketStatus.IN_PROGRESS);
  } else if (kind === NoteKind.RESPONSE && ticket.status === TicketStatus.NEW) {
    await changeStatus(change, ticket, TicketStatus.IN_PROGRESS);
  }
  if (kind === NoteKind.UPDATE_REQUEST) {
    // Asking for an update on a resolved ticket says it is not resolved: it is reopened.
    if (ticket.status === TicketStatus.RESOLVED) await changeStatus(change, ticket, TicketStatus.IN_PROGRESS);
    await sla.startNextResponseUnlessRunning();
    const assignee = ticket.assignee ? await em.findOne(User, { id: ticket.assignee.id }) : null;
    const notified = assignee ? assignee.email : (await policySettings(em, change.config)).supportQueueEmail;
    enqueueNotification(
      em,
      {
        kind: NotificationKind.UPDATE_REQUESTED,
        to: [notified],
        subject: `[${ticket.displayNumber}] Update requested: ${ticket.title}`,
        body: `The customer asked for an update on ${ticket.displayNumber} (${ticket.severity}, ${ticket.status}):\n\n${body}`,
        ticketId: ticket.id,
      },
      now,
    );
    recordEvent(em, ticket, {
      type: TicketEventType.UPDATE_REQUESTED,
      actorId: viewer.userId,
      at: now,
      data: { noteId: note.nodeId, notified: [notified] },
    });
  }
  return note;
}
