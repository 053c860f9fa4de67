// Limits on an operation's size, checked before validation and execution so that a refusal costs milliseconds:
// tokens, fields, aliases and directives (graphql-armor), root fields, depth, cost and
// database statements (operation-size.ts, which knows our schema). Refusals are HTTP 400 QUERY_TOO_COMPLEX.
// Over HTTP they are checked by the middleware below, before Apollo parses and validates the document again;
// over graphql-ws, in onSubscribe, before graphql-ws validates it.
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { BREAK, DocumentNode, getOperationAST, GraphQLError, GraphQLSchema, Lexer, parse, Source, Token, TokenKind, validate, visit } from 'graphql';
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
  /**
   * Field selections as written, each fragment's once. graphql-js's validation compares the fields of a selection
   * that share a name pair by pair, so its time grows with the square of their number: about 15 ms at 300.
   */
  maxFields: number;
  maxAliases: number;
  /** Fields on the root type (`query { a b c }`: 3), fragments expanded; __typename does not count. */
  maxRootFields: number;
  maxDirectives: number;
}

/**
 * What the SDK's operations and the README's examples need, with room (test/limits.test.ts checks them at their
 * largest page size): the largest SDK document has about 600 tokens and 100 fields, the biggest page of tickets with their notes
 * costs about 7,000 and runs about 40 statements.
 */
export const DEFAULT_LIMITS: QueryLimits = {
  maxDepth: 12,
  maxCost: 10_000,
  maxStatements: 100,
  maxTokens: 3_000,
  maxFields: 300,
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

/** Field selections written in a document, counting stops past `max`. */
function documentFields(document: DocumentNode, max: number): number {
  let count = 0;
  visit(document, {
    Field() {
      count += 1;
      return count > max ? BREAK : undefined;
    },
  });
  return count;
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
  if (documentFields(document, limits.maxFields) > limits.maxFields) {
    return tooComplex(`The document selects more than ${limits.maxFields} fields, the limit. Ask for fewer fields at once, or split the query.`);
  }
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

/** What a GraphQL-over-HTTP request carries: from the JSON body of a POST, from the query string of a GET. */
export interface GraphQLParams {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

/**
 * The limit an HTTP request's operation breaks, or null: checked before Apollo validates the document, whose rules
 * (overlapping fields) cost time on the very documents the limits refuse. What is not a GraphQL request at all (no
 * query, a document that does not parse, variables that are not JSON) is left to Apollo to answer.
 */
export function requestLimitViolation(schema: GraphQLSchema, params: GraphQLParams, limits: QueryLimits): GraphQLError | null {
  const query = params.query;
  if (typeof query !== 'string') return null;
  let document: DocumentNode;
  let variables: unknown = params.variables ?? {};
  try {
    // The parser stops reading past the token limit; only then are the tokens counted, to say which it was.
    document = parse(query, { maxTokens: limits.maxTokens });
    if (typeof variables === 'string') variables = JSON.parse(variables);
  } catch {
    return countTokens(query, limits.maxTokens) > limits.maxTokens ? tooManyTokens(limits) : null;
  }
  if (typeof variables !== 'object' || variables === null) return null;
  const operationName = typeof params.operationName === 'string' ? params.operationName : undefined;
  return limitViolation(schema, document, variables as Record<string, unknown>, operationName, limits);
}
