// The GraphQL schema, built in code from the feature folders' resolvers and emitted to `schema.graphql`.
import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchemaSync } from 'type-graphql';
import { authChecker } from '../auth/auth-checker';
import { asTypeGraphqlPubSub, createRealtime, Realtime } from '../realtime/pubsub';
import { EscalationResolver, TicketEscalationsResolver } from '../escalations/escalation.resolver';
import { SeverityChangeRequestResolver, TicketSeverityRequestsResolver } from '../severity-requests/severity-request.resolver';
import { NodeResolver } from './node.resolver';
import { TicketEventResolver } from '../events/ticket-event.resolver';
import { NoteResolver } from '../notes/note.resolver';
import { OrganizationResolver } from '../organizations/organization.resolver';
import { PolicyResolver } from '../policy/policy.resolver';
import { SlaResolver, TicketSlaResolver } from '../sla-cycles/sla.resolver';
import { TicketResolver } from '../tickets/ticket.resolver';
import { TicketSubscriptionResolver } from '../tickets/ticket.subscriptions';
import { UserResolver } from '../users/user.resolver';

/** The schema; `realtime` carries subscriptions (an in-process one is enough to print the schema). */
export function buildEscalateSchema(realtime: Realtime = createRealtime()): GraphQLSchema {
  return buildSchemaSync({
    resolvers: [
      NodeResolver,
      PolicyResolver,
      UserResolver,
      OrganizationResolver,
      TicketResolver,
      TicketSubscriptionResolver,
      TicketSlaResolver,
      SlaResolver,
      NoteResolver,
      TicketEventResolver,
      SeverityChangeRequestResolver,
      TicketSeverityRequestsResolver,
      EscalationResolver,
      TicketEscalationsResolver,
    ],
    authChecker,
    authMode: 'error',
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    // Subscriptions subscribe through the request's Realtime (common/subscriptions.ts); type-graphql gets the same.
    pubSub: asTypeGraphqlPubSub(realtime),
    validate: false,
  });
}

/** The SDL committed as `schema.graphql`: sorted, so that a diff shows only real changes. */
export function printEscalateSchema(schema: GraphQLSchema = buildEscalateSchema()): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
