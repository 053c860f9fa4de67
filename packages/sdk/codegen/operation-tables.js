// A graphql-codegen plugin: the tables `client.paginate` and `client.subscribe` are built from, so that a new
// connection or subscription in operations/ reaches the client without editing it (output: src/_generated/operation-tables.ts).
//
// A query is paginated when its result reaches a connection (a type named `…Connection` with `edges` and `pageInfo`,
// the Relay convention the schema follows) through single objects, not lists, and passes its `$after` variable as
// that field's `after` argument; the table holds the path of response keys from the result to the connection.
// No graphql import: the schema and documents come from codegen's own graphql, and are read by shape.

/** @typedef {{ kind: string, name?: { value: string }, alias?: { value: string }, arguments?: any[], selectionSet?: { selections: any[] }, typeCondition?: { name: { value: string } } }} Selection */

/** Pages need these, to know whether another follows and where it starts. */
const PAGE_INFO_FIELDS = ['hasNextPage', 'endCursor'];

/** @type {import('@graphql-codegen/plugin-helpers').PluginFunction} */
export const plugin = (schema, documents) => {
  const definitions = documents.flatMap((file) => file.document?.definitions ?? []);
  const fragments = new Map(definitions.filter((d) => d.kind === 'FragmentDefinition').map((d) => [d.name.value, d]));
  const operations = definitions.filter((d) => d.kind === 'OperationDefinition');

  const paginated = operations
    .filter((operation) => operation.operation === 'query')
    .flatMap((operation) => {
      const name = operation.name.value;
      const found = connectionsIn(operation.selectionSet, schema.getQueryType(), [], { schema, fragments });
      if (found.length > 1) {
        throw new Error(`Query ${name} pages ${found.map(({ path }) => path.join('.')).join(' and ')}: client.paginate follows one connection per query.`);
      }
      return found.map(({ path, type, selectionSet }) => {
        const pageInfo = selectedFields(selectionSet, { fragments }).get('pageInfo') ?? [];
        const selected = new Set(pageInfo.flatMap((field) => [...selectedFields(field.selectionSet, { fragments }).keys()]));
        const missing = PAGE_INFO_FIELDS.filter((field) => !selected.has(field));
        if (missing.length) throw new Error(`Query ${name} pages ${path.join('.')} but does not select pageInfo { ${missing.join(' ')} }.`);
        return { name, path, type };
      });
    });
  const subscriptions = operations.filter((operation) => operation.operation === 'subscription').map((operation) => operation.name.value);

  const rows = paginated.map(({ name, path, type }) => {
    const about = `\`${path.join('.')}\` (${type.name})${type.description ? `: ${type.description}` : ''}`;
    return `  /** ${about.replace(/\*\//g, '*\\/').replace(/\s+/g, ' ')} */\n  ${name}: [${path.map((key) => `'${key}'`).join(', ')}],`;
  });
  return [
    '',
    '/** Each query whose result reaches a connection, by operation name: the path from its result to the connection, which `client.paginate` follows page after page. */',
    `export const paginatedQueries = {\n${rows.join('\n')}\n} as const;`,
    '',
    '/** Each subscription operation, by name: `client.subscribe` has a method for each. */',
    `export const subscriptionOperations = [${subscriptions.map((name) => `'${name}'`).join(', ')}] as const;`,
    '',
  ].join('\n');
};

/**
 * The pageable connections a selection set reaches, with the path of response keys to each.
 * @param {{ selections: Selection[] }} selectionSet
 * @param {any} parentType the GraphQL type the selection set is on
 * @param {string[]} path
 * @param {{ schema: any, fragments: Map<string, any> }} context
 * @returns {{ path: string[], type: any, selectionSet: { selections: Selection[] } }[]}
 */
function connectionsIn(selectionSet, parentType, path, context) {
  return selectionSet.selections.flatMap((selection) => {
    if (selection.kind === 'InlineFragment') {
      return connectionsIn(selection.selectionSet, selection.typeCondition ? context.schema.getType(selection.typeCondition.name.value) : parentType, path, context);
    }
    if (selection.kind === 'FragmentSpread') {
      const fragment = context.fragments.get(selection.name.value);
      return connectionsIn(fragment.selectionSet, context.schema.getType(fragment.typeCondition.name.value), path, context);
    }
    const field = parentType.getFields?.()[selection.name.value];
    if (!field || !selection.selectionSet) return [];
    const type = namedType(field.type);
    const key = (selection.alias ?? selection.name).value;
    // A list's items cannot be paged one connection at a time.
    if (String(field.type).includes('[')) return [];
    if (isConnection(type)) return pagesWithAfter(selection) ? [{ path: [...path, key], type, selectionSet: selection.selectionSet }] : [];
    return connectionsIn(selection.selectionSet, type, [...path, key], context);
  });
}

/** The named type under any non-null and list wrappers. */
function namedType(type) {
  return type.ofType ? namedType(type.ofType) : type;
}

function isConnection(type) {
  const fields = type.getFields?.() ?? {};
  return type.name.endsWith('Connection') && 'edges' in fields && 'pageInfo' in fields;
}

/** Whether the field's `after` argument is the operation's `$after` variable, which paging sets. */
function pagesWithAfter(field) {
  const after = field.arguments?.find((argument) => argument.name.value === 'after');
  return after?.value.kind === 'Variable' && after.value.name.value === 'after';
}

/**
 * The fields a selection set selects, by response key, through its fragments.
 * @returns {Map<string, Selection[]>}
 */
function selectedFields(selectionSet, context, fields = new Map()) {
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === 'Field') {
      const key = (selection.alias ?? selection.name).value;
      fields.set(key, [...(fields.get(key) ?? []), selection]);
    } else {
      const fragment = selection.kind === 'FragmentSpread' ? context.fragments.get(selection.name.value) : selection;
      selectedFields(fragment.selectionSet, context, fields);
    }
  }
  return fields;
}
