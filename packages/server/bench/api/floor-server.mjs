// The floor of the stack: node:http, pg and ws answering what the bench asks of Escalate with one SQL statement
// each and no framework, no ORM, no authentication. What it takes is the least the same work can cost on this
// machine. It uses the app's SLA engine (the built dist/sla) to time a new ticket's cycle, as the app does.
//
//   GET  /dashboard[?organization=<uuid>]  the dashboard page: 50 newest tickets with organization, requester,
//                                          assignee, first 3 notes (public only for an organization) with authors,
//                                          the current cycle's state and due time, and the total count
//   POST /tickets                          files a ticket: ticket, first cycle and two events, one statement
//   POST /status                           changes a ticket's status, broadcasts it to every WebSocket (one JSON)
//   WebSocket /ws                          receives status changes and SLA transitions
// An SLA timer sleeps until the next due transition and records all that are due with one statement.
import { Buffer } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { WebSocketServer } from 'ws';

const require = createRequire(import.meta.url);
const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');
const { compileCalendar } = require(path.join(dist, 'sla', 'business-calendar.js'));
const { cycleTimes } = require(path.join(dist, 'sla', 'cycle.js'));
const { targetFor } = require(path.join(dist, 'sla', 'targets.js'));

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

const DASHBOARD = `
  select json_build_object(
    'tickets', coalesce(json_agg(page order by page."createdAt" desc, page.number desc), '[]')
  )::text as body
  from (
    select t.id, t.number, t.title, t.severity, t.status, t.created_at as "createdAt",
      json_build_object('name', o.name) as organization,
      json_build_object('name', r.name, 'email', r.email) as requester,
      case when a.id is null then null else json_build_object('name', a.name) end as assignee,
      (select coalesce(json_agg(json_build_object('body', n.body, 'kind', n.kind, 'createdAt', n.created_at, 'author', json_build_object('name', u.name))
                                order by n.created_at, n.id), '[]')
         from (select * from note n where n.ticket_id = t.id and ($1::uuid is null or n.visibility = 'PUBLIC')
               order by n.created_at, n.id limit 3) n
         join app_user u on u.id = n.author_id) as notes,
      (select json_build_object('state', c.state, 'dueAt', c.due_at) from sla_cycle c
        where c.ticket_id = t.id order by c.started_at desc, c.id desc limit 1) as sla
    from ticket t
    join organization o on o.id = t.organization_id
    join app_user r on r.id = t.requester_id
    left join app_user a on a.id = t.assignee_id
    where $1::uuid is null or t.organization_id = $1
    order by t.created_at desc, t.number desc
    limit 50
  ) page`;

const CREATE = `
  with t as (
    insert into ticket (id, number, title, description, severity, environment, category, status, organization_id, requester_id,
                        idempotency_key, created_at, updated_at, sla_state, sla_due_at)
    values ($1, nextval('ticket_number_seq'), $2, $3, $4, $5, $6, 'NEW', $7, $8, $9, $10, $10, 'ON_TRACK', $11)
    on conflict (requester_id, idempotency_key) do nothing
    returning id, number
  ), cycle as (
    insert into sla_cycle (id, ticket_id, metric, started_at, target_seconds, clock, pauses, due_at, at_risk_at, state, next_transition_at)
    select $12, t.id, 'FIRST_RESPONSE', $10, $13, $14, '[]', $11, $15, 'ON_TRACK', $15 from t
  ), events as (
    insert into ticket_event (id, ticket_id, type, actor_id, at, data, internal)
    select v.id, t.id, v.type, $8, $10, v.data, false
    from t cross join (values ($16::uuid, 'CREATED', $17::jsonb), ($18::uuid, 'SLA_CYCLE_STARTED', $19::jsonb)) v(id, type, data)
  )
  select id, number from t`;

const STATUS = `
  with old as (select id, status from ticket where id = $1 for update),
  changed as (
    update ticket t set status = $2, updated_at = now(), version = t.version + 1 from old where t.id = old.id
    returning t.id, t.number, t.organization_id, t.severity, t.sla_state, t.sla_due_at, old.status as "from", t.status as "to", t.updated_at as at
  ), event as (
    insert into ticket_event (id, ticket_id, type, actor_id, at, data, internal)
    select gen_random_uuid(), id, 'STATUS_CHANGED', null, at, json_build_object('from', "from", 'to', "to"), false from changed
  )
  select json_build_object('ticketStatusChanged', json_build_object(
    'ticket', json_build_object('id', id, 'number', number, 'status', "to", 'severity', severity, 'sla', json_build_object('state', sla_state, 'dueAt', sla_due_at)),
    'from', "from", 'to', "to", 'at', at))::text as message
  from changed`;

