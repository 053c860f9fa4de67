// What the SDK adds to a browser app's bundle: a wall screen using five operations through createClient, bundled,
// split and minified by esbuild for the browser, graphql included. The client's methods send compact documents
// (each fragment's text once), so graphql's printer is needed only for an app's own DocumentNodes: it is a chunk
// of its own, imported on first use, never loaded by this app. Before: 121 KB (every operation's AST document).
import { build, type Metafile } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The bytes the entry loads at start: its own file and the chunks it imports statically, not those imported on use. */
function loadedAtStart(metafile: Metafile, file: string, seen = new Set<string>()): number {
  if (seen.has(file)) return 0;
  seen.add(file);
  const output = metafile.outputs[file]!;
  return output.bytes + output.imports.filter((imported) => imported.kind === 'import-statement').reduce((sum, imported) => sum + loadedAtStart(metafile, imported.path, seen), 0);
}

describe('the SDK in a browser bundle', () => {
  it('adds under 30 KB minified for createClient and five operations, graphql included (26.5 KB on 2026-11-29)', async () => {
    const entry = fileURLToPath(new URL('./fixtures/dashboard-app.ts', import.meta.url));
    const { metafile } = await build({
      entryPoints: [entry],
      bundle: true,
      minify: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      outdir: 'bundle-size-out',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const entryFile = Object.keys(metafile.outputs).find((file) => metafile.outputs[file]!.entryPoint)!;
    expect(loadedAtStart(metafile, entryFile)).toBeLessThan(30_000);
    // graphql is there only as a chunk loaded on use (for an app's own DocumentNodes), not at start.
    const graphqlInputs = (file: string) => Object.keys(metafile.outputs[file]!.inputs).filter((input) => input.includes('node_modules/graphql/'));
    expect(graphqlInputs(entryFile)).toEqual([]);
    expect(metafile.outputs[entryFile]!.imports.map((imported) => imported.kind)).toEqual(['dynamic-import']);
  });
});
