// The attacks of issue 10 ("An edge that holds under abuse"), each with the refusal it must get: test/attacks.test.ts
// sends them to the in-process test server, bench/attacks.bench.ts (npm run bench:attacks) to the built one, both
// while watchHealth polls /healthz. The documents are built once, here, for those and for the tests of one limit.
import { connect as tcpConnect } from 'node:net';
import { Closed, RawSocket, ServerMessage } from './raw-socket';

/** Fragments that each spread the next twice: 2^levels paths through a document of a few hundred bytes. */
export function fragmentBomb(levels: number): string {
  const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { __typename ${i + 1 < levels ? `...F${i + 1} ...F${i + 1}` : 'severityLevels { severity }'} }`);
  return `query Q { ...F0 } ${fragments.join(' ')}`;
}

/** `count` aliases of one field at the root: `{ a0: field a1: field … }`. */
export const aliases = (count: number, field: string) => `{ ${Array.from({ length: count }, (_, i) => `a${i}: ${field}`).join(' ')} }`;

/** `count` fields in one selection: a document of about `count` tokens. */
export const repeatedField = (count: number) => `{ me { ${'name '.repeat(count)}} }`;

/**
 * Two fragments of `count` repeated fields each, spread side by side: graphql-js compares the fields of both pair
 * by pair (about 90 ms at 1,400), within the token limit.
 */
export const overlappingFragments = (count: number) =>
  `{ severityLevels { ...F ...G } } fragment F on SeverityLevel { ${'severity '.repeat(count)}} fragment G on SeverityLevel { ${'severity '.repeat(count)}}`;

/** `count` fields at the root. */
export const rootFields = (count: number) => `{ ${'severityLevels { severity } '.repeat(count)}}`;

/** `count` directives, one per field: graphql-js itself refuses a directive repeated on one field, before ours count. */
export const directives = (count: number) => `{ ${'__typename @include(if: true) '.repeat(count)}}`;

/** A ticket's related ticket's related ticket…, `levels` deep. */
const deepQuery = (levels: number) => `{ ticket(number: "RS-1001") { ${'relatedTicket { '.repeat(levels)}id${' }'.repeat(levels)} } }`;

/** The server under attack. */
export interface AttackTarget {
  /** Its GraphQL endpoint, http://host:port/graphql. */
  url: string;
  /** A token of an engineer with this subject: each attack that holds places holds its own user's. */
  staff(sub: string): Promise<string>;
  /** A token of a customer whose organization exists. */
  customer(): Promise<string>;
  /** The server runs in this process (the test server): a stall of its event loop delays the /healthz watcher too. */
  inProcess: boolean;
}

export interface Answer {
  /**
   * What came back: the HTTP status and the first error's code (`400 QUERY_TOO_COMPLEX`) or the payload's first
   * `userErrors` code (`200 userErrors INVALID`); over WebSocket, `closed <code>` or `error <code>`.
   */
  answer: string;
  /** How long the refused step took, in ms: the setup before it (the 100 subscriptions a 101st joins) is not counted. */
  ms: number;
}

export interface Attack {
  name: string;
  /** The answer it must get. */
  refusal: string;
  send(target: AttackTarget): Promise<Answer>;
}

async function timed(step: () => Promise<string>): Promise<Answer> {
  const started = performance.now();
  const answer = await step();
  return { answer, ms: performance.now() - started };
}

async function post(url: string, body: unknown, token?: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return `${response.status} ${codeOf((await response.json().catch(() => ({}))) as GraphQLBody)}`;
}

interface GraphQLBody {
  errors?: { extensions?: { code?: string } }[];
  data?: Record<string, { userErrors?: { code: string }[] } | null> | null;
}

function codeOf(body: GraphQLBody): string {
  const userError = Object.values(body.data ?? {})[0]?.userErrors?.[0]?.code;
  return body.errors?.[0]?.extensions?.code ?? (userError ? `userErrors ${userError}` : 'ok');
}

/** An HTTP attack: one POST of this body, anonymous or with the token `as` picks. */
function request(name: string, refusal: string, body: unknown, as?: (target: AttackTarget) => Promise<string>): Attack {
  return {
    name,
    refusal,
    async send(target) {
      const token = as && (await as(target));
      return timed(() => post(target.url, body, token));
    },
  };
}

const asStaff = (target: AttackTarget) => target.staff('attacker');
const asCustomer = (target: AttackTarget) => target.customer();

/** Only the headers of a POST whose Content-Length says `bytes`: a server that waited for the body would never answer. */
function announcedBody(url: string, bytes: number): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(Number(port), hostname);
    let response = '';
    socket.on('data', (chunk: Buffer) => (response += chunk.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = response.split('\r\n\r\n');
      const status = head.split(' ')[1];
      resolve(`${status} ${codeOf(JSON.parse(body || '{}') as GraphQLBody)}`);
    });
    socket.write(`POST /graphql HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: ${bytes}\r\n\r\n`);
  });
}

/** A WebSocket answer: how the socket closed, or the code of the error an operation got. */
function socketAnswer(answer: ServerMessage | Closed): string {
  return 'code' in answer ? `closed ${answer.code}` : `error ${answer.payload?.[0]?.extensions?.code}`;
}

async function signedInSocket(target: AttackTarget, sub: string): Promise<RawSocket> {
  const raw = await RawSocket.open(target.url, { token: await target.staff(sub) });
  const ack = await raw.receive('connection_ack');
  if (!('type' in ack)) throw new Error(`the socket was refused before the attack: ${JSON.stringify(ack)}`);
  return raw;
}

const TWO_MB = 2 * 1024 * 1024;
const ENOUGH_FORGED_TOKENS = 2_000;

/**
 * Each attack of issue 10. The last spends the address's rate-limit allowance: anything sent after it from the
 * same address is refused too.
 */
export const ATTACKS: Attack[] = [
  request('fragments spreading the next twice, 22 levels (anonymous)', '400 QUERY_TOO_COMPLEX', { query: fragmentBomb(22) }),
  request('4,900 aliases of tickets(first: 1) { totalCount } (staff)', '400 QUERY_TOO_COMPLEX', { query: aliases(4_900, 'tickets(first: 1) { totalCount }') }, asStaff),
  request('4,900 aliases of severityLevels (anonymous)', '400 QUERY_TOO_COMPLEX', { query: aliases(4_900, 'severityLevels { severity }') }),
  request('a document over the token limit: 12,000 fields', '400 QUERY_TOO_COMPLEX', { query: repeatedField(12_000) }),
  request('a query 20 levels deep', '400 QUERY_TOO_COMPLEX', { query: deepQuery(20) }, asStaff),
  request('90 root fields', '400 QUERY_TOO_COMPLEX', { query: rootFields(90) }),
  request('two fragments of 1,400 repeated fields (graphql-js validates them in quadratic time)', '400 QUERY_TOO_COMPLEX', { query: overlappingFragments(1_400) }),
  request('200 directives', '400 QUERY_TOO_COMPLEX', { query: directives(200) }),
  request('variables: a value outside an enum', '400 BAD_USER_INPUT', {
    query: 'query($s: Severity!) { slaPreview(severity: $s, environment: PRODUCTION) { dueAt } }',
    variables: { s: 'SEV9' },
  }, asStaff),
  request('variables: an unknown field of an input', '400 BAD_USER_INPUT', {
    query: 'mutation($i: TicketCreateInput!) { ticketCreate(input: $i) { ticket { id } } }',
    variables: { i: { title: 'a', description: 'b', severity: 'SEV3', environment: 'PRODUCTION', category: 'INCIDENT', nope: 1 } },
  }, asCustomer),
  request('variables: first: 1.5', '400 BAD_USER_INPUT', { query: 'query($f: Int) { tickets(first: $f) { totalCount } }', variables: { f: 1.5 } }, asStaff),
  request('variables: an invalid DateTime', '400 BAD_USER_INPUT', {
    query: 'query($a: DateTime) { slaPreview(severity: SEV3, environment: PRODUCTION, at: $a) { dueAt } }',
    variables: { a: 'nope' },
  }, asStaff),
  request('a NUL character in a ticket’s title', '200 userErrors INVALID', {
    query: 'mutation($i: TicketCreateInput!) { ticketCreate(input: $i) { ticket { id } userErrors { code } } }',
    variables: { i: { title: 'a\u0000b', description: 'x', severity: 'SEV3', environment: 'PRODUCTION', category: 'INCIDENT' } },
  }, asCustomer),
  // Refused while the query runs: an error with a code next to `data`, as GraphQL over HTTP answers those.
  request('a NUL character in the ticket search', '200 BAD_USER_INPUT', {
    query: 'query($s: String) { tickets(first: 1, filter: { search: $s }) { totalCount } }',
    variables: { s: 'a\u0000b' },
  }, asStaff),
  request('an escalations cursor made of dashes', '200 BAD_USER_INPUT', {
    query: 'query($after: String) { escalations(after: $after) { totalCount } }',
    variables: { after: Buffer.from(JSON.stringify(['x', '-'.repeat(36)])).toString('base64url') },
  }, asStaff),
  request('a subscription over HTTP POST', '400 BAD_REQUEST', { query: 'subscription { slaStatusChanged { state } }' }, asStaff),
  // Apollo Server's own answer when persisted queries are off.
  request('a persisted-query request', '200 PERSISTED_QUERY_NOT_SUPPORTED', { query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } }),
  { name: 'a 2 MB body, announced by Content-Length', refusal: '413 PAYLOAD_TOO_LARGE', send: (target) => timed(() => announcedBody(target.url, TWO_MB)) },
  {
    name: 'a 2 MB WebSocket message',
    refusal: 'closed 1009',
    async send(target) {
      const raw = await signedInSocket(target, 'attacker-message');
      const query = `subscription { slaStatusChanged { state } } # ${'x'.repeat(TWO_MB)}`;
      try {
        return await timed(async () => {
          raw.send({ id: 'big', type: 'subscribe', payload: { query } });
          return socketAnswer(await raw.closed);
        });
      } finally {
        await raw.close();
      }
    },
  },
  {
    name: '101 subscriptions on one socket',
    refusal: 'error TOO_MANY_SUBSCRIPTIONS',
    async send(target) {
      const raw = await signedInSocket(target, 'attacker-subscriptions');
      try {
        const subscribe = (id: string) => raw.send({ id, type: 'subscribe', payload: { query: 'subscription { slaStatusChanged { state } }' } });
        for (let i = 1; i <= 100; i++) subscribe(`s${i}`);
        // Messages are taken in order: once the pong is back, the server holds the 100.
        raw.send({ type: 'ping' });
        await raw.receive('pong');
        return await timed(async () => {
          subscribe('s101');
          return socketAnswer(await raw.receive('error', 's101'));
        });
      } finally {
        await raw.close();
      }
    },
  },
  {
    name: '21 sockets of one user',
    refusal: 'closed 4429',
    async send(target) {
      const held: RawSocket[] = [];
      try {
        for (let i = 0; i < 20; i++) held.push(await signedInSocket(target, 'attacker-sockets'));
        const token = await target.staff('attacker-sockets');
        return await timed(async () => {
          const extra = await RawSocket.open(target.url, { token });
          return socketAnswer(await extra.receive('connection_ack'));
        });
      } finally {
        await Promise.all(held.map((raw) => raw.close()));
      }
    },
  },
  {
    name: 'forged tokens from one address, until refused',
    refusal: '429 RATE_LIMITED',
    async send(target) {
      let last: Answer = { answer: 'never refused', ms: 0 };
      for (let sent = 0; sent < ENOUGH_FORGED_TOKENS && !last.answer.startsWith('429'); sent += 1) {
        last = await timed(() => post(target.url, { query: '{ __typename }' }, 'forged.token.value'));
      }
      return last;
    },
  },
];

