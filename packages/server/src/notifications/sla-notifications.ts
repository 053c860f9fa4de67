// The SLA's notifications (SPEC §2): at risk → the assignee; breached → the assignee and every manager. Written by
// the SLA timer in the transaction that records the transition, delivered after commit by the outbox worker.
import { EntityManager } from '@mikro-orm/postgresql';
import { DateTime } from 'luxon';
import { SlaMetric, SlaState } from '../sla-cycles/sla-enums';
import { SlaCycle } from '../sla-cycles/sla-cycle.entity';
import { SlaTransition } from '../sla-cycles/sla-tracker';
import { Ticket } from '../tickets/ticket.entity';
import { Role, User } from '../users/user.entity';
import { enqueueNotification } from './enqueue';
import { NotificationKind } from './notification.entity';

const METRIC_LABEL: Record<SlaMetric, string> = {
  [SlaMetric.FIRST_RESPONSE]: 'first response',
  [SlaMetric.NEXT_RESPONSE]: 'next response',
};

/** `14:00 UTC` on the day of `reference`, `Mon 7 Dec 16:00 UTC` on another. */
export function utcTime(at: Date, reference: Date): string {
  const time = DateTime.fromJSDate(at, { zone: 'utc' }).setLocale('en');
  const sameDay = time.hasSame(DateTime.fromJSDate(reference, { zone: 'utc' }), 'day');
  return time.toFormat(sameDay ? "HH:mm 'UTC'" : "ccc d LLL HH:mm 'UTC'");
}

/** Managers' addresses, read once per transaction however many cycles breach in it. */
const managersByTransaction = new WeakMap<EntityManager, Promise<string[]>>();
function managerEmails(em: EntityManager): Promise<string[]> {
  let emails = managersByTransaction.get(em);
  if (!emails) {
    emails = em.find(User, { role: Role.MANAGER }, { orderBy: { email: 'asc' } }).then((users) => users.map((user) => user.email));
    managersByTransaction.set(em, emails);
  }
  return emails;
}

/** What one timer run did to a cycle: the transitions it took it through, and when the timer ran. */
export interface CycleAdvance {
  ticket: Ticket;
  cycle: SlaCycle;
  transitions: SlaTransition[];
  now: Date;
}

/**
 * Enqueues what the transitions one timer step took a cycle through call for. A breach reached in the same step as
 * the at-risk warning (the timer was behind) supersedes it: one message, the breach. Nobody to notify: nothing.
 */
export async function enqueueSlaNotifications(em: EntityManager, { ticket, cycle, transitions, now }: CycleAdvance): Promise<void> {
  const breach = transitions.find((transition) => transition.state === SlaState.BREACHED);
  const atRisk = transitions.find((transition) => transition.state === SlaState.AT_RISK);
  const transition = breach ?? atRisk;
  if (!transition) return;

  const assignee = ticket.assignee ? await em.findOne(User, { id: ticket.assignee.id }) : null;
  const to = assignee ? [assignee.email] : [];
  if (breach) to.push(...(await managerEmails(em)));
  if (!to.length) return;

  const organization = await ticket.organization.load();
  const metric = METRIC_LABEL[cycle.metric];
  // Breached at the due time; at risk, the due time is the next transition the timer will make.
  const dueAt = cycle.dueAt ?? (breach ? breach.at : cycle.nextTransitionAt) ?? null;
  const due = dueAt ? utcTime(dueAt, transition.at) : 'unknown';
  const subject = breach
    ? `[${ticket.displayNumber}] SLA breached: ${metric} was due ${due}`
    : `[${ticket.displayNumber}] SLA at risk: ${metric} due ${due}`;
  const summary = breach
    ? `The ${metric} on ${ticket.displayNumber} is overdue: it was due ${due} and support has not responded.`
    : `The ${metric} on ${ticket.displayNumber} is at risk: it is due ${due} and support has not responded yet.`;
  const body = [
    summary,
    '',
    `Ticket:    ${ticket.displayNumber} ${ticket.title}`,
    `Customer:  ${organization?.name ?? 'unknown'}`,
    `Severity:  ${ticket.severity}`,
    `Status:    ${ticket.status}`,
    `Due:       ${dueAt ? dueAt.toISOString() : 'unknown'}`,
    `${(breach ? 'Breached:' : 'At risk:').padEnd(10)} ${transition.at.toISOString()}`,
    `Assignee:  ${assignee ? `${assignee.name} <${assignee.email}>` : 'nobody'}`,
  ].join('\n');

  enqueueNotification(
    em,
    { kind: breach ? NotificationKind.SLA_BREACHED : NotificationKind.SLA_AT_RISK, to, subject, body, ticketId: ticket.id },
    now,
  );
}
