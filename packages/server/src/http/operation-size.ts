// How big an operation is, measured in one walk before it runs: nesting depth, root fields, cost (objects
// resolved) and database statements. Each fragment is measured once and remembered, so fragments that spread
// each other twice per level cost a walk of the document, not of its 2^n expansion. It runs before validation
// (limits.ts), so unknown fields, bad types and fragment cycles count as nothing; validation refuses them next.
import {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  getNamedType,
  GraphQLCompositeType,
  GraphQLField,
  GraphQLNamedType,
  GraphQLSchema,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
  ValueNode,
} from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_NODES } from '../common/connection';

export interface OperationSize {
  /** Field nesting; fragments and introspection do not count. */
  depth: number;
  /** Fields selected on the operation's root type, fragments expanded. */
  rootFields: number;
  /** Objects and values resolved: a field costs 1 plus its children, times the page size (`first`) for a page. */
  cost: number;
  /** SQL statements in the worst case: see `statementsOf`. */
  statements: number;
}

const NOTHING: OperationSize = { depth: 0, rootFields: 0, cost: 0, statements: 0 };

/** `slaPreview` reads the organization, its calendar and the severity's target before computing. */
const SLA_PREVIEW_STATEMENTS = 3;

/**
 * Statements a field runs each time it appears in the query. Below the root, loaders and windowed child pages
 * batch a field for every parent row into one statement (test/http.test.ts counts them), so a nested field costs
 * its statements once per place in the query, not once per row. Page wrappers (edges, node, pageInfo) are read
 * from the page already loaded; scalars from the row.
 */
function statementsOf(field: GraphQLField<unknown, unknown>, parent: GraphQLCompositeType, isRoot: boolean, pageSize: number): number {
  if (parent.name.endsWith('Connection') || parent.name.endsWith('Edge')) return field.name === 'totalCount' ? 1 : 0;
  if (isRoot && field.name === 'slaPreview') return SLA_PREVIEW_STATEMENTS;
  if (isRoot && field.name === 'nodes') return pageSize;
  if (isRoot) return 1;
  return isCompositeType(getNamedType(field.type)) ? 1 : 0;
}

/** The number an argument is given, literally or through a variable; undefined when it is not a number. */
function argumentValue(field: FieldNode, name: string, variables: Record<string, unknown>): unknown {
  const argument = field.arguments?.find((candidate) => candidate.name.value === name);
  return argument ? valueOf(argument.value, variables) : undefined;
}

function valueOf(value: ValueNode, variables: Record<string, unknown>): unknown {
  if (value.kind === Kind.VARIABLE) return variables[value.name.value];
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.LIST) return value.values;
  return undefined;
}

/** How many items a field returns per parent: `first` for a page, the ids for the root `nodes`, otherwise one. */
function pageSizeOf(definition: GraphQLField<unknown, unknown>, field: FieldNode, variables: Record<string, unknown>, isRoot: boolean): number {
  if (definition.args.some((arg) => arg.name === 'first')) {
    const first = argumentValue(field, 'first', variables);
    return typeof first === 'number' && first > 0 ? first : DEFAULT_PAGE_SIZE;
  }
  if (isRoot && definition.name === 'nodes') {
    const ids = argumentValue(field, 'ids', variables);
    return Array.isArray(ids) ? Math.max(ids.length, 1) : MAX_NODES;
  }
  return 1;
}

export function operationSize(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): OperationSize {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  /** Each fragment's size, once measured; null while it is being measured (a cycle, which validation refuses). */
  const measured = new Map<string, OperationSize | null>();
  const rootType = schema.getRootType(operation.operation) ?? undefined;

  const measureSet = (selectionSet: SelectionSetNode, parent: GraphQLNamedType | undefined): OperationSize => {
    const total = { ...NOTHING };
    const add = (part: OperationSize) => {
      total.depth = Math.max(total.depth, part.depth);
      total.rootFields += part.rootFields;
      total.cost += part.cost;
      total.statements += part.statements;
    };
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) add(measureField(selection, parent));
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const typeCondition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        add(measureSet(selection.selectionSet, typeCondition));
      } else add(measureFragment(selection.name.value));
    }
    return total;
  };

  const measureFragment = (name: string): OperationSize => {
    if (measured.has(name)) return measured.get(name) ?? NOTHING;
    const fragment = fragments.get(name);
    if (!fragment) return NOTHING;
    measured.set(name, null);
    const size = measureSet(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value));
    measured.set(name, size);
    return size;
  };

  const measureField = (field: FieldNode, parent: GraphQLNamedType | undefined): OperationSize => {
    const isRoot = parent !== undefined && parent === rootType;
    // Introspection and __typename are answered from memory (and the playground needs deep introspection).
    if (field.name.value.startsWith('__')) return { ...NOTHING, rootFields: isRoot && field.name.value !== '__typename' ? 1 : 0 };
    const definition = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[field.name.value] : undefined;
    const type = definition ? getNamedType(definition.type) : undefined;
    const children = field.selectionSet ? measureSet(field.selectionSet, type) : NOTHING;
    const pageSize = definition ? pageSizeOf(definition, field, variables, isRoot) : 1;
    const ownStatements = definition && parent && isCompositeType(parent) ? statementsOf(definition, parent, isRoot, pageSize) : 0;
    return {
      depth: 1 + children.depth,
      rootFields: isRoot ? 1 : 0,
      cost: 1 + pageSize * children.cost,
      // `nodes` resolves each id apart, so what is below it runs once per id; everything else is batched.
      statements: ownStatements + (definition?.name === 'nodes' && isRoot ? pageSize : 1) * children.statements,
    };
  };

  return measureSet(operation.selectionSet, rootType);
}