/** Every transition due by now, in one statement: the cycle, its event and the ticket's copy of the state. */
const TRANSITIONS = `
  with due as (
    select id, ticket_id, metric, state as previous, due_at, next_transition_at as at,
           case when due_at <= now() then 'BREACHED' else 'AT_RISK' end as state
    from sla_cycle where next_transition_at <= now()
    order by next_transition_at limit 20000 for update skip locked
  ), moved as (
    update sla_cycle c set state = due.state, next_transition_at = case when due.state = 'AT_RISK' then due.due_at end
    from due where c.id = due.id
  ), events as (
    insert into ticket_event (id, ticket_id, type, actor_id, at, data, internal)
    select gen_random_uuid(), ticket_id, 'SLA_STATE_CHANGED', null, at, json_build_object('metric', metric, 'from', previous, 'to', state), false from due
  ), tickets as (
    update ticket t set sla_state = due.state from due where t.id = due.ticket_id
  )
  select json_build_object('slaStatusChanged', json_build_object('ticket', json_build_object('id', ticket_id), 'metric', metric,
    'previousState', previous, 'state', state, 'at', at))::text as message
  from due`;

const levels = (await pool.query('select severity, target_seconds as "targetSeconds", clock from severity_level')).rows;
/** Organizations' calendars and own targets, read once: the floor does not follow changes to them. */
const organizations = new Map();
async function organization(id) {
  let known = organizations.get(id);
  if (!known) {
    const { rows } = await pool.query('select calendar, policy from organization where id = $1', [id]);
    known = { calendar: compileCalendar(rows[0].calendar), overrides: rows[0].policy };
    organizations.set(id, known);
  }
  return known;
}

function body(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    request.on('error', reject);
  });
}

async function createTicket(input) {
  const now = Date.now();
  const { calendar, overrides } = await organization(input.organizationId);
  const target = targetFor(input.severity, levels, overrides);
  const times = cycleTimes(calendar, { metric: 'FIRST_RESPONSE', startedAt: now, target, pauses: [], stoppedAt: null });
  const dueAt = new Date(times.dueAt).toISOString();
  const created = JSON.stringify({ severity: input.severity, environment: input.environment, category: input.category, relatedTicketId: null });
  const started = JSON.stringify({ metric: 'FIRST_RESPONSE', targetSeconds: target.seconds, clock: target.clock, dueAt });
  const { rows } = await pool.query(CREATE, [
    randomUUID(), input.title, input.description, input.severity, input.environment, input.category, input.organizationId, input.requesterId,
    input.idempotencyKey, new Date(now).toISOString(), dueAt, randomUUID(), target.seconds, target.clock, new Date(times.atRiskAt).toISOString(),
    randomUUID(), created, randomUUID(), started,
  ]);
  return rows[0] ?? null;
}

const server = http.createServer(async (request, response) => {
  try {
    const url = new URL(request.url, 'http://floor');
    if (request.method === 'GET' && url.pathname === '/dashboard') {
      const { rows } = await pool.query(DASHBOARD, [url.searchParams.get('organization')]);
      response.writeHead(200, { 'content-type': 'application/json' }).end(rows[0].body);
    } else if (request.method === 'POST' && url.pathname === '/tickets') {
      const ticket = await createTicket(await body(request));
      response.writeHead(ticket ? 200 : 409, { 'content-type': 'application/json' }).end(JSON.stringify({ ticket }));
    } else if (request.method === 'POST' && url.pathname === '/status') {
      const input = await body(request);
      const { rows } = await pool.query(STATUS, [input.ticketId, input.status]);
      if (rows[0]) for (const socket of sockets.clients) socket.send(rows[0].message);
      response.writeHead(rows[0] ? 200 : 404, { 'content-type': 'application/json' }).end(rows[0]?.message ?? '{}');
    } else {
      response.writeHead(404).end();
    }
  } catch (error) {
    response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error?.message ?? error));
  }
});
const sockets = new WebSocketServer({ server, path: '/ws' });

let stopping = false;
/** Sleeps until the next transition is due (at most a second, to see new earlier ones), then records what is due. */
async function slaTimer() {
  while (!stopping) {
    try {
      const { rows } = await pool.query(TRANSITIONS);
      for (const { message } of rows) for (const socket of sockets.clients) socket.send(message);
      const [{ next }] = (await pool.query('select min(next_transition_at) as next from sla_cycle')).rows;
      await sleep(Math.max(0, Math.min(1000, next ? new Date(next).getTime() - Date.now() : 1000)));
    } catch (error) {
      if (!stopping) console.error(`floor SLA timer: ${error.message}`);
      await sleep(1000);
    }
  }
}

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`floor listening on http://127.0.0.1:${server.address().port}`);
  void slaTimer();
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    stopping = true;
    for (const socket of sockets.clients) socket.terminate();
    server.close();
    server.closeAllConnections();
    pool.end().finally(() => process.exit(0));
  });
}
