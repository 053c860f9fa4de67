// The generated code is committed: it must be exactly what graphql-codegen produces from schema.graphql and the
// operations, and every operation must validate against the schema.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate, loadCodegenConfig } from '@graphql-codegen/cli';
import type { Types } from '@graphql-codegen/plugin-helpers';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const operationTables = 'packages/sdk/src/_generated/operation-tables.ts';

async function codegenConfig(): Promise<Types.Config> {
  const { config } = await loadCodegenConfig({ configFilePath: path.join(root, 'codegen.yml') });
  return config;
}

/** Runs codegen in memory (nothing is written), from the repository root as `npm run generate` does. */
async function run(config: Types.Config): Promise<Types.FileOutput[]> {
  return generate({ ...config, cwd: root, silent: true, watch: false }, false);
}

/** Where two texts first differ, to point at the drift without printing whole files. */
function firstDifference(committed: string, generated: string): string {
  const [a, b] = [committed.split('\n'), generated.split('\n')];
  const line = a.findIndex((text, index) => text !== b[index]);
  const at = line === -1 ? a.length : line;
  const clip = (text: string | undefined) => (text === undefined ? '<end of file>' : JSON.stringify(text.slice(0, 120)));
  return `line ${at + 1}: committed ${clip(a[at])}, codegen ${clip(b[at])}`;
}

describe('generated code', () => {
  it('is what `npm run generate` produces from schema.graphql and packages/sdk/operations', async () => {
    const config = await codegenConfig();
    const outputs = await run(config);
    expect(Object.keys(config.generates), 'the tables client.paginate and client.subscribe are built from').toContain(operationTables);
    expect(outputs.map((output) => path.relative(root, path.resolve(root, output.filename))).sort()).toEqual(Object.keys(config.generates).sort());
    for (const output of outputs) {
      const file = path.resolve(root, output.filename);
      const committed = readFileSync(file, 'utf8');
      expect(committed === output.content, `${path.relative(root, file)} is out of date (${firstDifference(committed, output.content)}): run \`npm run generate\` and commit the result`).toBe(true);
    }
  }, 120_000);

  it('tables each query that pages a connection, with the path to it, and each subscription: new ones need no edit of the client', async () => {
    const config = await codegenConfig();
    const extra = `
      query notesOfFound($id: ID!, $after: String) { found: ticket(id: $id) { notes(first: 5, after: $after) { pageInfo { ...PageInfoFields } } } }
      query firstNotes($id: ID!) { ticket(id: $id) { notes(first: 5) { pageInfo { ...PageInfoFields } } } }
      subscription statusOfAll { ticketStatusChanged { to } }`;
    const outputs = await run({ ...config, documents: [config.documents as string, extra].flat() });
    const tables = outputs.find((output) => path.relative(root, path.resolve(root, output.filename)) === operationTables)!.content;
    expect(tables).toContain("notesOfFound: ['found', 'notes'],");
    expect(tables).toContain("ticketNotes: ['ticket', 'notes'],");
    expect(tables, 'a connection without `after: $after` cannot be paged').not.toContain('firstNotes');
    expect(tables).toMatch(/subscriptionOperations = \[[^\]]*'statusOfAll'\] as const/);
  }, 120_000);

  it('refuses a paged query that does not select the page info paging reads', async () => {
    const config = await codegenConfig();
    const extra = 'query ticketIds($after: String) { tickets(after: $after) { edges { node { id } } } }';
    const failure = await run({ ...config, documents: [config.documents as string, extra].flat() }).then(
      () => null,
      (error: unknown) => error,
    );
    expect((failure as Error | null)?.message).toMatch(/Query ticketIds pages tickets but does not select pageInfo \{ hasNextPage endCursor \}/);
  }, 120_000);

  it('fails with a clear error for an operation that does not validate against the schema', async () => {
    const config = await codegenConfig();
    const documents = [config.documents as string, 'query brokenOperation { nope }'].flat();
    const failure = await run({ ...config, documents }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure, 'codegen accepted an operation the schema does not have').toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/GraphQL Document Validation failed[\s\S]*Cannot query field "nope" on type "Query"/);
  }, 120_000);
});
