// Adding notes: who may write which kind, and what a note does to the ticket's status.
import { EntityManager } from '@mikro-orm/postgresql';
import { viewerIsStaff } from '../auth/rules';
import { Viewer } from '../auth/viewer';
import { InputCheck } from '../common/input-check';
import { userError, UserErrorCode, UserErrors } from '../common/user-error';
import { recordEvent } from '../events/record-event';
import { TicketEventType } from '../events/ticket-event.entity';
import { TicketStatus } from '../tickets/ticket-enums';
import { ticketForMutation } from '../tickets/ticket-access';
import { SlaTracker } from '../sla-cycles/sla-tracker';
import { changeStatus } from '../tickets/ticket.service';
import { Ticket } from '../tickets/ticket.entity';
import { User } from '../users/user.entity';
import { enqueueNotification } from '../notifications/enqueue';
import { PolicyDefaults, policySettings } from '../policy/policy-admin';
import { NotificationKind } from '../notifications/notification.entity';
import { Note, NoteKind, NoteVisibility } from './note.entity';
import { BODY_MAX, NoteAddInput } from './note.inputs';

function refuse(field: string, message: string, code = UserErrorCode.NOT_ALLOWED): never {
  throw new UserErrors([userError(code, field, message)]);
}

/** The kind a note gets: a public staff note is a response (SPEC §2); the rest as asked, within the role's rights. */
function noteKind(viewer: Viewer, visibility: NoteVisibility, asked: NoteKind | null | undefined): NoteKind {
  if (viewerIsStaff(viewer)) {
    if (asked === NoteKind.UPDATE_REQUEST || asked === NoteKind.SEVERITY_CHANGE_REQUEST) {
      refuse('kind', `${asked} notes are written by customers; staff write responses (public) or comments (internal).`);
    }
    if (visibility === NoteVisibility.INTERNAL && asked === NoteKind.RESPONSE) {
      refuse('kind', 'A response is what the customer reads: make it PUBLIC, or leave kind out for an internal comment.', UserErrorCode.INVALID);
    }
    return visibility === NoteVisibility.PUBLIC ? NoteKind.RESPONSE : NoteKind.COMMENT;
  }
  if (visibility === NoteVisibility.INTERNAL) refuse('visibility', 'Customers add public notes only; leave visibility out.');
  if (asked === NoteKind.RESPONSE) refuse('kind', 'Responses come from support staff; use COMMENT or UPDATE_REQUEST.');
  if (asked === NoteKind.SEVERITY_CHANGE_REQUEST) {
    refuse('kind', 'Ask for another severity with `severityChangeRequest`, giving the severity you need and why.');
  }
  return asked ?? NoteKind.COMMENT;
}

export async function addNote(em: EntityManager, viewer: Viewer, input: NoteAddInput, now: Date, rules: NoteRules): Promise<Note> {
  const ticket = await ticketForMutation(em, viewer, input.ticketId, 'ticketId');
  const check = new InputCheck();
  const body = check.text('body', input.body, BODY_MAX);
  check.orThrow();
  const visibility = input.visibility ?? NoteVisibility.PUBLIC;
  const kind = noteKind(viewer, visibility, input.kind);
  const note = await writeNote(em, viewer, ticket, { body: body!, kind, visibility }, now, rules);
  await em.flush();
  return note;
}

/** Where update requests on unassigned tickets go (the engineers' queue): the admin's setting, else config. */
export type NoteRules = PolicyDefaults;

/**
 * Writes a note (already validated) with everything it sets off: the event, a response stopping the running
 * response cycles, an update request starting the next one and notifying the assignee, a customer's note bringing
 * a ticket back from WAITING_ON_CUSTOMER (SPEC §3). The caller flushes.
 */
export async function writeNote(
  em: EntityManager,
  viewer: Viewer,
  ticket: Ticket,
  content: { body: string; kind: NoteKind; visibility: NoteVisibility },
  now: Date,
  rules: NoteRules,
): Promise<Note> {
  const { body, kind, visibility } = content;
  if (ticket.status === TicketStatus.CLOSED) {
    refuse('ticketId', `${ticket.displayNumber} is closed; file a new ticket with relatedTicketId to follow up.`);
  }
  const note = em.create(Note, { ticket, author: viewer.userId, body, kind, visibility, createdAt: now });
  // An internal note is not news to the customer, who can see (and sort by) updatedAt.
  if (visibility === NoteVisibility.PUBLIC) ticket.updatedAt = now;
  recordEvent(
    em,
    ticket,
    TicketEventType.NOTE_ADDED,
    viewer.userId,
    now,
    { noteId: note.nodeId, kind, visibility },
    visibility === NoteVisibility.INTERNAL,
  );
  const sla = await SlaTracker.for(em, ticket, now, viewer.userId);
  if (kind === NoteKind.RESPONSE) await sla.stopRunning('RESPONDED');
  // The customer answered: the ball is back with support (and the paused clock runs again).
  if (!viewerIsStaff(viewer) && ticket.status === TicketStatus.WAITING_ON_CUSTOMER) {
    await changeStatus(em, ticket, TicketStatus.IN_PROGRESS, viewer.userId, now);
  } else if (kind === NoteKind.RESPONSE && ticket.status === TicketStatus.NEW) {
    await changeStatus(em, ticket, TicketStatus.IN_PROGRESS, viewer.userId, now);
  }
  if (kind === NoteKind.UPDATE_REQUEST) {
    // Asking for an update on a resolved ticket says it is not resolved: it is reopened.
    if (ticket.status === TicketStatus.RESOLVED) await changeStatus(em, ticket, TicketStatus.IN_PROGRESS, viewer.userId, now);
    await sla.startNextResponseUnlessRunning();
    const assignee = ticket.assignee ? await em.findOne(User, { id: ticket.assignee.id }) : null;
    const notified = assignee ? assignee.email : (await policySettings(em, rules)).supportQueueEmail;
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
    recordEvent(em, ticket, TicketEventType.UPDATE_REQUESTED, viewer.userId, now, { noteId: note.nodeId, notified: [notified] });
  }
  return note;
}
