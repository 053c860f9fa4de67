// Reading ticket lists: who sees which tickets, the filters of `tickets(filter:)`, and its orders.
import { FilterQuery } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Viewer } from '../auth/viewer';
import { keysetPage, Page, PageArgs, SortKey } from '../common/connection';
import { badUserInput } from '../common/errors';
import { filterIdOf } from '../common/global-id';
import { ticketScope } from './ticket-access';
import { Ticket, TICKET_NUMBER_PREFIX } from './ticket.entity';
import { OrderDirection, SEARCH_MAX, TicketFilter, TicketOrder, TicketOrderField } from './ticket.inputs';

/** The sort key of each order; ties are broken by number. Tickets without an SLA due time come last. */
const ORDER_KEY: Record<TicketOrderField, Omit<SortKey<Ticket>, 'direction'>> = {
  CREATED_AT: { property: 'createdAt', kind: 'date' },
  UPDATED_AT: { property: 'updatedAt', kind: 'date' },
  SEVERITY: { property: 'severity', kind: 'text' },
  SLA_DUE_AT: { property: 'slaDueAt', kind: 'date', nullable: true },
};

/** The number in `RS-1001` or `1001`, or null. */
export function ticketNumber(text: string): number | null {
  const match = new RegExp(`^(?:${TICKET_NUMBER_PREFIX})?(\\d{1,9})$`, 'i').exec(text.trim());
  return match ? Number(match[1]) : null;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function ticketFilter(viewer: Viewer, filter: TicketFilter | null | undefined): FilterQuery<Ticket> {
  const conditions: FilterQuery<Ticket>[] = [ticketScope(viewer)];
  if (filter?.status?.length) conditions.push({ status: { $in: filter.status } });
  if (filter?.severity?.length) conditions.push({ severity: { $in: filter.severity } });
  if (filter?.slaState?.length) conditions.push({ slaState: { $in: filter.slaState } });
  if (filter?.organizationId) conditions.push({ organization: filterIdOf(filter.organizationId, 'Organization') });
  if (filter?.assigneeId) conditions.push({ assignee: filterIdOf(filter.assigneeId, 'User') });
  if (filter?.search) {
    const search = filter.search.trim();
    if (search.length > SEARCH_MAX) throw badUserInput(`\`search\` must be at most ${SEARCH_MAX} characters.`, 'filter.search');
    if (search.includes('\u0000')) throw badUserInput('`search` cannot contain a NUL character.', 'filter.search');
    const number = ticketNumber(search);
    const pattern = `%${escapeLike(search)}%`;
    conditions.push({ $or: [{ title: { $ilike: pattern } }, { description: { $ilike: pattern } }, ...(number ? [{ number }] : [])] });
  }
  return { $and: conditions };
}

/** A page of the tickets the viewer may see, filtered and ordered (newest first by default). */
export function findTickets(
  em: EntityManager,
  viewer: Viewer,
  query: { filter?: TicketFilter | null; orderBy?: TicketOrder | null; page: PageArgs },
): Promise<Page<Ticket>> {
  const direction = query.orderBy?.direction === OrderDirection.ASC ? 'asc' : 'desc';
  const key = ORDER_KEY[query.orderBy?.field ?? TicketOrderField.CREATED_AT];
  return keysetPage(em, Ticket, ticketFilter(viewer, query.filter), [{ ...key, direction }, { property: 'number', kind: 'integer', direction }], query.page);
}
