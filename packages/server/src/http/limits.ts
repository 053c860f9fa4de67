// Limits on an operation's size, checked before execution so that a refusal costs milliseconds:
// tokens, aliases and directives (graphql-armor), root fields, depth, cost and
// database statements (operation-size.ts, which knows our schema). Refusals are HTTP 400 QUERY_TOO_COMPLEX.
import { ApolloServerPlugin } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { DocumentNode, getOperationAST, GraphQLError, GraphQLSchema, Lexer, Source, Token, TokenKind, validate } from 'graphql';
import { operationSize } from './operation-size';

export interface QueryLimits {
  /** Field nesting, fragments flattened, introspection not counted. */
  maxDepth: number;
  /** Objects resolved: a field costs 1 plus its children, times the page size for a page. */
  maxCost: number;
  /** SQL statements the operation can run at most (see operation-size.ts). */
  maxStatements: number;
  /** Lexical tokens of the document: punctuation, names and values. */
  maxTokens: number;
  maxAliases: number;
  /** Fields on the root type (`query { a b c }`: 3), fragments expanded; __typename does not count. */
  maxRootFields: number;
  maxDirectives: number;
}

/**
 * What the SDK's operations and the README's examples need, with room (test/limits.test.ts checks them at their
 * largest page size): the largest SDK document has about 600 tokens, the biggest page of tickets with their notes
 * costs about 7,000 and runs about 40 statements.
 */
export const DEFAULT_LIMITS: QueryLimits = {
  maxDepth: 12,
  maxCost: 10_000,
  maxStatements: 100,
  maxTokens: 3_000,
  maxAliases: 30,
  maxRootFields: 20,
  maxDirectives: 50,
};

function tooComplex(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'QUERY_TOO_COMPLEX', http: { status: 400 } } });
}

/** Tokens in a source, counting stops past `max`; a syntax error ends the count (parse reports it). */
export function countTokens(source: string, max = Infinity): number {
  const lexer = new Lexer(new Source(source));
  let count = 0;
  try {
    while (count <= max && lexer.advance().kind !== TokenKind.EOF) count += 1;
  } catch {
    // not a document: the parser says why
  }
  return count;
}

/** Tokens of a parsed document (comments aside), from the token list the parser keeps. */
function documentTokens(document: DocumentNode, max: number): number {
  let count = 0;
  for (let token: Token | null | undefined = document.loc?.startToken.next; token && token.kind !== TokenKind.EOF && count <= max; token = token.next) {
    if (token.kind !== TokenKind.COMMENT) count += 1;
  }
  return count;
}

function tooManyTokens(limits: QueryLimits): GraphQLError {
  return tooComplex(`The document has more than ${limits.maxTokens} tokens, the limit. Send a smaller query.`);
}

/** What is wrong with an operation's size, or null when it is within the limits. Also used by graphql-ws. */
export function limitViolation(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
  operationName: string | undefined,
  limits: QueryLimits,
): GraphQLError | null {
  if (documentTokens(document, limits.maxTokens) > limits.maxTokens) return tooManyTokens(limits);
  // graphql-armor's counters remember each fragment; without `propagateOnRejection` they report through onReject.
  const armorErrors: GraphQLError[] = [];
  const collect = { propagateOnRejection: false, onReject: [(_context: unknown, error: GraphQLError) => armorErrors.push(error)] };
  validate(schema, document, [
    maxAliasesRule({ ...collect, n: limits.maxAliases, allowList: [] }),
    maxDirectivesRule({ ...collect, n: limits.maxDirectives }),
  ]);
  if (armorErrors.length > 0) {
    return tooComplex(`${armorErrors[0]!.message.replace(/^Syntax Error: /, '')} Ask for fewer fields at once, or split the query.`);
  }
  const operation = getOperationAST(document, operationName);
  if (!operation) return null; // graphql-js reports the missing operation itself
  const size = operationSize(schema, document, operation, variables);
  if (size.rootFields > limits.maxRootFields) {
    return tooComplex(`The operation selects ${size.rootFields} root fields; the limit is ${limits.maxRootFields}. Split it into several requests.`);
  }
  if (size.depth > limits.maxDepth) {
    return tooComplex(`The query nests ${size.depth} levels deep; the limit is ${limits.maxDepth}. Split it into several queries.`);
  }
  if (size.cost > limits.maxCost) {
    return tooComplex(`The query costs ${size.cost}; the limit is ${limits.maxCost}. Ask for smaller pages (\`first\`) or fewer nested lists.`);
  }
  if (size.statements > limits.maxStatements) {
    return tooComplex(
      `The query could run ${size.statements} database statements; the limit is ${limits.maxStatements}. Ask for fewer lists, counts and objects at once.`,
    );
  }
  return null;
}

/**
 * Checks each HTTP request once Apollo has parsed and validated it, before it runs. (An error thrown from an
 * earlier hook, such as didResolveSource, is answered by Apollo Server 5 as a 500, so the check waits until here.)
 */
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