/** How often the watcher asks /healthz. */
const HEALTH_POLL_MS = 20;

/**
 * Polls /healthz every 20 ms until the returned function is called, which resolves with the slowest answer in ms,
 * counted from when the request was sent, as a health checker sees it. For a server in this very process, from when
 * the poll was due instead: a server that blocks the event loop delays the poll itself, and that delay is the server's.
 */
function watchHealth(url: string, { inProcess }: { inProcess: boolean }): () => Promise<number> {
  const healthz = new URL('/healthz', url);
  let running = true;
  let slowest = 0;
  const polling = (async () => {
    let due = performance.now();
    while (running) {
      const sent = performance.now();
      const response = await fetch(healthz);
      await response.text();
      if (!response.ok) throw new Error(`/healthz answered ${response.status}`);
      const answered = performance.now();
      slowest = Math.max(slowest, answered - (inProcess ? due : sent));
      due = answered + HEALTH_POLL_MS;
      await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_MS));
    }
  })();
  return async () => {
    running = false;
    await polling;
    return slowest;
  };
}

/** Sends one attack while /healthz is watched: its answer, how long the refused step took, and the slowest /healthz. */
export async function attackWatched(target: AttackTarget, attack: Attack): Promise<Answer & { slowestHealthMs: number }> {
  const stopWatching = watchHealth(target.url, { inProcess: target.inProcess });
  const sent = await attack.send(target).then(
    (answer) => ({ answer }),
    (error: unknown) => ({ error }),
  );
  const slowestHealthMs = await stopWatching();
  if ('error' in sent) throw sent.error;
  return { ...sent.answer, slowestHealthMs };
}
