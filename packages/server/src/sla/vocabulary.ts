// The SLA's words, defined once: the engine, the entities, the realtime messages and the GraphQL schema all use
// these (sla-cycles/sla-enums.ts and policy/enums.ts register them for GraphQL). Each is a constant object and a
// type of the same name, so `SlaState.AT_RISK` and the literal 'AT_RISK' are both an `SlaState`.

/** What a response cycle measures. */
export const SlaMetric = {
  FIRST_RESPONSE: 'FIRST_RESPONSE',
  NEXT_RESPONSE: 'NEXT_RESPONSE',
} as const;
export type SlaMetric = (typeof SlaMetric)[keyof typeof SlaMetric];

/** Where a response cycle stands against its target. */
export const SlaState = {
  ON_TRACK: 'ON_TRACK',
  AT_RISK: 'AT_RISK',
  BREACHED: 'BREACHED',
  MET: 'MET',
  PAUSED: 'PAUSED',
} as const;
export type SlaState = (typeof SlaState)[keyof typeof SlaState];

/** How the time towards a target is counted. */
export const SlaClock = {
  CALENDAR: 'CALENDAR',
  BUSINESS_HOURS: 'BUSINESS_HOURS',
} as const;
export type SlaClock = (typeof SlaClock)[keyof typeof SlaClock];
