// The wall screen: open tickets by urgency with live countdowns, the SLA counts in a header, filters kept in the URL,
// a connection banner. Live through two subscriptions (SLA changes and status changes carry the ticket as it is now);
// no polling. After a reconnect the SDK replays what was missed, and the screen reads everything again as well.
import { AuthenticationError, createClient, EscalateError, type EscalateClient, type OrganizationFieldsFragment, type Severity, type SlaState } from '@escalate/sdk';
import { type FormEvent, useEffect, useMemo, useRef, useState } from 'react';
import { type Board, boardFrom, byUrgency, countdown, type Held, OPEN_STATUSES, reloaded, secondsLeft, SEVERITIES, STATES, type Ticket, withTicket } from './board';

interface Filters {
  severities: Severity[];
  organizationId: string | null;
}

/** `?severity=SEV1,SEV2&organization=<id>`: a bookmarked wall screen opens filtered. */
function filtersFromUrl(): Filters {
  const params = new URLSearchParams(location.search);
  const severities = (params.get('severity') ?? '').split(',').filter((value): value is Severity => SEVERITIES.includes(value as Severity));
  return { severities, organizationId: params.get('organization') || null };
}

function saveFiltersToUrl({ severities, organizationId }: Filters): void {
  const params = new URLSearchParams();
  if (severities.length) params.set('severity', severities.join(','));
  if (organizationId) params.set('organization', organizationId);
  const search = params.toString();
  history.replaceState(null, '', `${location.pathname}${search ? `?${search}` : ''}`);
}

export function App({ token, saveToken }: { token: string | null; saveToken: (token: string | null) => void }) {
  const [current, setCurrent] = useState(token);
  const [refused, setRefused] = useState<string | null>(null);
  if (!current) {
    return (
      <SignIn
        problem={refused}
        onToken={(given) => {
          saveToken(given);
          setRefused(null);
          setCurrent(given);
        }}
      />
    );
  }
  return (
    <Screen
      key={current}
      token={current}
      onRefused={(message) => {
        saveToken(null);
        setRefused(message);
        setCurrent(null);
      }}
    />
  );
}

function SignIn({ problem, onToken }: { problem: string | null; onToken: (token: string) => void }) {
  const [value, setValue] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (value.trim()) onToken(value.trim());
  };
  return (
    <main className="sign-in">
      <h1>Escalate · SLA wall screen</h1>
      {problem && (
        <p className="problem" role="alert">
          {problem}
        </p>
      )}
      <form onSubmit={submit}>
        <label htmlFor="token">A staff token (JWT), e.g. one `npm start` prints</label>
        <input id="token" value={value} onChange={(event) => setValue(event.target.value)} autoComplete="off" spellCheck={false} />
        <button type="submit">Show the wall screen</button>
      </form>
    </main>
  );
}

type Connection = { state: 'connecting' } | { state: 'live' } | { state: 'offline'; since: Date; attempt: number };

