// Read-only tokens (`scope: "read"`, e.g. a wall screen's): they query and subscribe; a mutation is refused before it
// runs, over HTTP (server.ts) as over WebSocket (websocket.ts).
import { DocumentNode, getOperationAST, GraphQLError } from 'graphql';
import { Viewer } from './viewer';

export function readOnlyRefusal(viewer: Viewer | null, document: DocumentNode, operationName: string | null | undefined): GraphQLError | null {
  if (!viewer?.readOnly || getOperationAST(document, operationName)?.operation !== 'mutation') return null;
  return new GraphQLError('This token is read-only (scope `read`): it may query and subscribe, not change anything.', {
    extensions: { code: 'FORBIDDEN' },
  });
}
