// The import graph of packages/*/src, read from the code: no import circles, and the foundations point down.
//
//   sla/        the pure SLA engine: imports nothing of ours outside sla/
//   realtime/   pub/sub and publish-after-commit: our code only from realtime/ and sla/
//   common/     ids, connections, loaders, errors, mutations, subscriptions: only common/, realtime/, sla/ and the
//               top-level context.ts and config.ts
//   features    (tickets/, notes/, sla-cycles/, …) may import all of the above and each other, without circles
//   http/       composes the schema and the server from everything
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const PACKAGES = path.resolve(__dirname, '..', '..');
const SOURCE_ROOTS = [path.join(PACKAGES, 'server', 'src'), path.join(PACKAGES, 'sdk', 'src')];

interface Import {
  from: string;
  to: string;
  /** `import type`: no module is loaded at run time, so it cannot close a circle. */
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return full.endsWith('.ts') && !full.endsWith('.d.ts') ? [full] : [];
  });
}

function resolveImport(file: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = path.resolve(path.dirname(file), specifier.replace(/\.js$/, ''));
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // try the next form
    }
  }
  throw new Error(`${path.relative(PACKAGES, file)}: cannot resolve '${specifier}'`);
}

/** Every `import … from '…'` and `export … from '…'` of our own modules. */
function importsOf(file: string, source: string): Import[] {
  const found: Import[] = [];
  for (const match of source.matchAll(/^(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm)) {
    const to = resolveImport(file, match[3]!);
    if (to) found.push({ from: file, to, typeOnly: Boolean(match[2]) });
  }
  return found;
}

/** The circles of a graph (its strongly connected components of more than one module, or a module importing itself). */
function circles(edges: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (edges.get(node) ?? []).includes(node)) found.push(component.sort());
    }
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return found;
}

const files = SOURCE_ROOTS.flatMap(sourceFiles);
const imports = files.flatMap((file) => importsOf(file, readFileSync(file, 'utf8')));
const serverSource = SOURCE_ROOTS[0]!;
const relative = (file: string) => path.relative(PACKAGES, file);

/** The top folder of a server source file (`tickets`), or the file itself at the top (`context.ts`). */
const layerOf = (file: string) => path.relative(serverSource, file).split(path.sep)[0]!;

const MAY_IMPORT: Record<string, string[]> = {
  sla: ['sla'],
  realtime: ['realtime', 'sla'],
  common: ['common', 'realtime', 'sla', 'context.ts', 'config.ts'],
};

describe('the import graph', () => {
  it('reads imports and finds circles (checked on a known graph)', () => {
    const parsed = importsOf(path.join(serverSource, 'main.ts'), readFileSync(path.join(serverSource, 'main.ts'), 'utf8'));
    expect(parsed.map((each) => relative(each.to))).toContain('server/src/lifecycle.ts');
    expect(circles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['a', 'b', 'c']]);
    expect(circles(new Map([['a', ['b']], ['b', []]]))).toEqual([]);
  });

  it('has no import circle in packages/*/src', () => {
    const edges = new Map<string, string[]>(files.map((file) => [file, []]));
    for (const { from, to, typeOnly } of imports) if (!typeOnly) edges.get(from)!.push(to);
    expect(circles(edges).map((circle) => circle.map(relative))).toEqual([]);
  });

  it('keeps sla/, realtime/ and common/ free of feature code', () => {
    const upward = imports
      .filter(({ from, to }) => from.startsWith(serverSource) && to.startsWith(serverSource))
      .filter(({ from, to }) => MAY_IMPORT[layerOf(from)] && !MAY_IMPORT[layerOf(from)]!.includes(layerOf(to)))
      .map(({ from, to }) => `${relative(from)} -> ${relative(to)}`);
    expect(upward).toEqual([]);
  });
});
