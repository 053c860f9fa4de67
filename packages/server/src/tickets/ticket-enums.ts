import { registerEnumType } from 'type-graphql';

export enum TicketStatus {
  NEW = 'NEW',
  IN_PROGRESS = 'IN_PROGRESS',
  WAITING_ON_CUSTOMER = 'WAITING_ON_CUSTOMER',
  RESOLVED = 'RESOLVED',
  CLOSED = 'CLOSED',
}

export enum TicketCategory {
  INCIDENT = 'INCIDENT',
  QUESTION = 'QUESTION',
  ENHANCEMENT = 'ENHANCEMENT',
}

registerEnumType(TicketStatus, {
  name: 'TicketStatus',
  description: 'Where a ticket is in its lifecycle.',
  valuesConfig: {
    NEW: { description: 'Filed, not yet picked up.' },
    IN_PROGRESS: { description: 'Support is working on it.' },
    WAITING_ON_CUSTOMER: { description: 'Support needs something from the customer; a customer note moves it back to IN_PROGRESS.' },
    RESOLVED: { description: 'Support considers it solved; it can be reopened or closed.' },
    CLOSED: { description: 'Done for good: no further status changes.' },
  },
});

registerEnumType(TicketCategory, {
  name: 'TicketCategory',
  description: 'What kind of request a ticket is.',
  valuesConfig: {
    INCIDENT: { description: 'Something is broken.' },
    QUESTION: { description: 'How-to or informational enquiry.' },
    ENHANCEMENT: { description: 'A product enhancement: not accepted as a ticket, answered with the community forum’s URL.' },
  },
});

/** Which statuses a ticket may move to from each status. CLOSED is final. */
export const STATUS_TRANSITIONS: Record<TicketStatus, TicketStatus[]> = {
  NEW: [TicketStatus.IN_PROGRESS, TicketStatus.WAITING_ON_CUSTOMER, TicketStatus.RESOLVED, TicketStatus.CLOSED],
  IN_PROGRESS: [TicketStatus.WAITING_ON_CUSTOMER, TicketStatus.RESOLVED, TicketStatus.CLOSED],
  WAITING_ON_CUSTOMER: [TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED, TicketStatus.CLOSED],
  RESOLVED: [TicketStatus.IN_PROGRESS, TicketStatus.CLOSED],
  CLOSED: [],
};