function Screen({ token, onRefused }: { token: string; onRefused: (message: string) => void }) {
  const client = useMemo(() => createClient({ url: `${location.origin}/graphql`, token }), [token]);
  useEffect(() => () => void client.close(), [client]);
  const [filters, setFilters] = useState(filtersFromUrl);
  const [viewer, setViewer] = useState<string | null>(null);
  const [organizations, setOrganizations] = useState<OrganizationFieldsFragment[]>([]);
  const [board, setBoard] = useState<Board | null>(null);
  const [connection, setConnection] = useState<Connection>({ state: 'connecting' });
  const [now, setNow] = useState(Date.now);
  const [problem, setProblem] = useState<string | null>(null);
  /** Bumped to subscribe afresh (and read again) when a subscription cannot resume: its cursor is too old. */
  const [generation, setGeneration] = useState(0);

  const refuse = (error: unknown) => {
    if (error instanceof AuthenticationError) onRefused(`The server refused this token: ${error.message}. Paste a valid staff token.`);
    else setProblem(error instanceof Error ? error.message : String(error));
  };

  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(tick);
  }, []);

  // Who is watching, and the organizations to filter by.
  useEffect(() => {
    void (async () => {
      try {
        const { me } = await client.me();
        setViewer(`${me.name} (${me.role.toLowerCase()})`);
        if (me.role === 'CUSTOMER') return;
        const all: OrganizationFieldsFragment[] = [];
        for await (const page of client.paginate.organizations({ first: 100 })) all.push(...page.edges.map((edge) => edge.node));
        setOrganizations(all);
      } catch (error) {
        refuse(error);
      }
    })();
  }, [client]);

  // The tickets: read, then live; read again after every reconnect.
  useEffect(() => {
    let stopped = false;
    const { organizationId } = filters;
    const read = async () => {
      const askedAt = Date.now();
      try {
        const [{ slaSummary }, tickets] = await Promise.all([client.slaSummary({ organizationId }), openTickets(client, organizationId)]);
        if (stopped) return;
        const read = boardFrom(tickets, slaSummary, Date.now());
        setBoard((board) => (board ? reloaded(board, read, askedAt) : read));
        setProblem(null); // a failure before is behind it now
      } catch (error) {
        if (!stopped) refuse(error);
      }
    };
    /** Applies every change a subscription hears; `ticketOf` finds the ticket, as it is now, in its payload. */
    const listen = async <E,>(changes: AsyncIterable<E>, ticketOf: (change: E) => Ticket) => {
      try {
        for await (const change of changes) {
          if (stopped) break;
          setBoard((board) => board && withTicket(board, ticketOf(change), Date.now()));
        }
      } catch (error) {
        if (stopped) return;
        if (error instanceof EscalateError && error.code === 'CURSOR_EXPIRED') setGeneration((current) => current + 1);
        else refuse(error);
      }
    };
    const slaChanges = client.subscribe.slaStatusChanged({ organizationId })[Symbol.asyncIterator]();
    const statusChanges = client.subscribe.ticketStatusChanged({ organizationId })[Symbol.asyncIterator]();
    void listen({ [Symbol.asyncIterator]: () => slaChanges }, (change) => change.slaStatusChanged.ticket);
    void listen({ [Symbol.asyncIterator]: () => statusChanges }, (change) => change.ticketStatusChanged.ticket);
    void read();
    const off = [
      client.on('connected', ({ reconnected }) => {
        setConnection({ state: 'live' });
        if (reconnected) void read();
      }),
      client.on('disconnected', ({ since }) => setConnection({ state: 'offline', since, attempt: 0 })),
      client.on('reconnecting', ({ attempt, since }) => setConnection({ state: 'offline', since, attempt })),
    ];
    return () => {
      stopped = true;
      off.forEach((stop) => stop());
      for (const changes of [slaChanges, statusChanges]) void changes.return?.();
    };
  }, [client, filters.organizationId, generation]);

  // A business-hours clock starts or stops at its `runningChangesAt` (the day's close, the next opening): the screen
  // reads those tickets again then, so that their countdowns go on (a request at business-hours boundaries only).
  useEffect(() => {
    if (!board) return;
    const changes = [...board.tickets.values()].flatMap(({ ticket }) => (ticket.sla.runningChangesAt ? [Date.parse(ticket.sla.runningChangesAt)] : []));
    const next = Math.min(...changes.filter((at) => at > Date.now()));
    if (!Number.isFinite(next)) return;
    const timer = setTimeout(
      () => {
        const due = [...board.tickets.values()].filter(({ ticket }) => ticket.sla.runningChangesAt && Date.parse(ticket.sla.runningChangesAt) <= Date.now());
        for (const { ticket } of due) {
          void client.ticket({ id: ticket.id }).then(
            (read) => read.ticket && setBoard((current) => current && withTicket(current, read.ticket!, Date.now())),
            (error: unknown) => refuse(error),
          );
        }
      },
      Math.min(next - Date.now() + 500, 2 ** 31 - 1),
    );
    return () => clearTimeout(timer);
  }, [board, client]);

  const chooseFilters = (next: Filters) => {
    saveFiltersToUrl(next);
    if (next.organizationId !== filters.organizationId) setBoard(null);
    setFilters(next);
  };

  const rows = useMemo(() => {
    if (!board) return [];
    const shown = [...board.tickets.values()].filter((held) => !filters.severities.length || filters.severities.includes(held.ticket.severity));
    return shown.sort(byUrgency(now));
  }, [board, filters.severities, now]);

  return (
    <main className="screen">
      <ConnectionBanner connection={connection} />
      <header>
        <h1>SLA wall screen</h1>
        <span className="viewer">{viewer}</span>
        <FilterBar filters={filters} organizations={organizations} onChange={chooseFilters} />
      </header>
      {problem && (
        <p className="problem" role="alert">
          {problem}
        </p>
      )}
      {board ? <Summary board={board} /> : <p className="loading">Loading tickets…</p>}
      {board && <TicketList rows={rows} now={now} />}
      <Legend />
    </main>
  );
}

async function openTickets(client: EscalateClient, organizationId: string | null): Promise<Ticket[]> {
  const tickets: Ticket[] = [];
  const filter = { status: [...OPEN_STATUSES], organizationId };
  for await (const page of client.paginate.tickets({ filter, first: 100 })) tickets.push(...page.edges.map((edge) => edge.node));
  return tickets;
}

function ConnectionBanner({ connection }: { connection: Connection }) {
  if (connection.state === 'live') {
    return (
      <div className="banner live" role="status" data-connection="live">
        ● Live
      </div>
    );
  }
  if (connection.state === 'connecting') {
    return (
      <div className="banner connecting" role="status" data-connection="connecting">
        Connecting…
      </div>
    );
  }
  return (
    <div className="banner offline" role="alert" data-connection="offline">
      ✖ Offline since {connection.since.toLocaleTimeString()} — {connection.attempt ? `reconnecting (attempt ${connection.attempt})` : 'reconnecting'}
    </div>
  );
}

