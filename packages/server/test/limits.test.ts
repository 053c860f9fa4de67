// Abusive documents are refused before they cost anything: each attack answers HTTP 400 QUERY_TOO_COMPLEX in
// milliseconds, over HTTP and graphql-ws; and everything the SDK and the README send stays within the limits.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, DocumentNode, FragmentDefinitionNode, Kind, OperationDefinitionNode, parse, print, visit } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PAGE_SIZE } from '../src/common/connection';
import { countTokens, DEFAULT_LIMITS, limitViolation, QueryLimits } from '../src/http/limits';
import { aliases, directives, fragmentBomb, overlappingFragments, repeatedField, rootFields } from './helpers/attacks';
import { connect, subscribe } from './helpers/subscriptions';
import { ENGINEER, startTestServer, TestServer } from './helpers/test-server';

const repoRoot = join(__dirname, '../../..');
const schema = buildSchema(readFileSync(join(repoRoot, 'schema.graphql'), 'utf8'));

/** Each attack, and the limits that stop it (set to Infinity to show the attack passes without them). */
const attacks: { name: string; query: string; limits: (keyof QueryLimits)[]; message: RegExp }[] = [
  { name: 'fragments spreading the next twice, 22 levels deep', query: fragmentBomb(22), limits: ['maxRootFields', 'maxCost', 'maxStatements'], message: /root fields/ },
  { name: '4,900 aliases of tickets(first: 1) { totalCount }', query: aliases(4_900, 'tickets(first: 1) { totalCount }'), limits: ['maxTokens'], message: /tokens/ },
  { name: '100 aliases of tickets(first: 1) { totalCount }', query: aliases(100, 'tickets(first: 1) { totalCount }'), limits: ['maxAliases', 'maxRootFields', 'maxStatements'], message: /Aliases limit of 30/ },
  { name: '4,900 aliases of severityLevels', query: aliases(4_900, 'severityLevels { severity }'), limits: ['maxTokens'], message: /tokens/ },
  { name: 'a document of more than 10,000 nodes', query: repeatedField(12_000), limits: ['maxTokens'], message: /tokens/ },
  { name: '200 directives', query: directives(200), limits: ['maxDirectives'], message: /Directives limit of 50/ },
  { name: 'a flood of root fields', query: rootFields(90), limits: ['maxRootFields'], message: /90 root fields/ },
  { name: 'two fragments of 1,400 repeated fields', query: overlappingFragments(1_400), limits: ['maxFields'], message: /more than 300 fields/ },
];

