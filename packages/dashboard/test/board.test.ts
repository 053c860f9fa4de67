// The wall screen's state, apart from the browser: counts follow every change heard, a read after a reconnect does
// not undo what was heard since it was asked for, urgency puts breaches first, countdowns stop where the clock does.
import { describe, expect, it } from 'vitest';
import { type Board, boardFrom, byUrgency, countdown, type Held, secondsLeft, type Ticket, withTicket, reloaded } from '../src/board';

const T0 = Date.parse('2026-12-01T15:00:00Z');

function ticket(id: string, overrides: { status?: string; severity?: string; state?: string; remainingSeconds?: number | null; running?: boolean; runningChangesAt?: string | null } = {}): Ticket {
  const { status = 'NEW', severity = 'SEV2', state = 'ON_TRACK', remainingSeconds = 600, running = true, runningChangesAt = null } = overrides;
  return {
    id,
    number: `RS-${id}`,
    severity,
    status,
    sla: { state, remainingSeconds, running, runningChangesAt },
  } as unknown as Ticket;
}

const summary = (counts: [string, string, number][]) =>
  ({ total: 0, byState: [], bySeverityAndState: counts.map(([severity, state, count]) => ({ severity, state, count })) }) as never;

const count = (board: Board, severity: string, state: string) => board.counts[severity as 'SEV1'][state as 'ON_TRACK'];

describe('the board', () => {
  it('moves a ticket between counts as its state changes, and drops it when resolved', () => {
    let board = boardFrom([ticket('1')], summary([['SEV2', 'ON_TRACK', 1]]), T0);
    board = withTicket(board, ticket('1', { state: 'AT_RISK' }), T0 + 1000);
    expect([count(board, 'SEV2', 'ON_TRACK'), count(board, 'SEV2', 'AT_RISK')]).toEqual([0, 1]);
    board = withTicket(board, ticket('2', { severity: 'SEV1' }), T0 + 2000);
    expect(count(board, 'SEV1', 'ON_TRACK')).toBe(1);
    board = withTicket(board, ticket('1', { state: 'AT_RISK', status: 'RESOLVED' }), T0 + 3000);
    expect([...board.tickets.keys()]).toEqual(['2']);
    expect(count(board, 'SEV2', 'AT_RISK')).toBe(0);
  });

  it('keeps, over a read asked for earlier, what was heard since, and what left since', () => {
    let board = boardFrom([ticket('1'), ticket('2')], summary([['SEV2', 'ON_TRACK', 2]]), T0);
    const askedAt = T0 + 1000;
    board = withTicket(board, ticket('1', { state: 'BREACHED' }), T0 + 2000);
    board = withTicket(board, ticket('2', { status: 'RESOLVED' }), T0 + 2500);
    const read = boardFrom([ticket('1'), ticket('2'), ticket('3')], summary([['SEV2', 'ON_TRACK', 3]]), T0 + 3000);
    const merged = reloaded(board, read, askedAt);
    expect(merged.tickets.get('1')!.ticket.sla.state).toBe('BREACHED');
    expect([...merged.tickets.keys()].sort()).toEqual(['1', '3']);
  });

  it('counts down only while the clock runs, and stops where it stops', () => {
    const running: Held = { ticket: ticket('1', { remainingSeconds: 100 }), heardAt: T0 };
    expect(secondsLeft(running, T0 + 30_000)).toBe(70);
    const closing: Held = { ticket: ticket('2', { remainingSeconds: 100, runningChangesAt: new Date(T0 + 10_000).toISOString() }), heardAt: T0 };
    expect(secondsLeft(closing, T0 + 30_000)).toBe(90);
    const night: Held = { ticket: ticket('3', { remainingSeconds: 100, running: false }), heardAt: T0 };
    expect(secondsLeft(night, T0 + 30_000)).toBe(100);
    expect(secondsLeft({ ticket: ticket('4', { remainingSeconds: null }), heardAt: T0 }, T0)).toBeNull();
  });

  it('orders breached first (the longest overdue first), then by time left, paused after running ones', () => {
    const held = (id: string, state: string, remainingSeconds: number): Held => ({ ticket: ticket(id, { state, remainingSeconds, running: state !== 'PAUSED' }), heardAt: T0 });
    const rows = [held('a', 'ON_TRACK', 500), held('b', 'PAUSED', 10), held('c', 'BREACHED', -5), held('d', 'AT_RISK', 60), held('e', 'BREACHED', -300)];
    expect(rows.sort(byUrgency(T0)).map((row) => row.ticket.id)).toEqual(['e', 'c', 'd', 'a', 'b']);
  });

  it('writes countdowns as h:mm:ss or m:ss, with a minus once overdue by a second or more', () => {
    expect([countdown(3723), countdown(725), countdown(5), countdown(-0.4), countdown(-31), countdown(-3700)]).toEqual([
      '1:02:03',
      '12:05',
      '0:05',
      '0:00',
      '-0:31',
      '-1:01:40',
    ]);
  });
});
