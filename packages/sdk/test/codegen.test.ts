// The generated code is committed: it must be exactly what graphql-codegen produces from schema.graphql and the
// operations, and every operation must validate against the schema.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate, loadCodegenConfig } from '@graphql-codegen/cli';
import type { Types } from '@graphql-codegen/plugin-helpers';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

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
    expect(outputs.map((output) => path.relative(root, path.resolve(root, output.filename))).sort()).toEqual(Object.keys(config.generates).sort());
    for (const output of outputs) {
      const file = path.resolve(root, output.filename);
      const committed = readFileSync(file, 'utf8');
      expect(committed === output.content, `${path.relative(root, file)} is out of date (${firstDifference(committed, output.content)}): run \`npm run generate\` and commit the result`).toBe(true);
    }
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