describe('query limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  for (const attack of attacks) {
    for (const as of [null, ENGINEER]) {
      it(`refuses ${attack.name} (${as ? 'signed in' : 'anonymous'}) with HTTP 400 and a refusal code in milliseconds`, async () => {
        const started = performance.now();
        const result = await server.gql(attack.query, {}, as);
        const elapsed = performance.now() - started;
        expect(result.status).toBe(400);
        // Oversized documents are cut off while parsing, and answered as our limits are; graphql-js's own rules may
        // refuse a document before ours (GRAPHQL_VALIDATION_FAILED); everything else is ours.
        const code = result.errors?.[0]?.extensions?.code;
        if (attack.limits.includes('maxTokens')) {
          expect(code).toBe('QUERY_TOO_COMPLEX');
          expect(result.errors?.[0]?.message).toMatch(/more than \d+ tokens/);
        } else if (code !== 'QUERY_TOO_COMPLEX') expect(code).toBe('GRAPHQL_VALIDATION_FAILED');
        else expect(result.errors?.[0]?.message).toMatch(attack.message);
        expect(elapsed).toBeLessThan(1_000); // a generous guard; the refusal itself takes a few milliseconds
      });
    }

    it(`would let ${attack.name} through without ${attack.limits.join(' and ')}`, () => {
      const without: QueryLimits = { ...DEFAULT_LIMITS };
      for (const limit of attack.limits) without[limit] = Infinity;
      const document = parse(attack.query);
      if (attack.limits.includes('maxTokens')) expect(countTokens(attack.query)).toBeGreaterThan(DEFAULT_LIMITS.maxTokens);
      else expect(limitViolation(schema, document, {}, undefined, without)).toBeNull();
      expect(limitViolation(schema, document, {}, undefined, DEFAULT_LIMITS)?.message).toMatch(attack.message);
    });
  }

  it('measures the 22-level fragment attack in one pass, not 2^22 (each fragment once)', () => {
    const started = performance.now();
    const violation = limitViolation(schema, parse(fragmentBomb(22)), {}, undefined, { ...DEFAULT_LIMITS, maxRootFields: Infinity, maxCost: Infinity });
    expect(violation?.extensions.code).toBe('QUERY_TOO_COMPLEX');
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('answers the fragment attack with only __typename at once: it selects nothing that costs', async () => {
    const query = fragmentBomb(22).replace('severityLevels { severity }', '');
    const started = performance.now();
    const result = await server.gql(query);
    expect(result.status).toBe(200);
    expect(result.data).toEqual({ __typename: 'Query' });
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('checks the limits before validation (its rules cost time on these documents), for GET as for POST', async () => {
    // Oversized and invalid at once: refused as oversized, so graphql-js never validated it.
    const query = overlappingFragments(1_400).replace('{ ...F ...G }', '{ ...F ...G noSuchField }');
    const posted = await server.gql(query);
    expect([posted.status, posted.errors?.[0]?.extensions?.code]).toEqual([400, 'QUERY_TOO_COMPLEX']);
    const short = `{ noSuchField ${'__typename '.repeat(400)}}`; // a URL stays within Node's 16 KB of headers
    const response = await fetch(`${server.url}?query=${encodeURIComponent(short)}`);
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect([response.status, body.errors[0]!.extensions.code]).toEqual([400, 'QUERY_TOO_COMPLEX']);
  });

  it('refuses the same attacks over graphql-ws', async () => {
    const client = connect(server.url, await server.token(ENGINEER));
    const started = performance.now();
    const subscription = await subscribe(client, `subscription ${aliases(100, 'ticketStatusChanged { to }')}`);
    await expect(subscription.next()).rejects.toThrow(/QUERY_TOO_COMPLEX|Aliases limit/);
    expect(performance.now() - started).toBeLessThan(1_000);
    await client.dispose();
  });

  it('over graphql-ws, checks the limits before validation too, and validates (twice the same invalid document, twice refused)', async () => {
    const client = connect(server.url, await server.token(ENGINEER));
    try {
      const oversized = await subscribe(client, `subscription { noSuchField ${'__typename '.repeat(400)}}`);
      await expect(oversized.next()).rejects.toThrow(/QUERY_TOO_COMPLEX/);
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const invalid = await subscribe(client, 'subscription { ticketStatusChanged { noSuchField } }');
        await expect(invalid.next()).rejects.toThrow(/Cannot query field \\"noSuchField\\"/);
      }
    } finally {
      await client.dispose();
    }
  });
});

describe('what the SDK and the README send', () => {
  const operationsDir = join(repoRoot, 'packages/sdk/operations');
  const sdkDocument = parse(
    ['fragments', 'queries', 'mutations', 'subscriptions'].map((file) => readFileSync(join(operationsDir, `${file}.graphql`), 'utf8')).join('\n'),
  );
  const fragments = new Map(
    sdkDocument.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );

  /** An operation with the fragments it uses, as the SDK sends it. */
  const documentFor = (operation: OperationDefinitionNode): DocumentNode => {
    const used = new Map<string, FragmentDefinitionNode>();
    const collect = (node: OperationDefinitionNode | FragmentDefinitionNode) =>
      visit(node, {
        FragmentSpread(spread) {
          const fragment = fragments.get(spread.name.value)!;
          if (!used.has(spread.name.value)) {
            used.set(spread.name.value, fragment);
            collect(fragment);
          }
        },
      });
    collect(operation);
    return { kind: Kind.DOCUMENT, definitions: [operation, ...used.values()] };
  };

  /** Every `first` at the largest page, `ids` at the most `nodes` takes. */
  const largestVariables = (operation: OperationDefinitionNode) => {
    const variables: Record<string, unknown> = {};
    for (const definition of operation.variableDefinitions ?? []) {
      const name = definition.variable.name.value;
      if (name === 'first') variables[name] = MAX_PAGE_SIZE;
      if (name === 'ids') variables[name] = Array.from({ length: 100 }, (_, i) => `id${i}`);
    }
    return variables;
  };

  const operations = sdkDocument.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  it.each(operations.map((operation) => [operation.name!.value, operation] as const))('SDK operation %s passes at its largest page size', (_name, operation) => {
    const document = documentFor(operation);
    expect(countTokens(print(document))).toBeLessThan(DEFAULT_LIMITS.maxTokens);
    expect(limitViolation(schema, parse(print(document)), largestVariables(operation), operation.name!.value, DEFAULT_LIMITS)).toBeNull();
  });

  const readmeExamples = [...readFileSync(join(repoRoot, 'README.md'), 'utf8').matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1]!);
  it.each(readmeExamples.map((example, i) => [i + 1, example] as const))('README example %i passes', (_index, example) => {
    expect(limitViolation(schema, parse(example), {}, undefined, DEFAULT_LIMITS)).toBeNull();
  });
});

describe('the cost of a connection’s `nodes`', () => {
  it('is its page’s, not that of the root `nodes(ids)` lookup', async () => {
    const server = await startTestServer();
    try {
      const result = await server.gql(`{ tickets(first: 5) { nodes { id timeline(first: 50) { totalCount nodes { type at data actor { id } } } } } }`, {}, ENGINEER);
      expect(result.errors).toBeUndefined();
    } finally {
      await server.close();
    }
  });
});
