// The outbox's front door: a notification is written in the same transaction as the change that causes it and
// delivered after commit by the outbox worker. Nothing is sent from inside a transaction.
import { EntityManager } from '@mikro-orm/postgresql';
import { publishAfterCommit } from '../realtime/after-commit';
import { Notification, NotificationKind } from './notification.entity';

export interface NotificationDraft {
  kind: NotificationKind;
  /** Email addresses; blanks and duplicates are dropped. */
  to: string[];
  subject: string;
  body: string;
  /** The ticket it is about (database id), when there is one. */
  ticketId: string | null;
}

export function enqueueNotification(em: EntityManager, draft: NotificationDraft, now: Date): Notification | null {
  const recipients = [...new Set(draft.to.map((address) => address.trim()).filter(Boolean))];
  if (!recipients.length) return null;
  // The outbox worker of every instance wakes for it once it is committed.
  publishAfterCommit(em, { topic: 'DUE', payload: { worker: 'OUTBOX', at: now.toISOString() } });
  return em.create(Notification, {
    kind: draft.kind,
    recipients,
    subject: draft.subject.slice(0, 300),
    body: draft.body,
    ticket: draft.ticketId,
    nextAttemptAt: now,
    createdAt: now,
  });
}
