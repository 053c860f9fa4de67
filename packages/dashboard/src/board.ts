// What the wall screen holds, apart from React: the open tickets as last heard, the counts by severity and SLA state,
// the order of urgency, and each ticket's countdown on its cycle's own clock. Pure, so that an event, a reload and a
// tick of the clock are each one function of the state before.
import type { Severity, SlaState, SlaSummaryQuery, TicketFieldsFragment } from '@escalate/sdk';

export type Ticket = TicketFieldsFragment;
export const SEVERITIES: readonly Severity[] = ['SEV1', 'SEV2', 'SEV3', 'SEV4'];
export const STATES: readonly SlaState[] = ['BREACHED', 'AT_RISK', 'ON_TRACK', 'PAUSED', 'MET'];
export const OPEN_STATUSES = ['NEW', 'IN_PROGRESS', 'WAITING_ON_CUSTOMER'] as const;

export const isOpen = (ticket: Ticket) => (OPEN_STATUSES as readonly string[]).includes(ticket.status);

/** A ticket as last heard, and when (ms): its `sla.remainingSeconds` was true then. */
export interface Held {
  ticket: Ticket;
  heardAt: number;
}

const MAX_GONE = 200;

export type Counts = Record<Severity, Record<SlaState, number>>;

export interface Board {
  tickets: ReadonlyMap<string, Held>;
  /** Tickets that left the board (resolved, closed), and when: a read asked for before then must not bring them back. */
  gone: ReadonlyMap<string, number>;
  /** The open tickets by severity and SLA state: `slaSummary` when read, kept up to date by every change heard. */
  counts: Counts;
}

function zeroCounts(): Counts {
  return Object.fromEntries(SEVERITIES.map((severity) => [severity, Object.fromEntries(STATES.map((state) => [state, 0]))])) as Counts;
}

/** A board from a read: every open ticket and the summary, as of `heardAt`. */
export function boardFrom(tickets: Ticket[], summary: SlaSummaryQuery['slaSummary'], heardAt: number): Board {
  const counts = zeroCounts();
  for (const { severity, state, count } of summary.bySeverityAndState) counts[severity][state] = count;
  return { tickets: new Map(tickets.filter(isOpen).map((ticket) => [ticket.id, { ticket, heardAt }])), gone: new Map(), counts };
}

/**
 * A read again (after a reconnect) over what the board holds: tickets heard of since the read was asked for
 * (`askedAt`) are newer than the read's, and kept.
 */
export function reloaded(board: Board, read: Board, askedAt: number): Board {
  const tickets = new Map(read.tickets);
  for (const [id, held] of board.tickets) if (held.heardAt > askedAt) tickets.set(id, held);
  for (const [id, at] of board.gone) if (at > askedAt) tickets.delete(id);
  return { tickets, gone: new Map(), counts: read.counts };
}

/** The board once `ticket` is heard as it is now: updated, added, or gone when no longer open; counts follow. */
export function withTicket(board: Board, ticket: Ticket, heardAt: number): Board {
  const before = board.tickets.get(ticket.id)?.ticket;
  const tickets = new Map(board.tickets);
  const gone = new Map(board.gone);
  const counts = { ...board.counts };
  const count = (t: Ticket, delta: number) => {
    counts[t.severity] = { ...counts[t.severity], [t.sla.state]: Math.max(0, counts[t.severity][t.sla.state] + delta) };
  };
  if (before) count(before, -1);
  if (isOpen(ticket)) {
    tickets.set(ticket.id, { ticket, heardAt });
    count(ticket, +1);
  } else {
    tickets.delete(ticket.id);
    gone.set(ticket.id, heardAt);
    // Only a read under way needs them: the oldest go, so that an hour of events keeps the page's memory flat.
    for (const id of gone.keys()) {
      if (gone.size <= MAX_GONE) break;
      gone.delete(id);
    }
  }
  return { tickets, gone, counts };
}

/** Seconds left on the cycle's clock at `now`: it counts down only while running, and stops where running stops. */
export function secondsLeft({ ticket, heardAt }: Held, now: number): number | null {
  const { remainingSeconds, running, runningChangesAt } = ticket.sla;
  if (remainingSeconds === null) return null;
  if (!running) return remainingSeconds;
  const until = runningChangesAt ? Math.min(now, Date.parse(runningChangesAt)) : now;
  return remainingSeconds - Math.max(0, until - heardAt) / 1000;
}

const RANK: Record<SlaState, number> = { BREACHED: 0, AT_RISK: 1, ON_TRACK: 1, PAUSED: 2, MET: 3 };

/** Breached first (the longest overdue first), then by time left; paused after running ones. */
export function byUrgency(now: number) {
  return (a: Held, b: Held) =>
    RANK[a.ticket.sla.state] - RANK[b.ticket.sla.state] ||
    (secondsLeft(a, now) ?? Infinity) - (secondsLeft(b, now) ?? Infinity) ||
    a.ticket.number.localeCompare(b.ticket.number);
}

/** `1:02:03`, `12:05`, `-0:31` (overdue). */
export function countdown(seconds: number): string {
  const whole = Math.floor(Math.abs(seconds));
  const sign = seconds < 0 && whole > 0 ? '-' : '';
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, '0');
  return h ? `${sign}${h}:${String(m).padStart(2, '0')}:${s}` : `${sign}${m}:${s}`;
}
