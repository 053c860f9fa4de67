// The GraphQL schema, built in code from the feature folders' resolvers and emitted to `schema.graphql`.
import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchemaSync } from 'type-graphql';
import { authChecker } from '../auth/auth-checker';
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

export function buildEscalateSchema(): GraphQLSchema {
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
    // Every subscription subscribes through the request's Realtime (see its `subscribe`); type-graphql insists on
    // a PubSub anyway, so it gets one that says so if anything ever reaches it.
    pubSub: {
      publish: () => {
        throw new Error('Publish through Realtime (src/realtime/pubsub.ts), not type-graphql’s PubSub.');
      },
      subscribe: () => {
        throw new Error('Subscriptions subscribe through Realtime in their own `subscribe` option.');
      },
    },
    validate: false,
  });
}

/** The SDL committed as `schema.graphql`: sorted, so that a diff shows only real changes. */
export function printEscalateSchema(schema: GraphQLSchema = buildEscalateSchema()): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
