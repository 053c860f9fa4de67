// PostGraphile 4 over the bench database, as its documentation sets it up for production: the schema built from
// the tables at start, no query log, no GraphiQL, no JWT (the bench's customer query filters by organization with
// a `condition`). Prints its URL once the schema is built.
import http from 'node:http';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';
import pg from 'pg';

const require = createRequire(import.meta.url);
// The workspace's graphql is 16, so npm gives PostGraphile's packages graphql 15 in two places (under postgraphile
// and under graphile-build-pg), and a schema built from two graphql modules fails ("Unexpected input type"). Every
// package of PostGraphile's gets the copies that postgraphile itself resolves.
const postgraphileDir = path.dirname(require.resolve('postgraphile'));
const asPostgraphile = { id: postgraphileDir, filename: path.join(postgraphileDir, 'index.js'), paths: Module._nodeModulePaths(postgraphileDir) };
const SHARED = ['graphql', 'graphile-build', 'graphile-build-pg'];
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const shared = SHARED.some((name) => request === name || request.startsWith(`${name}/`));
  return resolveFilename.call(this, request, shared ? asPostgraphile : parent, ...rest);
};
const { postgraphile } = require('postgraphile');

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const middleware = postgraphile(pool, 'public', {
  graphqlRoute: '/graphql',
  graphiql: false,
  disableQueryLog: true,
  dynamicJson: true,
  setofFunctionsContainNulls: false,
  legacyRelations: 'omit',
  retryOnInitFail: false,
  watchPg: false,
});
const server = http.createServer(middleware);
await middleware.getGraphQLSchema();
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`postgraphile listening on http://127.0.0.1:${server.address().port}/graphql`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    pool.end().finally(() => process.exit(0));
  });
}
