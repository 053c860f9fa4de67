import { MigrationObject } from '@mikro-orm/core';
import { Migration20261129000000Initial } from './20261129000000-initial';
import { Migration20261129000100DefaultPolicy } from './20261129000100-default-policy';
import { Migration20261129010000SlaCycles } from './20261129010000-sla-cycles';
import { Migration20261129020000EscalationWorkflow } from './20261129020000-escalation-workflow';
import { Migration20261129030000PolicySettings } from './20261129030000-policy-settings';
import { Migration20261129040000ExactSeverityTargets } from './20261129040000-exact-severity-targets';
import { Migration20261129050000TargetSeconds } from './20261129050000-target-seconds';
import { Migration20261129060000TicketOrderIndexes } from './20261129060000-ticket-order-indexes';
import { Migration20261129070000TicketNumberDefault } from './20261129070000-ticket-number-default';
import { Migration20261129080000LiveLog } from './20261129080000-live-log';

/** Every migration, in order. Listed in code so the built server and the tests find the same ones. */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261129000000Initial', class: Migration20261129000000Initial },
  { name: 'Migration20261129000100DefaultPolicy', class: Migration20261129000100DefaultPolicy },
  { name: 'Migration20261129010000SlaCycles', class: Migration20261129010000SlaCycles },
  { name: 'Migration20261129020000EscalationWorkflow', class: Migration20261129020000EscalationWorkflow },
  { name: 'Migration20261129030000PolicySettings', class: Migration20261129030000PolicySettings },
  { name: 'Migration20261129040000ExactSeverityTargets', class: Migration20261129040000ExactSeverityTargets },
  { name: 'Migration20261129050000TargetSeconds', class: Migration20261129050000TargetSeconds },
  { name: 'Migration20261129060000TicketOrderIndexes', class: Migration20261129060000TicketOrderIndexes },
  { name: 'Migration20261129070000TicketNumberDefault', class: Migration20261129070000TicketNumberDefault },
  { name: 'Migration20261129080000LiveLog', class: Migration20261129080000LiveLog },
];