const STATE_LABEL: Record<SlaState, string> = { BREACHED: '✖ BREACHED', AT_RISK: '▲ AT RISK', ON_TRACK: '● ON TRACK', PAUSED: '‖ PAUSED', MET: '✔ MET' };

/** The header's columns: MET tickets are no longer open. */
const COUNTED_STATES = STATES.filter((state) => state !== 'MET');

function Summary({ board }: { board: Board }) {
  const total = (state: SlaState) => SEVERITIES.reduce((sum, severity) => sum + board.counts[severity][state], 0);
  return (
    <table className="summary" aria-label="Open tickets by SLA state and severity">
      <thead>
        <tr>
          <th />
          {COUNTED_STATES.map((state) => (
            <th key={state} className={`state-${state}`}>
              {STATE_LABEL[state]}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {SEVERITIES.map((severity) => (
          <tr key={severity}>
            <th>{severity}</th>
            {COUNTED_STATES.map((state) => (
              <td key={state} data-count={`${severity}-${state}`}>
                {board.counts[severity][state]}
              </td>
            ))}
          </tr>
        ))}
        <tr className="total">
          <th>All</th>
          {COUNTED_STATES.map((state) => (
            <td key={state} data-count={`ALL-${state}`}>
              {total(state)}
            </td>
          ))}
        </tr>
      </tbody>
    </table>
  );
}

function FilterBar({ filters, organizations, onChange }: { filters: Filters; organizations: OrganizationFieldsFragment[]; onChange: (filters: Filters) => void }) {
  const toggle = (severity: Severity) =>
    onChange({
      ...filters,
      severities: filters.severities.includes(severity) ? filters.severities.filter((s) => s !== severity) : SEVERITIES.filter((s) => s === severity || filters.severities.includes(s)),
    });
  return (
    <div className="filters">
      {SEVERITIES.map((severity) => (
        <label key={severity} className="severity-filter">
          <input type="checkbox" checked={filters.severities.includes(severity)} onChange={() => toggle(severity)} />
          {severity}
        </label>
      ))}
      {organizations.length > 0 && (
        <select aria-label="Organization" value={filters.organizationId ?? ''} onChange={(event) => onChange({ ...filters, organizationId: event.target.value || null })}>
          <option value="">All organizations</option>
          {organizations.map((organization) => (
            <option key={organization.id} value={organization.id}>
              {organization.name}
            </option>
          ))}
        </select>
      )}
    </div>
  );
}

const ROW_HEIGHT = 72;

/** Only the rows in view are in the page: a thousand tickets cost a screenful of rows. */
function TicketList({ rows, now }: { rows: Held[]; now: number }) {
  const viewport = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(800);
  useEffect(() => {
    const element = viewport.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, [rows.length === 0]); // the list is in the page only once there are rows
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - 2);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + 2);
  if (!rows.length) return <p className="empty">No open tickets.</p>;
  return (
    <div className="tickets" ref={viewport} onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)} role="table" aria-label="Open tickets by urgency">
      <div style={{ height: rows.length * ROW_HEIGHT, position: 'relative' }}>
        {rows.slice(first, last).map((held, index) => (
          <TicketRow key={held.ticket.id} held={held} now={now} top={(first + index) * ROW_HEIGHT} />
        ))}
      </div>
    </div>
  );
}

function TicketRow({ held, now, top }: { held: Held; now: number; top: number }) {
  const { ticket } = held;
  const { state, running, runningChangesAt, target } = ticket.sla;
  const left = secondsLeft(held, now);
  let clock: string | null = null;
  if (state === 'PAUSED') clock = 'waiting on the customer';
  else if (!running && left !== null) clock = `business hours: resumes ${runningChangesAt ? new Date(runningChangesAt).toLocaleString([], { weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }) : 'later'}`;
  return (
    <div className={`ticket state-${state}`} style={{ top, height: ROW_HEIGHT }} role="row" data-ticket={ticket.number} data-state={state}>
      <span className="number">{ticket.number}</span>
      <span className={`severity ${ticket.severity}`}>{ticket.severity}</span>
      <span className="title">
        {ticket.title}
        <small>
          {ticket.organization.name} · {ticket.status.replace(/_/g, ' ').toLowerCase()} · {ticket.assignee ? ticket.assignee.name : 'unassigned'}
        </small>
      </span>
      <span className="sla-state">
        {STATE_LABEL[state]}
        {clock && <small>{clock}</small>}
      </span>
      <span className="countdown" title={target.label}>
        {left === null ? '—' : countdown(left)}
      </span>
    </div>
  );
}

function Legend() {
  return (
    <footer className="legend">
      {STATES.map((state) => (
        <span key={state} className={`state-${state}`}>
          {STATE_LABEL[state]}
        </span>
      ))}
      <span>Countdowns run on each ticket’s own clock: business-hours targets stand still outside business hours.</span>
    </footer>
  );
}
