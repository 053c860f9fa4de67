// What each side is asked, side by side: the same data in each side's own API.
import { toGlobalId } from '../../src/common/global-id';
import { Dataset } from './dataset';
import { SideName } from './sides';

/** A request as autocannon sends it, plus a check of one answer (what a correct page looks like). */
export interface SideRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Why the answer is wrong, or null. */
  check(answer: unknown): string | null;
}

export const ESCALATE_DASHBOARD = `query Dashboard {
  tickets(first: 50) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id number title severity status createdAt
      organization { name }
      requester { name email }
      assignee { name }
      notes(first: 3) { edges { node { body kind createdAt author { name } } } }
      sla { state dueAt }
    } }
  }
}`;

/** PostGraphile's default names for the same: relations by foreign key, the current cycle as the newest one. */
function postgraphileDashboard(customer: boolean): string {
  return `query Dashboard${customer ? '($organizationId: UUID!)' : ''} {
  allTickets(first: 50, orderBy: [CREATED_AT_DESC, NUMBER_DESC]${customer ? ', condition: { organizationId: $organizationId }' : ''}) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id number title severity status createdAt
      organizationByOrganizationId { name }
      appUserByRequesterId { name email }
      appUserByAssigneeId { name }
      notesByTicketId(first: 3, orderBy: [CREATED_AT_ASC, ID_ASC]${customer ? ', condition: { visibility: "PUBLIC" }' : ''}) {
        edges { node { body kind createdAt appUserByAuthorId { name } } }
      }
      slaCyclesByTicketId(first: 1, orderBy: [STARTED_AT_DESC, ID_DESC]) { nodes { state dueAt } }
    } }
  }
}`;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

function graphqlCheck(root: string, rows: (data: Record<string, unknown>) => unknown[] | undefined) {
  return (answer: unknown): string | null => {
    const { data, errors } = answer as { data?: Record<string, unknown>; errors?: { message: string }[] };
    if (errors?.length) return `errors: ${errors.map((error) => error.message).join('; ').slice(0, 300)}`;
    const page = data?.[root] ? rows(data[root] as Record<string, unknown>) : undefined;
    return page?.length === 50 ? null : `expected 50 tickets, got ${page?.length ?? 'none'}`;
  };
}

/** The dashboard page of `viewer`: staff (all tickets) or a customer of the largest organization. */
export function dashboardRequest(side: SideName, viewer: 'staff' | 'customer', dataset: Dataset, tokens: { staff: string; customer: string }): SideRequest {
  const customer = viewer === 'customer';
  switch (side) {
    case 'escalate':
      return {
        method: 'POST',
        path: '/graphql',
        headers: { ...JSON_HEADERS, authorization: `Bearer ${customer ? tokens.customer : tokens.staff}` },
        body: JSON.stringify({ query: ESCALATE_DASHBOARD }),
        check: graphqlCheck('tickets', (page) => page.edges as unknown[]),
      };
    case 'postgraphile':
      return {
        method: 'POST',
        path: '/graphql',
        headers: JSON_HEADERS,
        body: JSON.stringify({ query: postgraphileDashboard(customer), variables: customer ? { organizationId: dataset.largest.id } : {} }),
        check: graphqlCheck('allTickets', (page) => page.edges as unknown[]),
      };
    case 'floor':
      return {
        method: 'GET',
        path: customer ? `/dashboard?organization=${dataset.largest.id}` : '/dashboard',
        headers: {},
        check: (answer) => {
          const tickets = (answer as { tickets?: unknown[] }).tickets;
          return tickets?.length === 50 ? null : `expected 50 tickets, got ${tickets?.length ?? 'none'}`;
        },
      };
  }
}

const SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4'];

/** Filing tickets as the largest organization's customer, one of each severity in turn, a new idempotency key each. */
export function createRequests(side: SideName, dataset: Dataset, tokens: { customer: string }): SideRequest[] {
  return SEVERITIES.map((severity) => {
    const input = {
      title: `Checkout ${severity} fails for some users`,
      description: 'Since this morning about one payment in ten fails with a 502 from the gateway; retrying usually works.',
      severity,
      environment: 'PRODUCTION',
      category: 'INCIDENT',
      // autocannon replaces [<id>] with a unique id per request
      idempotencyKey: 'bench-create-[<id>]',
    };
    if (side === 'escalate') {
      return {
        method: 'POST',
        path: '/graphql',
        headers: { ...JSON_HEADERS, authorization: `Bearer ${tokens.customer}` },
        body: JSON.stringify({
          query: `mutation Create($input: TicketCreateInput!) {
            ticketCreate(input: $input) { ticket { id number status sla { state dueAt } } userErrors { code field message } }
          }`,
          variables: { input },
        }),
        check: (answer) => {
          const { data, errors } = answer as { data?: { ticketCreate?: { ticket?: unknown; userErrors: unknown[] } }; errors?: unknown[] };
          if (errors?.length) return `errors: ${JSON.stringify(errors).slice(0, 300)}`;
          return data?.ticketCreate?.ticket ? null : `no ticket: ${JSON.stringify(data?.ticketCreate?.userErrors)}`;
        },
      };
    }
    return {
      method: 'POST',
      path: '/tickets',
      headers: JSON_HEADERS,
      body: JSON.stringify({ ...input, organizationId: dataset.largest.id, requesterId: dataset.largest.customer.id }),
      check: (answer) => ((answer as { ticket?: unknown }).ticket ? null : 'no ticket'),
    };
  });
}

/** What a wall screen of staff listens to: status changes, with the ticket as a dashboard shows it. */
export const STATUS_SUBSCRIPTION = `subscription { ticketStatusChanged {
  ticket { id number status severity sla { state dueAt } } from to at actor { name }
} }`;

export const SLA_SUBSCRIPTION = `subscription { slaStatusChanged { ticket { id } metric previousState state at } }`;

/** A status change by an engineer: the GraphQL mutation, or the floor's POST /status. */
export function statusChangeRequest(side: SideName, ticketId: string, status: string, staffToken: string): SideRequest {
  if (side === 'escalate') {
    return {
      method: 'POST',
      path: '/graphql',
      headers: { ...JSON_HEADERS, authorization: `Bearer ${staffToken}` },
      body: JSON.stringify({
        query: `mutation Status($input: TicketUpdateStatusInput!) { ticketUpdateStatus(input: $input) { ticket { status } userErrors { code message } } }`,
        variables: { input: { ticketId: toGlobalId('Ticket', ticketId), status } },
      }),
      check: (answer) => {
        const result = (answer as { data?: { ticketUpdateStatus?: { ticket?: { status: string }; userErrors: unknown[] } } }).data?.ticketUpdateStatus;
        return result?.ticket?.status === status ? null : `status change refused: ${JSON.stringify(answer).slice(0, 300)}`;
      },
    };
  }
  return {
    method: 'POST',
    path: '/status',
    headers: JSON_HEADERS,
    body: JSON.stringify({ ticketId, status }),
    check: (answer) => ((answer as { ticketStatusChanged?: unknown }).ticketStatusChanged ? null : 'no status change'),
  };
}

/** Sends one request and checks its answer; throws with the reason when it is wrong. */
export async function send(base: string, request: SideRequest): Promise<{ bytes: number; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${base}${request.path}`, { method: request.method, headers: request.headers, body: request.body?.replace('[<id>]', `check-${Date.now()}-${Math.random()}`) });
  const text = await response.text();
  const ms = performance.now() - started;
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    throw new Error(`HTTP ${response.status}: ${text.slice(0, 300)}`);
  }
  const wrong = response.ok ? request.check(answer) : `HTTP ${response.status}: ${text.slice(0, 300)}`;
  if (wrong) throw new Error(wrong);
  return { bytes: Buffer.byteLength(text), ms };
}
