// A support desk's history, written into the app's own tables (created by its migrations) the way the app writes
// them: organizations and users through the ORM; tickets, notes, the audit trail and SLA cycles set-based, a chunk
// of tickets per statement. Each ticket follows a story (filed, assigned, answered, asked for more, answered again,
// resolved, closed) cut off at `now`, and its cycles' due and at-risk times, states and next transitions come from
// the SLA engine (src/sla) on the organization's calendar and the policy's targets, as the SLA tracker's would.
import { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { toGlobalId } from '../../src/common/global-id';
import { uuid7 } from '../../src/common/uuid7';
import { openDatabase } from '../../src/db/orm';
import { TicketEvent, TicketEventType } from '../../src/events/ticket-event.entity';
import { Note, NoteKind, NoteVisibility } from '../../src/notes/note.entity';
import { BusinessCalendar } from '../../src/organizations/calendar';
import { defaultCalendar } from '../../src/organizations/calendar-check';
import { Organization } from '../../src/organizations/organization.entity';
import { Environment, Region, Severity } from '../../src/policy/enums';
import { SlaCycle } from '../../src/sla-cycles/sla-cycle.entity';
import { targetOf } from '../../src/sla-cycles/sla-tracker';
import { compileCalendar, CompiledCalendar } from '../../src/sla/business-calendar';
import { AT_RISK_FRACTION, CycleFacts, cycleState, cycleTimes, nextTransitionAt, SlaTargetSpec } from '../../src/sla/cycle';
import { SlaClock, SlaMetric, SlaState } from '../../src/sla/vocabulary';
import { TicketCategory, TicketStatus } from '../../src/tickets/ticket-enums';
import { Ticket } from '../../src/tickets/ticket.entity';
import { Role, User } from '../../src/users/user.entity';
import { Row, TableWriter } from './table-writer';

export interface DatasetOptions {
  tickets: number;
  organizations: number;
  /** Same seed, same shapes (ids and `now` differ). */
  seed: number;
}

export interface BenchUser {
  id: string;
  sub: string;
  name: string;
  email: string;
  role: Role;
  /** The organization's slug, for customers' tokens. */
  org: string | null;
}

export interface Dataset {
  organizations: { id: string; slug: string; tickets: number }[];
  /** The organization with the most tickets and one of its customers: the customer dashboard's viewer. */
  largest: { id: string; slug: string; tickets: number; customer: BenchUser };
  engineers: BenchUser[];
  /** An open ticket of `largest` whose status the fan-out job toggles. */
  fanoutTicketId: string;
  counts: { tickets: number; notes: number; events: number; cycles: number; users: number };
  openTickets: number;
  seconds: number;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;
const CHUNK = 2_000;
const REGIONS = Object.values(Region);

/** mulberry32: a small seeded generator, so that two runs draw the same dataset. */
function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'checkout payment gateway login portal report export import invoice dashboard api webhook latency timeout error ' +
  'database replica backup restore certificate sso saml token upload download search index queue worker cluster ' +
  'node memory disk network firewall proxy dns email notification schedule sync mobile browser plugin license'
).split(' ');
const VERBS = ['fails', 'is slow', 'returns 500', 'times out', 'shows wrong totals', 'is unavailable', 'drops requests', 'hangs'];

/** A realistic mix of severities: few SEV1, mostly SEV3. */
function severityOf(draw: number): Severity {
  if (draw < 0.05) return Severity.SEV1;
  if (draw < 0.25) return Severity.SEV2;
  if (draw < 0.7) return Severity.SEV3;
  return Severity.SEV4;
}

interface OrganizationPlan {
  entity: Organization;
  calendar: CompiledCalendar;
  targets: Map<Severity, SlaTargetSpec>;
  customers: BenchUser[];
  tickets: number;
}

/** The rows of one chunk of tickets. */
class Chunk {
  tickets: Row<Ticket>[] = [];
  cycles: Row<SlaCycle>[] = [];
  notes: Row<Note>[] = [];
  events: Row<TicketEvent>[] = [];
}

/** One ticket's story, cut off at `now`: what happened by then is written, the rest did not happen yet. */
class Story {
  private lastAt: number;
  status: TicketStatus = TicketStatus.NEW;
  resolvedAt: number | null = null;
  closedAt: number | null = null;
  private cycle: { row: Row<SlaCycle>; facts: CycleFacts; state: SlaState } | null = null;

  constructor(
    private readonly chunk: Chunk,
    private readonly now: number,
    readonly ticketId: string,
    private readonly organization: OrganizationPlan,
    private readonly target: SlaTargetSpec,
    createdAt: number,
  ) {
    this.lastAt = createdAt;
  }

  /** Whether the story has reached `now`: nothing at or after it happens. */
  over(at: number): boolean {
    return at >= this.now;
  }

  get updatedAt(): number {
    return this.lastAt;
  }

  event(type: TicketEventType, actorId: string | null, at: number, data: Record<string, unknown>, internal = false): void {
    this.chunk.events.push({ id: uuid7(), ticket: this.ticketId, type, actor: actorId, at: new Date(at), data, internal });
    this.lastAt = Math.max(this.lastAt, at);
  }

  note(author: BenchUser, at: number, kind: NoteKind, visibility: NoteVisibility, body: string): string {
    const id = uuid7();
    this.chunk.notes.push({ id, ticket: this.ticketId, author: author.id, body, kind, visibility, createdAt: new Date(at) });
    this.event(TicketEventType.NOTE_ADDED, author.id, at, { noteId: toGlobalId('Note', id), kind, visibility }, visibility === NoteVisibility.INTERNAL);
    return toGlobalId('Note', id);
  }

  changeStatus(actor: BenchUser, at: number, to: TicketStatus): void {
    this.event(TicketEventType.STATUS_CHANGED, actor.id, at, { from: this.status, to });
    if (to === TicketStatus.RESOLVED) this.resolvedAt = at;
    if (to === TicketStatus.CLOSED) this.closedAt = at;
    this.status = to;
  }

  /** A cycle starts (SlaTracker.start): its times from the engine. Returns its due time. */
  startCycle(metric: SlaMetric, actorId: string, at: number): number {
    const facts: CycleFacts = { metric, startedAt: at, target: this.target, pauses: [], stoppedAt: null };
    const times = cycleTimes(this.organization.calendar, facts);
    const row: Row<SlaCycle> = {
      id: uuid7(),
      ticket: this.ticketId,
      metric,
      startedAt: new Date(at),
      targetSeconds: this.target.seconds,
      clock: this.target.clock,
      pauses: [],
      stoppedAt: null,
      respondedAt: null,
      dueAt: new Date(times.dueAt!),
      atRiskAt: new Date(times.atRiskAt!),
      state: SlaState.ON_TRACK,
      nextTransitionAt: new Date(times.atRiskAt!),
    };
    this.chunk.cycles.push(row);
    this.cycle = { row, facts, state: SlaState.ON_TRACK };
    this.event(TicketEventType.SLA_CYCLE_STARTED, actorId, at, { metric, targetSeconds: this.target.seconds, clock: this.target.clock, dueAt: new Date(times.dueAt!).toISOString() });
    return times.dueAt!;
  }

  /** The SLA timer's transitions (AT_RISK, BREACHED) that fell due before `until`, recorded at their moment. */
  timePasses(until: number): void {
    const cycle = this.cycle!;
    const { calendar } = this.organization;
    let at = nextTransitionAt(calendar, cycle.facts, cycle.facts.startedAt);
    while (at !== null && at < until) {
      const state = cycleState(calendar, cycle.facts, at);
      if (state !== cycle.state) {
        this.event(TicketEventType.SLA_STATE_CHANGED, null, at, { metric: cycle.facts.metric, from: cycle.state, to: state });
        cycle.state = state;
      }
      const next = nextTransitionAt(calendar, cycle.facts, at);
      at = next !== null && next > at ? next : null;
    }
  }

  /** A response stops the running cycle (SlaTracker.stopRunning): MET by its due time, else BREACHED. */
  stopCycle(responder: BenchUser, at: number): void {
    const cycle = this.cycle!;
    cycle.facts.stoppedAt = at;
    const state = cycleState(this.organization.calendar, cycle.facts, at);
    Object.assign(cycle.row, { stoppedAt: new Date(at), respondedAt: new Date(at), state, nextTransitionAt: null });
    if (state !== cycle.state) this.event(TicketEventType.SLA_STATE_CHANGED, responder.id, at, { metric: cycle.facts.metric, from: cycle.state, to: state });
    this.event(TicketEventType.SLA_CYCLE_STOPPED, responder.id, at, { metric: cycle.facts.metric, reason: 'RESPONDED', state });
    cycle.state = state;
  }

  /** The cycle as stored at `now`, and the ticket's copy of its state and due time. */
  finish(): { slaState: SlaState; slaDueAt: Date | null } {
    const cycle = this.cycle!;
    const { calendar } = this.organization;
    if (cycle.facts.stoppedAt === null) this.timePasses(this.now);
    const state = cycle.facts.stoppedAt === null ? cycleState(calendar, cycle.facts, this.now) : cycle.state;
    const next = nextTransitionAt(calendar, cycle.facts, this.now);
    Object.assign(cycle.row, { state, nextTransitionAt: next === null ? null : new Date(next) });
    return { slaState: state, slaDueAt: cycle.facts.stoppedAt === null ? (cycle.row.dueAt as Date) : null };
  }
}

export class DatasetWriter {
  private readonly random: () => number;
  private readonly writers;
  /** What write() drew, for the burst's tickets. */
  private organizations: OrganizationPlan[] = [];
  private engineers: BenchUser[] = [];

  private constructor(
    private readonly orm: MikroORM,
    private readonly pool: pg.Pool,
    seed: number,
    /** Foreign keys are checked: tables are written one after the other, parents first. */
    private readonly checked: boolean,
  ) {
    this.random = randomSource(seed);
    this.writers = {
      tickets: new TableWriter(orm, Ticket),
      cycles: new TableWriter(orm, SlaCycle),
      notes: new TableWriter(orm, Note),
      events: new TableWriter(orm, TicketEvent),
    };
  }

  /** Migrates the database with the app's migrations and opens the writer on it. */
  static async open(url: string, seed: number): Promise<DatasetWriter> {
    const orm = await openDatabase({ url });
    // A bulk load: commits need not wait for the disk, and the rows are consistent by construction, so the foreign
    // keys' per-row triggers are skipped (session_replication_role, superusers only; else checked as usual).
    let pool = new pg.Pool({ connectionString: url, max: 4, options: '-c synchronous_commit=off -c session_replication_role=replica' });
    let checked = false;
    try {
      await pool.query('select 1');
    } catch {
      await pool.end();
      pool = new pg.Pool({ connectionString: url, max: 4, options: '-c synchronous_commit=off' });
      checked = true;
    }
    pool.on('error', (error) => console.error(`dataset connection: ${error.message}`));
    return new DatasetWriter(orm, pool, seed, checked);
  }

  async close(): Promise<void> {
    await this.pool.end();
    await this.orm.close();
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  private between(min: number, max: number): number {
    return min + this.random() * (max - min);
  }

  private sentence(words: number): string {
    return Array.from({ length: words }, () => this.pick(WORDS)).join(' ');
  }

  async write(options: DatasetOptions): Promise<Dataset> {
    const started = performance.now();
    const now = Date.now();
    const { organizations, staff } = await this.people(options.organizations, now);
    const engineers = staff.filter((user) => user.role === Role.ENGINEER);
    const managers = staff.filter((user) => user.role === Role.MANAGER);
    this.organizations = organizations;
    this.engineers = engineers;

    // A few large customers and many small ones (Zipf): the largest has about a fifth of the tickets.
    const weights = organizations.map((_, index) => 1 / (index + 1));
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    const cumulative: number[] = [];
    weights.reduce((sum, weight) => (cumulative.push((sum + weight) / total), sum + weight), 0);
    const organizationAt = (draw: number) => organizations[Math.min(organizations.length - 1, cumulative.findIndex((edge) => draw <= edge))]!;

    // Filing times over the last year, more of them recent; numbered in filing order, as the sequence would.
    const filedAt = Array.from({ length: options.tickets }, () => now - 2 * MINUTE - 365 * DAY * this.random() ** 1.4).sort((a, b) => a - b);
    const counts = { tickets: 0, notes: 0, events: 0, cycles: 0, users: staff.length + organizations.reduce((sum, plan) => sum + plan.customers.length, 0) };
    let openTickets = 0;
    let fanoutTicketId: string | null = null;
    let chunk = new Chunk();
    // The previous chunk is written while the next is drawn: the loop yields to the event loop now and then.
    let flushing: Promise<void> = Promise.resolve();
    for (let index = 0; index < options.tickets; index += 1) {
      if (index % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
      const organization = organizationAt(this.random());
      organization.tickets += 1;
      const story = this.story(chunk, now, organization, filedAt[index]!, 1001 + index, { engineers, managers });
      if (story.status !== TicketStatus.RESOLVED && story.status !== TicketStatus.CLOSED) {
        openTickets += 1;
        if (organization === organizations[0] && (story.status === TicketStatus.IN_PROGRESS || story.status === TicketStatus.WAITING_ON_CUSTOMER)) {
          fanoutTicketId = story.ticketId;
        }
      }
      if (chunk.tickets.length >= CHUNK || index === options.tickets - 1) {
        counts.tickets += chunk.tickets.length;
        counts.notes += chunk.notes.length;
        counts.events += chunk.events.length;
        counts.cycles += chunk.cycles.length;
        await flushing;
        flushing = this.flush(chunk);
        chunk = new Chunk();
      }
    }
    await flushing;
    await this.pool.query(`select setval('ticket_number_seq', $1)`, [1000 + Math.max(1, options.tickets)]);
    await this.pool.query('vacuum analyze');
    const largest = organizations[0]!;
    fanoutTicketId ??= await this.openTicket(largest.entity.id);
    return {
      organizations: organizations.map(({ entity, tickets }) => ({ id: entity.id, slug: entity.slug, tickets })),
      largest: { id: largest.entity.id, slug: largest.entity.slug, tickets: largest.tickets, customer: largest.customers[0]! },
      engineers,
      fanoutTicketId,
      counts,
      openTickets,
      seconds: (performance.now() - started) / 1000,
    };
  }

  private async flush(chunk: Chunk): Promise<void> {
    const { tickets, cycles, notes, events } = this.writers;
    if (this.checked) {
      await tickets.insert(this.pool, chunk.tickets);
      for (const [writer, rows] of [[cycles, chunk.cycles], [notes, chunk.notes], [events, chunk.events]] as const) await writer.insert(this.pool, rows as never[]);
      return;
    }
    await Promise.all([tickets.insert(this.pool, chunk.tickets), cycles.insert(this.pool, chunk.cycles), notes.insert(this.pool, chunk.notes), events.insert(this.pool, chunk.events)]);
  }

  /** Organizations (calendars, a few with holidays) and their customers, and the vendor's staff, through the ORM. */
  private async people(count: number, now: number): Promise<{ organizations: OrganizationPlan[]; staff: BenchUser[] }> {
    const em = this.orm.em.fork();
    const at = new Date(now - 400 * DAY);
    const year = new Date(now).getUTCFullYear();
    const plans: OrganizationPlan[] = [];
    for (let index = 0; index < count; index += 1) {
      const region = REGIONS[index % REGIONS.length]!;
      const calendar: BusinessCalendar = defaultCalendar(region);
      if (index % 3 === 0) calendar.holidays = [`${year - 1}-12-25`, `${year}-01-01`, `${year}-12-25`];
      const slug = `org-${String(index + 1).padStart(3, '0')}`;
      const entity = em.create(Organization, {
        slug,
        name: `Customer ${index + 1} Inc.`,
        region,
        accountManagerEmail: `am-${index + 1}@vendor.example`,
        calendar,
        createdAt: at,
        updatedAt: at,
      });
      plans.push({ entity, calendar: compileCalendar(calendar), targets: new Map(), customers: [], tickets: 0 });
    }
    const users: BenchUser[] = [];
    const person = (sub: string, name: string, role: Role, organization: Organization | null): BenchUser => {
      const email = `${sub}@${organization ? `${organization.slug}.example` : 'vendor.example'}`;
      const user = em.create(User, { sub, name, email, role, organization, createdAt: at, lastSeenAt: at });
      const benchUser = { id: user.id, sub, name, email, role, org: organization?.slug ?? null };
      users.push(benchUser);
      return benchUser;
    };
    plans.forEach((plan, index) => {
      const customers = 3 + Math.round(60 / (index + 1));
      for (let n = 1; n <= customers; n += 1) plan.customers.push(person(`bench-customer-${plan.entity.slug}-${n}`, `Customer ${n} of ${plan.entity.name}`, Role.CUSTOMER, plan.entity));
    });
    for (let n = 1; n <= 40; n += 1) person(`bench-engineer-${n}`, `Engineer ${n}`, Role.ENGINEER, null);
    for (let n = 1; n <= 5; n += 1) person(`bench-manager-${n}`, `Manager ${n}`, Role.MANAGER, null);
    person('bench-admin-1', 'Admin 1', Role.ADMIN, null);
    await em.flush();
    for (const plan of plans) {
      for (const severity of Object.values(Severity)) plan.targets.set(severity, await targetOf(em, plan.entity, severity));
    }
    return { organizations: plans, staff: users.filter((user) => user.role !== Role.CUSTOMER) };
  }

  /** One ticket's rows: filed, assigned, first response, a question back, sometimes an update request, resolved, closed. */
  private story(chunk: Chunk, now: number, organization: OrganizationPlan, createdAt: number, number: number, staff: { engineers: BenchUser[]; managers: BenchUser[] }): Story {
    const severity = severityOf(this.random());
    const environment = severity === Severity.SEV1 || severity === Severity.SEV2 || this.random() < 0.7 ? Environment.PRODUCTION : Environment.NON_PRODUCTION;
    const category = this.random() < 0.6 ? TicketCategory.INCIDENT : TicketCategory.QUESTION;
    const requester = this.pick(organization.customers);
    const assignee = this.random() < 0.85 ? this.pick(staff.engineers) : null;
    const engineer = assignee ?? this.pick(staff.engineers);
    const id = randomUUID();
    const story = new Story(chunk, now, id, organization, organization.targets.get(severity)!, createdAt);
    story.event(TicketEventType.CREATED, requester.id, createdAt, { severity, environment, category, relatedTicketId: null });
    let dueAt = story.startCycle(SlaMetric.FIRST_RESPONSE, requester.id, createdAt);
    let at = createdAt + this.between(2, 30) * MINUTE;
    if (assignee && !story.over(at)) {
      story.event(TicketEventType.ASSIGNED, this.pick(staff.managers).id, at, { fromAssigneeId: null, toAssigneeId: toGlobalId('User', assignee.id) });
    }
    // Most first responses come within the target, some late; a few tickets are left waiting a long time.
    const respondedAt = createdAt + Math.max(at - createdAt, (dueAt - createdAt) * (this.random() < 0.8 ? this.between(0.1, 0.95) : this.between(1.05, 3)));
    const steps: [number, () => void][] = [
      [respondedAt, () => {
        story.timePasses(respondedAt);
        story.note(engineer, respondedAt, NoteKind.RESPONSE, NoteVisibility.PUBLIC, `Thanks for reporting. We are looking at the ${this.sentence(3)}; can you share the exact time and request id?`);
        story.stopCycle(engineer, respondedAt);
        story.changeStatus(engineer, respondedAt, TicketStatus.IN_PROGRESS);
      }],
    ];
    at = respondedAt + this.between(5, 60) * MINUTE;
    const internalAt = at;
    steps.push([internalAt, () => story.note(engineer, internalAt, NoteKind.COMMENT, NoteVisibility.INTERNAL, `Internal: ${this.sentence(12)}`)]);
    // Half the time support waits for the customer's answer (WAITING_ON_CUSTOMER until the customer's note).
    const waits = this.random() < 0.5;
    at += this.between(5, 30) * MINUTE;
    const waitingAt = at;
    if (waits) steps.push([waitingAt, () => story.changeStatus(engineer, waitingAt, TicketStatus.WAITING_ON_CUSTOMER)]);
    at += this.between(1, 48) * HOUR;
    const answerAt = at;
    steps.push([answerAt, () => {
      story.note(requester, answerAt, NoteKind.COMMENT, NoteVisibility.PUBLIC, `It happened at ${new Date(answerAt).toISOString()}: ${this.sentence(20)}`);
      if (waits) story.changeStatus(requester, answerAt, TicketStatus.IN_PROGRESS);
    }]);
    at += this.between(1, 24) * HOUR;
    const secondResponseAt = at;
    steps.push([secondResponseAt, () => story.note(engineer, secondResponseAt, NoteKind.RESPONSE, NoteVisibility.PUBLIC, `We found the cause: ${this.sentence(15)}. A fix is being rolled out.`)]);
    if (this.random() < 0.3) {
      at += this.between(2, 72) * HOUR;
      const requestedAt = at;
      const answeredAfter = this.random();
      steps.push([requestedAt, () => {
        const noteId = story.note(requester, requestedAt, NoteKind.UPDATE_REQUEST, NoteVisibility.PUBLIC, `Any update on this? ${this.sentence(8)}`);
        dueAt = story.startCycle(SlaMetric.NEXT_RESPONSE, requester.id, requestedAt);
        story.event(TicketEventType.UPDATE_REQUESTED, requester.id, requestedAt, { noteId, notified: [engineer.email] });
        const updateAt = requestedAt + (dueAt - requestedAt) * (answeredAfter < 0.85 ? 0.2 + answeredAfter * 0.8 : 1 + answeredAfter);
        steps.push([updateAt, () => {
          story.timePasses(updateAt);
          story.note(engineer, updateAt, NoteKind.RESPONSE, NoteVisibility.PUBLIC, `Update: ${this.sentence(14)}`);
          story.stopCycle(engineer, updateAt);
        }]);
      }]);
    }
    // Run the steps in order; a step may add the next (the response to an update request).
    for (let step = 0; step < steps.length; step += 1) {
      steps.sort((a, b) => a[0] - b[0]);
      const [when, happen] = steps[step]!;
      if (story.over(when)) break;
      happen();
    }
    const last = Math.max(...steps.map(([when]) => when));
    // Stale tickets stay open: about 3% are never resolved.
    if (!story.over(last) && this.random() > 0.03) {
      const thanksAt = last + this.between(1, 12) * HOUR;
      const resolvedAt = thanksAt + this.between(1, 72) * HOUR;
      const closedAt = resolvedAt + this.between(1, 5) * DAY;
      if (!story.over(thanksAt) && this.random() < 0.5) story.note(requester, thanksAt, NoteKind.COMMENT, NoteVisibility.PUBLIC, 'Thanks, that fixed it.');
      if (!story.over(resolvedAt)) story.changeStatus(engineer, resolvedAt, TicketStatus.RESOLVED);
      if (!story.over(closedAt)) story.changeStatus(this.random() < 0.5 ? requester : engineer, closedAt, TicketStatus.CLOSED);
    }
    const sla = story.finish();
    chunk.tickets.push({
      id,
      number,
      title: `${this.pick(WORDS)} ${this.pick(WORDS)} ${this.pick(VERBS)} for ${this.pick(WORDS)} users`,
      description: `Since ${new Date(createdAt).toISOString()} ${this.sentence(40)}. Steps: ${this.sentence(20)}.`,
      severity,
      environment,
      category,
      status: story.status,
      organization: organization.entity.id,
      requester: requester.id,
      assignee: assignee?.id ?? null,
      relatedTicket: null,
      idempotencyKey: null,
      createdAt: new Date(createdAt),
      updatedAt: new Date(story.updatedAt),
      resolvedAt: story.resolvedAt === null ? null : new Date(story.resolvedAt),
      closedAt: story.closedAt === null ? null : new Date(story.closedAt),
      slaState: sla.slaState,
      slaDueAt: sla.slaDueAt,
    });
    return story;
  }

  /**
   * `count` open SEV1 tickets, one per organization in turn, filed so that their first-response cycles reach AT_RISK
   * at `atRiskAt` (75% of the calendar-clock target before it), as stored a moment after filing: ON_TRACK, the next
   * transition at `atRiskAt`.
   */
  async burst(count: number, atRiskAt: Date): Promise<{ ticketIds: string[]; atRiskAt: Date; dueAt: Date }> {
    const moment = atRiskAt.getTime();
    const { rows } = await this.pool.query<{ number: string }>(`select nextval('ticket_number_seq') as number from generate_series(1, $1)`, [count]);
    const chunk = new Chunk();
    const dueTimes = new Set<number>();
    for (let index = 0; index < count; index += 1) {
      const organization = this.organizations[index % this.organizations.length]!;
      const target = organization.targets.get(Severity.SEV1)!;
      if (target.clock !== SlaClock.CALENDAR) throw new Error('The burst needs SEV1 on the calendar clock (the default policy), so that all cycles share one moment.');
      const filedAt = moment - Math.round(target.seconds * 1000 * AT_RISK_FRACTION);
      const requester = organization.customers[index % organization.customers.length]!;
      const engineer = this.engineers[index % this.engineers.length]!;
      const story = new Story(chunk, Date.now(), randomUUID(), organization, target, filedAt);
      story.event(TicketEventType.CREATED, requester.id, filedAt, { severity: Severity.SEV1, environment: Environment.PRODUCTION, category: TicketCategory.INCIDENT, relatedTicketId: null });
      dueTimes.add(story.startCycle(SlaMetric.FIRST_RESPONSE, requester.id, filedAt));
      story.event(TicketEventType.ASSIGNED, engineer.id, filedAt + MINUTE, { fromAssigneeId: null, toAssigneeId: toGlobalId('User', engineer.id) });
      const sla = story.finish();
      const next = chunk.cycles[chunk.cycles.length - 1]!.nextTransitionAt as Date;
      if (next.getTime() !== moment || sla.slaState !== SlaState.ON_TRACK) throw new Error(`A burst cycle would turn at ${next.toISOString()}, not ${atRiskAt.toISOString()}.`);
      chunk.tickets.push({
        id: story.ticketId,
        number: Number(rows[index]!.number),
        title: `Burst ${index + 1}: checkout down in ${organization.entity.name}`,
        description: 'Every payment fails with a 500 since the last deployment.',
        severity: Severity.SEV1,
        environment: Environment.PRODUCTION,
        category: TicketCategory.INCIDENT,
        status: TicketStatus.NEW,
        organization: organization.entity.id,
        requester: requester.id,
        assignee: engineer.id,
        relatedTicket: null,
        idempotencyKey: null,
        createdAt: new Date(filedAt),
        updatedAt: new Date(story.updatedAt),
        resolvedAt: null,
        closedAt: null,
        slaState: sla.slaState,
        slaDueAt: sla.slaDueAt,
      });
    }
    if (dueTimes.size !== 1) throw new Error('The burst cycles do not share one due time.');
    // Parents first: a burst is written while a server runs, with the foreign keys checked or not.
    const { tickets, cycles, events } = this.writers;
    await tickets.insert(this.pool, chunk.tickets);
    await Promise.all([cycles.insert(this.pool, chunk.cycles), events.insert(this.pool, chunk.events)]);
    return { ticketIds: chunk.tickets.map((ticket) => ticket.id as string), atRiskAt, dueAt: new Date([...dueTimes][0]!) };
  }

  /**
   * Removes the tickets `where` selects (a condition on `ticket`) with every row about them, children first and
   * set-based: a cascading delete checks the unindexed self-reference (related_ticket_id) once per ticket, which
   * took minutes for the floor's 20,000 new tickets.
   */
  async removeTickets(where: string, values: unknown[] = []): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      const gone = `select id from ticket where ${where}`;
      await client.query(`delete from ticket_event where ticket_id in (${gone})`, values);
      await client.query(`delete from sla_cycle where ticket_id in (${gone})`, values);
      await client.query(`delete from severity_change_request where ticket_id in (${gone})`, values);
      await client.query(`delete from escalation where ticket_id in (${gone})`, values);
      await client.query(`delete from notification where ticket_id in (${gone})`, values);
      await client.query(`delete from note where ticket_id in (${gone})`, values);
      await client.query(`update ticket set related_ticket_id = null where related_ticket_id in (${gone})`, values);
      await client.query(`delete from ticket where ${where}`, values);
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  /** A ticket that is not closed, preferably in progress and of `organizationId` (a small history may have none). */
  private async openTicket(organizationId: string): Promise<string> {
    const { rows } = await this.pool.query<{ id: string }>(
      `select id from ticket where status <> 'CLOSED'
        order by status in ('IN_PROGRESS', 'WAITING_ON_CUSTOMER') desc, organization_id = $1 desc, created_at desc limit 1`,
      [organizationId],
    );
    if (!rows[0]) throw new Error('The dataset has no open ticket to change the status of: generate more tickets (--tickets).');
    return rows[0].id;
  }
}
