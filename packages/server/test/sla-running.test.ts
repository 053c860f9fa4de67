// Whether a cycle's clock counts now and when that changes by time alone (`running`, `runningChangesAt`): what a
// wall screen needs to count `remainingSeconds` down in the cycle's own clock, read through the API at moments
// set on the test clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganization, customerOf, ENGINEER, fileTicket, Person, startTestServer, TestServer } from './helpers/test-server';
import { setStatus } from './helpers/tickets';

const SLA_FIELDS = `sla { metric state remainingSeconds running runningChangesAt cycles { metric state running runningChangesAt } }`;
const WEEKDAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'];

describe('SLA running', () => {
  let server: TestServer;
  const customer = customerOf('acme');
  const slaOf = async (ticketId: string) =>
    (await server.gql(`query($id: ID!) { ticket(id: $id) { ${SLA_FIELDS} } }`, { id: ticketId }, ENGINEER)).data!.ticket.sla;
  /** `running` and `runningChangesAt` of the ticket's current cycle as read at `iso`. */
  const runningAt = async (ticketId: string, iso: string) => {
    server.clock.set(iso);
    const { running, runningChangesAt } = await slaOf(ticketId);
    return { running, runningChangesAt };
  };
  const addNote = async (ticketId: string, as: Person, body: string) => {
    const result = await server.gql(`mutation($input: NoteAddInput!) { noteAdd(input: $input) { note { id } } }`, { input: { ticketId, body } }, as);
    expect(result.errors).toBeUndefined();
  };

  beforeAll(async () => {
    server = await startTestServer();
    await createOrganization(server, 'acme'); // Monday–Friday 09:00–17:00 America/New_York
    await createOrganization(server, 'split', {
      calendar: {
        timezone: 'America/New_York',
        weeklyHours: WEEKDAYS.flatMap((day) => [
          { day, start: '09:00', end: '12:00' },
          { day, start: '12:00', end: '17:00' },
        ]),
        holidays: ['2026-12-25'],
      },
    });
  });
  afterAll(() => server.close());

  it('a business-hours ticket read inside business hours is running until the day’s close', async () => {
    server.clock.set('2026-12-01T15:00:00Z'); // Tue 10:00 EST
    const ticket = await fileTicket(server, customer, { severity: 'SEV3' });
    server.clock.set('2026-12-01T16:00:00Z'); // 11:00 EST
    const sla = await slaOf(ticket.id);
    expect(sla).toMatchObject({ state: 'ON_TRACK', remainingSeconds: 3 * 3600, running: true, runningChangesAt: '2026-12-01T22:00:00.000Z' }); // 17:00 EST
    expect(sla.cycles).toEqual([{ metric: 'FIRST_RESPONSE', state: 'ON_TRACK', running: true, runningChangesAt: '2026-12-01T22:00:00.000Z' }]);
  });

  it('back-to-back business hours are one run: 09:00–12:00 and 12:00–17:00 run until 17:00', async () => {
    server.clock.set('2026-12-01T15:00:00Z'); // Tue 10:00 EST
    const ticket = await fileTicket(server, customerOf('split'), { severity: 'SEV3' });
    expect(await runningAt(ticket.id, '2026-12-01T16:30:00Z')).toEqual({ running: true, runningChangesAt: '2026-12-01T22:00:00.000Z' }); // 11:30 EST
    expect(await runningAt(ticket.id, '2026-12-01T17:00:00Z')).toEqual({ running: true, runningChangesAt: '2026-12-01T22:00:00.000Z' }); // 12:00 EST
  });

  it('read on a Friday evening it is not running until Monday 09:00, and the countdown stands still meanwhile', async () => {
    server.clock.set('2026-12-04T21:00:00Z'); // Fri 16:00 EST
    const ticket = await fileTicket(server, customer, { severity: 'SEV3' });
    server.clock.set('2026-12-04T23:30:00Z'); // Fri 18:30 EST
    const friday = await slaOf(ticket.id);
    expect(friday).toMatchObject({ running: false, runningChangesAt: '2026-12-07T14:00:00.000Z', remainingSeconds: 3 * 3600 }); // Mon 09:00 EST

    server.clock.set('2026-12-07T14:00:00Z'); // Mon 09:00 EST: the clock starts again, until 17:00
    expect(await slaOf(ticket.id)).toMatchObject({ running: true, runningChangesAt: '2026-12-07T22:00:00.000Z', remainingSeconds: 3 * 3600 });
    expect(await runningAt(ticket.id, '2026-12-07T22:00:00Z')).toEqual({ running: false, runningChangesAt: '2026-12-08T14:00:00.000Z' }); // 17:00: until Tue 09:00
  });

  it('the next opening is in the calendar’s time zone, after the fall-back weekend', async () => {
    server.clock.set('2026-10-30T20:00:00Z'); // Fri 16:00 EDT
    const ticket = await fileTicket(server, customer, { severity: 'SEV3' });
    // Fri 18:00 EDT; Monday 09:00 is EST by then: 14:00Z, not 13:00Z.
    expect(await runningAt(ticket.id, '2026-10-30T22:00:00Z')).toEqual({ running: false, runningChangesAt: '2026-11-02T14:00:00.000Z' });
  });

  it('a holiday is not business time: the clock waits for the next working day', async () => {
    server.clock.set('2026-12-24T21:00:00Z'); // Thu 16:00 EST; Fri 25 is a holiday of this calendar
    const ticket = await fileTicket(server, customerOf('split'), { severity: 'SEV3' });
    const monday = { running: false, runningChangesAt: '2026-12-28T14:00:00.000Z' }; // Mon 28 09:00 EST
    expect(await runningAt(ticket.id, '2026-12-24T22:30:00Z')).toEqual(monday); // Thu 17:30 EST
    expect(await runningAt(ticket.id, '2026-12-25T15:00:00Z')).toEqual(monday); // Christmas Day 10:00 EST
  });

  it('a cycle waiting on the customer is not running and changes only when the customer answers', async () => {
    server.clock.set('2026-12-08T15:00:00Z'); // Tue 10:00 EST
    const ticket = await fileTicket(server, customer, { severity: 'SEV3' });
    server.clock.set('2026-12-08T16:00:00Z');
    await setStatus(server, ticket.id, 'WAITING_ON_CUSTOMER');
    expect(await slaOf(ticket.id)).toMatchObject({ state: 'PAUSED', running: false, runningChangesAt: null });
    expect(await runningAt(ticket.id, '2026-12-09T01:00:00Z')).toEqual({ running: false, runningChangesAt: null }); // at night too

    server.clock.set('2026-12-09T15:00:00Z'); // Wed 10:00 EST
    await addNote(ticket.id, customer, 'Here are the logs.');
    expect(await slaOf(ticket.id)).toMatchObject({ state: 'ON_TRACK', running: true, runningChangesAt: '2026-12-09T22:00:00.000Z' });
  });

  it('a stopped cycle is not running, its history included', async () => {
    server.clock.set('2026-12-10T15:00:00Z'); // Thu 10:00 EST
    const ticket = await fileTicket(server, customer, { severity: 'SEV3' });
    server.clock.set('2026-12-10T15:30:00Z');
    await addNote(ticket.id, ENGINEER, 'We are on it.'); // a response stops the cycle
    const sla = await slaOf(ticket.id);
    expect(sla).toMatchObject({ state: 'MET', remainingSeconds: null, running: false, runningChangesAt: null });
    expect(sla.cycles).toEqual([{ metric: 'FIRST_RESPONSE', state: 'MET', running: false, runningChangesAt: null }]);
  });

  it('a SEV1 runs round the clock: running, with no change in sight, at night as by day', async () => {
    server.clock.set('2026-12-12T03:00:00Z'); // Fri 22:00 EST
    const ticket = await fileTicket(server, customer, { severity: 'SEV1' });
    expect(await slaOf(ticket.id)).toMatchObject({ state: 'ON_TRACK', running: true, runningChangesAt: null });
    expect(await runningAt(ticket.id, '2026-12-12T03:30:00Z')).toEqual({ running: true, runningChangesAt: null });
  });
});
