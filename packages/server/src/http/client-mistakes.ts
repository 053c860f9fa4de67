// What a client got wrong is its 4xx, never our 500: graphql-js reports bad variable values (a wrong enum, an unknown
// input field, `1.5` for an Int, an invalid DateTime) only when it executes, after plugins have run and
// thrown on them without a code; and a subscription cannot be served over HTTP. This plugin checks both as soon as
// the operation is known, before the limits and before anything reaches the database.
import { ApolloServerPlugin } from '@apollo/server';
import { getOperationAST, getVariableValues, GraphQLError, GraphQLSchema } from 'graphql';

function refusal(message: string, code: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status: 400 } } });
}

export function clientMistakesPlugin<C extends object>(schema: GraphQLSchema): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request }) {
          const operation = getOperationAST(document, request.operationName);
          if (!operation) return; // Apollo answers an unknown or ambiguous operation name itself
          if (operation.operation === 'subscription') {
            throw refusal('Subscriptions are served over WebSocket (subprotocol graphql-transport-ws) on this path, not over HTTP.', 'BAD_REQUEST');
          }
          const { errors } = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {}, { maxErrors: 10 });
          if (errors?.length) throw refusal(errors.map((error) => error.message).join(' '), 'BAD_USER_INPUT');
        },
      };
    },
  };
}
