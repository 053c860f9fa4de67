// What the SDK adds to a browser app's bundle: a wall screen using five operations through createRequester, bundled
// and minified by esbuild for the browser, with graphql (the app's own, a peer dependency) left out. Before
// createRequester an app got every operation's document through createClient: 121 KB for the same five.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

async function bundledBytes(entry: string): Promise<number> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    external: ['graphql'],
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.contents.byteLength;
}

describe('the SDK in a browser bundle', () => {
  it('adds about 40 KB minified for five operations with createRequester (transport, graphql-ws, retries, documents)', async () => {
    const bytes = await bundledBytes('./fixtures/dashboard-app.ts');
    // 40.4 KB on 2026-11-29: 16.5 KB the client and graphql-ws, the rest the five documents and their fragments.
    expect(bytes).toBeLessThan(45_000);
  });
});
