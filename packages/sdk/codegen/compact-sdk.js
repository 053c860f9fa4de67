// A graphql-codegen plugin: the client's typed methods over compact documents (output: src/_generated/sdk.ts).
//
// Each operation is sent as text with its ignored characters stripped, followed by the fragments it needs. Each
// fragment's text is one constant that every operation using it interpolates, so a bundle holds it once however many
// operations spread it (codegen's AST documents repeat a fragment in every document that uses it: `UserFields`
// 58 times), and sending a document needs no graphql `print`. The typed AST documents for Apollo Client or urql stay
// in graphql.ts. One method per operation: queries and mutations through `request`, subscriptions through `subscribe`.
import { print, stripIgnoredCharacters } from 'graphql';

/** @type {import('@graphql-codegen/plugin-helpers').PluginFunction} */
export const plugin = (_schema, documents) => {
  const definitions = documents.flatMap((file) => file.document?.definitions ?? []);
  const fragments = new Map(definitions.filter((d) => d.kind === 'FragmentDefinition').map((d) => [d.name.value, d]));
  const operations = definitions.filter((d) => d.kind === 'OperationDefinition');
  const compact = (node) => stripIgnoredCharacters(print(node));
  const fragmentConst = (name) => `${name}Fragment`;

  const lines = [
    `import type * as Operations from './graphql.js';`,
    '',
    '/** A document as the client sends it: its text, typed by its result and variables. */',
    'export type Document<R, V> = string & { readonly __result?: R; readonly __variables?: V };',
    '',
    '/** Sends a query or mutation. */',
    'export type Request<C> = <R, V>(document: Document<R, V>, variables: V | undefined, options?: C) => Promise<R>;',
    '/** Starts a subscription. */',
    'export type Subscribe = <R, V>(document: Document<R, V>, variables: V | undefined) => AsyncIterable<R>;',
    '',
  ];
  for (const [name, fragment] of fragments) lines.push(`const ${fragmentConst(name)} = ${JSON.stringify(compact(fragment))};`);
  lines.push('');

  const methods = [];
  for (const operation of operations) {
    const name = operation.name?.value;
    if (!name) throw new Error('Every operation in operations/ needs a name: the client names its method after it.');
    const kind = operation.operation;
    const typeName = `${name[0].toUpperCase()}${name.slice(1)}${kind[0].toUpperCase()}${kind.slice(1)}`;
    const used = [...fragmentsUsed(operation, fragments)].map(fragmentConst);
    const text = [JSON.stringify(compact(operation)), ...used].join(' + ');
    const documentConst = `${name}Document`;
    lines.push(`const ${documentConst} = (${text}) as Document<Operations.${typeName}, Operations.${typeName}Variables>;`);
    const required = (operation.variableDefinitions ?? []).some((variable) => variable.type.kind === 'NonNullType' && !variable.defaultValue);
    const variables = `variables${required ? '' : '?'}: Operations.${typeName}Variables`;
    methods.push(
      kind === 'subscription'
        ? `    ${name}: (${variables}): AsyncIterable<Operations.${typeName}> => subscribe(${documentConst}, variables),`
        : `    ${name}: (${variables}, options?: C): Promise<Operations.${typeName}> => request(${documentConst}, variables, options),`,
    );
  }
  lines.push(
    '',
    '/** One typed method per operation in operations/, named after it. */',
    'export function getSdk<C>(request: Request<C>, subscribe: Subscribe) {',
    '  return {',
    ...methods,
    '  };',
    '}',
    '',
  );
  return lines.join('\n');
};

/** The names of the fragments a definition spreads, directly or through other fragments, each once. */
function fragmentsUsed(definition, fragments, found = new Set()) {
  const visit = (selectionSet) => {
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === 'FragmentSpread') {
        const name = selection.name.value;
        if (found.has(name)) continue;
        const fragment = fragments.get(name);
        if (!fragment) throw new Error(`Fragment ${name} is spread but not defined in operations/.`);
        found.add(name);
        visit(fragment.selectionSet);
      } else visit(selection.selectionSet);
    }
  };
  visit(definition.selectionSet);
  return found;
}
