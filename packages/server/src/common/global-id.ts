// Relay global ids: opaque to clients, `base64url("Type:uuid")` inside.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Whether `value` is a database id (a UUID in its canonical form). */
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

/** An id no row has: what a filter on a malformed global id compares with, so that it matches nothing. */
const NO_ROW = '00000000-0000-0000-0000-000000000000';

export type NodeTypeName = 'Ticket' | 'Note' | 'Organization' | 'User' | 'TicketEvent' | 'Escalation' | 'SeverityChangeRequest';

export function toGlobalId(type: NodeTypeName, id: string): string {
  return Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');
}

/** The type and database id behind a global id, or null when it is not one of ours. */
export function fromGlobalId(globalId: string): { type: NodeTypeName; id: string } | null {
  if (globalId.length > 200) return null;
  const decoded = Buffer.from(globalId, 'base64url').toString('utf8');
  const separator = decoded.indexOf(':');
  if (separator < 0) return null;
  const type = decoded.slice(0, separator);
  const id = decoded.slice(separator + 1);
  if (!isUuid(id)) return null;
  if (!['Ticket', 'Note', 'Organization', 'User', 'TicketEvent', 'Escalation', 'SeverityChangeRequest'].includes(type)) return null;
  return { type: type as NodeTypeName, id };
}

/** The database id behind a global id of the expected type, or null. */
export function idOf(globalId: string, type: NodeTypeName): string | null {
  const parsed = fromGlobalId(globalId);
  return parsed && parsed.type === type ? parsed.id : null;
}

/** For filters: the database id behind a global id of the expected type, or an id that matches no row. */
export function filterIdOf(globalId: string, type: NodeTypeName): string {
  return idOf(globalId, type) ?? NO_ROW;
}
