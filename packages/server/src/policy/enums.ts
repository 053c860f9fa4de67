// The policy's vocabulary, shared by the database, the SLA rules and the GraphQL schema.
import { registerEnumType } from 'type-graphql';
import { SlaClock } from '../sla/vocabulary';

export { SlaClock };

export enum Severity {
  SEV1 = 'SEV1',
  SEV2 = 'SEV2',
  SEV3 = 'SEV3',
  SEV4 = 'SEV4',
}

export enum Environment {
  PRODUCTION = 'PRODUCTION',
  NON_PRODUCTION = 'NON_PRODUCTION',
}

export enum Region {
  US = 'US',
  CA = 'CA',
  UK = 'UK',
  DE = 'DE',
  AU = 'AU',
  BR = 'BR',
}

registerEnumType(Severity, {
  name: 'Severity',
  description: 'How badly an issue hurts the customer; decides the target response time.',
  valuesConfig: {
    SEV1: { description: 'Critical: production down or service unavailable.' },
    SEV2: { description: 'High: production usable but significantly restricted, no workaround.' },
    SEV3: { description: 'Low/Minor: minor operational challenge, production or not.' },
    SEV4: { description: 'Minimum/No impact: minor defect or a how-to question.' },
  },
});

registerEnumType(Environment, {
  name: 'Environment',
  description: 'Which of the customer’s environments the ticket is about.',
  valuesConfig: {
    PRODUCTION: { description: 'The live, business-serving environment.' },
    NON_PRODUCTION: { description: 'Test, staging or development environments.' },
  },
});

registerEnumType(SlaClock, {
  name: 'SlaClock',
  description: 'How the time towards a target response is counted.',
  valuesConfig: {
    CALENDAR: { description: 'Round the clock, every minute counts (24x7).' },
    BUSINESS_HOURS: { description: 'Only the organization’s business hours count, holidays skipped.' },
  },
});

registerEnumType(Region, {
  name: 'Region',
  description: 'Where a customer organization is served from; picks its phone line and default time zone.',
  valuesConfig: {
    US: { description: 'United States' },
    CA: { description: 'Canada' },
    UK: { description: 'United Kingdom' },
    DE: { description: 'Germany' },
    AU: { description: 'Australia' },
    BR: { description: 'Brazil' },
  },
});

/** The main time zone of each region: the default calendar's zone for a new organization. */
export const REGION_TIME_ZONE: Record<Region, string> = {
  US: 'America/New_York',
  CA: 'America/Toronto',
  UK: 'Europe/London',
  DE: 'Europe/Berlin',
  AU: 'Australia/Sydney',
  BR: 'America/Sao_Paulo',
};
