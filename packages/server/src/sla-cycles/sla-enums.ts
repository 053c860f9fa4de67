// The SLA vocabulary of the pure engine (src/sla/vocabulary.ts), registered as GraphQL enums.
import { registerEnumType } from 'type-graphql';
import { SlaMetric, SlaState } from '../sla/vocabulary';

export { SlaMetric, SlaState };

registerEnumType(SlaMetric, {
  name: 'SlaMetric',
  description: 'What a response cycle measures.',
  valuesConfig: {
    FIRST_RESPONSE: { description: 'From filing to the first response by support.' },
    NEXT_RESPONSE: { description: 'From a customer’s update request (with no cycle running) to the next response.' },
  },
});

registerEnumType(SlaState, {
  name: 'SlaState',
  description: 'Where a response cycle stands against its target.',
  valuesConfig: {
    ON_TRACK: { description: 'Running, less than 75% of the target elapsed.' },
    AT_RISK: { description: 'Running, 75% or more of the target elapsed.' },
    BREACHED: { description: 'The due time passed without a response; stays breached after a late response.' },
    MET: { description: 'Responded (or resolved) by the due time.' },
    PAUSED: { description: 'The ticket is waiting on the customer; the clock does not run.' },
  },
});
