// The GraphQL playground at GET /graphql in a browser: GraphiQL 3 with every asset served by us, so it works offline.
import express, { Router } from 'express';
import path from 'node:path';

/** A file inside an installed package (these packages do not export their browser builds). */
const packageFile = (name: string, file: string) => path.join(path.dirname(require.resolve(`${name}/package.json`)), file);

const ASSETS: Record<string, string> = {
  'graphiql.min.css': packageFile('graphiql', 'graphiql.min.css'),
  'graphiql.min.js': packageFile('graphiql', 'graphiql.min.js'),
  'react.production.min.js': packageFile('react', 'umd/react.production.min.js'),
  'react-dom.production.min.js': packageFile('react-dom', 'umd/react-dom.production.min.js'),
};

const DEFAULT_QUERY = `# Welcome to Escalate. To sign in, put a token
# into Headers below:
#   { "Authorization": "Bearer <token>" }
# npm start prints one for each demo user.
# Without a token only the published policy
# answers: severityLevels and supportLines.

query Tickets {
  me { name role }
  tickets(first: 10) {
    totalCount
    edges { node { number title severity status } }
  }
}
`;

const INIT_SCRIPT = `
const root = ReactDOM.createRoot(document.getElementById('graphiql'));
root.render(React.createElement(GraphiQL, {
  fetcher: GraphiQL.createFetcher({
    url: window.location.origin + '/graphql',
    // Subscriptions over graphql-ws; the Headers tab's Authorization goes along as a connection parameter.
    subscriptionUrl: (window.location.protocol === 'https:' ? 'wss://' : 'ws://') + window.location.host + '/graphql',
  }),
  defaultQuery: ${JSON.stringify(DEFAULT_QUERY)},
  // Empty, so that the schema loads (introspection needs no token) before one is pasted in.
  defaultHeaders: '{}',
  defaultEditorToolsVisibility: 'headers',
  shouldPersistHeaders: true,
}));
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>Escalate — GraphQL playground</title>
  <link rel="stylesheet" href="/playground/graphiql.min.css" />
  <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
</head>
<body>
  <div id="graphiql">Loading the playground…</div>
  <script src="/playground/react.production.min.js"></script>
  <script src="/playground/react-dom.production.min.js"></script>
  <script src="/playground/graphiql.min.js"></script>
  <script src="/playground/init.js"></script>
</body>
</html>
`;

/** Whether a GET /graphql is a person's browser rather than a GraphQL-over-HTTP client. */
export function wantsPlayground(request: express.Request): boolean {
  return request.method === 'GET' && !request.query.query && request.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
}

export function playgroundRouter(): Router {
  const router = Router();
  for (const [name, file] of Object.entries(ASSETS)) {
    router.get(`/playground/${name}`, (_request, response) => {
      response.sendFile(file, { maxAge: '1d' });
    });
  }
  router.get('/playground/init.js', (_request, response) => {
    response.type('application/javascript').send(INIT_SCRIPT);
  });
  router.get('/graphql', (request, response, next) => {
    if (!wantsPlayground(request)) return next();
    // Everything the playground loads comes from this server; it talks to /graphql over HTTP and WebSocket.
    response.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
    response.type('html').send(PAGE);
  });
  return router;
}
