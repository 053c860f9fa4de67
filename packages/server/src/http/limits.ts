// Query depth and cost limits, checked before execution; answered with QUERY_TOO_COMPLEX.
import { ApolloServerPlugin } from '@apollo/server';
import { DocumentNode, FieldNode, FragmentDefinitionNode, getOperationAST, GraphQLError, GraphQLSchema, Kind, SelectionSetNode } from 'graphql';
import { ComplexityEstimator, getComplexity } from 'graphql-query-complexity';

export interface QueryLimits {
  maxDepth: number;
  maxCost: number;
}

/** A page of 100 whole tickets with their SLA history costs about 7,000; ten times that is refused. */
export const DEFAULT_LIMITS: QueryLimits = { maxDepth: 12, maxCost: 10_000 };

function tooComplex(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'QUERY_TOO_COMPLEX', http: { status: 400 } } });
}

/** Field nesting depth, following fragments; introspection fields do not count (the playground needs them). */
export function queryDepth(selectionSet: SelectionSetNode, fragments: Record<string, FragmentDefinitionNode>, seen = new Set<string>()): number {
  let depth = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const field = selection as FieldNode;
      if (field.name.value.startsWith('__')) continue;
      depth = Math.max(depth, 1 + (field.selectionSet ? queryDepth(field.selectionSet, fragments, seen) : 0));
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      depth = Math.max(depth, queryDepth(selection.selectionSet, fragments, seen));
    } else {
      const fragment = fragments[selection.name.value];
      if (!fragment || seen.has(fragment.name.value)) continue;
      depth = Math.max(depth, queryDepth(fragment.selectionSet, fragments, new Set([...seen, fragment.name.value])));
    }
  }
  return depth;
}

/** A field costs 1 plus its children; a page multiplies its children by its size (`first`, default 20). */
const pageAwareEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (field.name.startsWith('__')) return 0;
  const pageSize = field.args.some((arg) => arg.name === 'first') ? 20 : 1;
  const first = typeof args.first === 'number' ? args.first : pageSize;
  return 1 + first * childComplexity;
};

/** What is wrong with an operation's size, or null when it is within the limits. */
export function limitViolation(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
  operationName: string | undefined,
  limits: QueryLimits,
): GraphQLError | null {
  const operation = getOperationAST(document, operationName);
  if (!operation) return null; // graphql-js reports the missing operation itself
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  const depth = queryDepth(operation.selectionSet, fragments);
  if (depth > limits.maxDepth) {
    return tooComplex(`The query nests ${depth} levels deep; the limit is ${limits.maxDepth}. Split it into several queries.`);
  }
  const cost = getComplexity({ schema, query: document, variables, operationName, estimators: [pageAwareEstimator] });
  if (cost > limits.maxCost) {
    return tooComplex(`The query costs ${cost}; the limit is ${limits.maxCost}. Ask for smaller pages (\`first\`) or fewer nested lists.`);
  }
  return null;
}

export function queryLimitsPlugin<T extends object>(schema: GraphQLSchema, limits: QueryLimits): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request }) {
          const violation = limitViolation(schema, document, request.variables ?? {}, request.operationName ?? undefined, limits);
          if (violation) throw violation;
        },
      };
    },
  };
}
