// Adding notes: who may write which kind. What a note does to the ticket is in tickets/ticket-lifecycle.ts.
import { viewerIsStaff } from '../auth/rules';
import { Viewer } from '../auth/viewer';
import { InputCheck } from '../common/input-check';
import { Change } from '../common/mutation';
import { refuse, UserErrorCode } from '../common/user-error';
import { ticketForMutation } from '../tickets/ticket-access';
import { writeNote } from '../tickets/ticket-lifecycle';
import { Note, NoteKind, NoteVisibility } from './note.entity';
import { BODY_MAX, NoteAddInput } from './note.inputs';

/** The kind a note gets: a public staff note is a response (SPEC §2); the rest as asked, within the role's rights. */
function noteKind(viewer: Viewer, visibility: NoteVisibility, asked: NoteKind | null | undefined): NoteKind {
  if (viewerIsStaff(viewer)) {
    if (asked === NoteKind.UPDATE_REQUEST || asked === NoteKind.SEVERITY_CHANGE_REQUEST) {
      refuse(UserErrorCode.NOT_ALLOWED, 'kind', `${asked} notes are written by customers; staff write responses (public) or comments (internal).`);
    }
    if (visibility === NoteVisibility.INTERNAL && asked === NoteKind.RESPONSE) {
      refuse(UserErrorCode.INVALID, 'kind', 'A response is what the customer reads: make it PUBLIC, or leave kind out for an internal comment.');
    }
    return visibility === NoteVisibility.PUBLIC ? NoteKind.RESPONSE : NoteKind.COMMENT;
  }
  if (visibility === NoteVisibility.INTERNAL) refuse(UserErrorCode.NOT_ALLOWED, 'visibility', 'Customers add public notes only; leave visibility out.');
  if (asked === NoteKind.RESPONSE) refuse(UserErrorCode.NOT_ALLOWED, 'kind', 'Responses come from support staff; use COMMENT or UPDATE_REQUEST.');
  if (asked === NoteKind.SEVERITY_CHANGE_REQUEST) {
    refuse(UserErrorCode.NOT_ALLOWED, 'kind', 'Ask for another severity with `severityChangeRequest`, giving the severity you need and why.');
  }
  return asked ?? NoteKind.COMMENT;
}

export async function addNote(change: Change, input: NoteAddInput): Promise<Note> {
  const ticket = await ticketForMutation(change, input);
  const check = new InputCheck();
  const body = check.text('body', input.body, BODY_MAX);
  check.orThrow();
  const visibility = input.visibility ?? NoteVisibility.PUBLIC;
  const kind = noteKind(change.viewer, visibility, input.kind);
  const note = await writeNote(change, ticket, { body: body!, kind, visibility });
  await change.em.flush();
  return note;
}
