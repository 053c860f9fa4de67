// The GraphQL schema, built in code from the feature folders' resolvers and emitted to `schema.graphql`.
import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchemaSync } from 'type-graphql';
import { authChecker } from '../auth/auth-checker';
import { NodeResolver } from '../common/node.resolver';
import { TicketEventResolver } from '../events/ticket-event.resolver';
import { NoteResolver } from '../notes/note.resolver';
import { OrganizationResolver } from '../organizations/organization.resolver';
import { PolicyResolver } from '../policy/policy.resolver';
import { TicketResolver } from '../tickets/ticket.resolver';
import { UserResolver } from '../users/user.resolver';

export function buildEscalateSchema(): GraphQLSchema {
  return buildSchemaSync({
    resolvers: [NodeResolver, PolicyResolver, UserResolver, OrganizationResolver, TicketResolver, NoteResolver, TicketEventResolver],
    authChecker,
    authMode: 'error',
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    validate: false,
  });
}

/** The SDL committed as `schema.graphql`: sorted, so that a diff shows only real changes. */
export function printEscalateSchema(schema: GraphQLSchema = buildEscalateSchema()): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
