// Typed errors: what went wrong, with the operation, its variables and any partial data, so callers can branch on
// the class instead of parsing messages. `userErrors` in mutation payloads are not errors: they are returned.

export interface GraphQLErrorShape {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: string; [key: string]: unknown };
}

export interface ErrorContext {
  operationName: string | undefined;
  variables: unknown;
  /** Whatever data came back with the errors. */
  data?: unknown;
  errors?: GraphQLErrorShape[];
  /** The HTTP status, when the error came from an HTTP response. */
  status?: number;
  cause?: unknown;
}

export class EscalateError extends Error {
  readonly operationName: string | undefined;
  readonly variables: unknown;
  readonly data: unknown;
  readonly errors: GraphQLErrorShape[];
  readonly status: number | undefined;
  /** The first GraphQL error's `extensions.code`, if any. */
  readonly code: string | undefined;

  constructor(message: string, context: ErrorContext) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = new.target.name;
    this.operationName = context.operationName;
    this.variables = context.variables;
    this.data = context.data ?? null;
    this.errors = context.errors ?? [];
    this.status = context.status;
    this.code = this.errors[0]?.extensions?.code;
  }
}

/** No token, or a bad or expired one (UNAUTHENTICATED, HTTP 401). */
export class AuthenticationError extends EscalateError {}
/** Signed in, but the role may not do this (FORBIDDEN). */
export class ForbiddenError extends EscalateError {}
/** The object does not exist or is not visible to you (NOT_FOUND). */
export class NotFoundError extends EscalateError {}
/** The request itself is wrong: bad arguments, invalid query, too complex (BAD_USER_INPUT, QUERY_TOO_COMPLEX, …). */
export class ValidationError extends EscalateError {}
/** Someone changed the same object at the same time; reload and retry (CONFLICT). */
export class ConflictError extends EscalateError {}
/** Too many requests (HTTP 429); `retryAfter` says how many seconds to wait, when the server said. */
export class RateLimitedError extends EscalateError {
  constructor(
    message: string,
    context: ErrorContext,
    readonly retryAfter: number | null,
  ) {
    super(message, context);
  }
}
/** The server could not be reached or answered with a server error (network failure, 5xx, a closed socket). */
export class NetworkError extends EscalateError {}

const BY_CODE: Record<string, new (message: string, context: ErrorContext) => EscalateError> = {
  UNAUTHENTICATED: AuthenticationError,
  FORBIDDEN: ForbiddenError,
  NOT_FOUND: NotFoundError,
  BAD_USER_INPUT: ValidationError,
  GRAPHQL_VALIDATION_FAILED: ValidationError,
  GRAPHQL_PARSE_FAILED: ValidationError,
  QUERY_TOO_COMPLEX: ValidationError,
  BAD_REQUEST: ValidationError,
  CONFLICT: ConflictError,
};

/** The typed error for a GraphQL error response. */
export function errorFromGraphQL(errors: GraphQLErrorShape[], context: Omit<ErrorContext, 'errors'>): EscalateError {
  const first = errors[0];
  const code = first?.extensions?.code;
  const ErrorClass = (code && BY_CODE[code]) || (context.status === 401 ? AuthenticationError : EscalateError);
  const where = context.operationName ? `${context.operationName}: ` : '';
  return new ErrorClass(`${where}${first?.message ?? 'GraphQL error'}`, { ...context, errors });
}
