// GraphQL errors with the codes of the API contract (SPEC §4), carried in `extensions.code`.
import { GraphQLError } from 'graphql';

export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'QUERY_TOO_COMPLEX'
  | 'CURSOR_EXPIRED';

export function apiError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}

export const unauthenticated = (message = 'Sign in: send `Authorization: Bearer <token>`.') =>
  apiError('UNAUTHENTICATED', message, { http: { status: 401 } });

export const forbidden = (message: string) => apiError('FORBIDDEN', message);

export const notFound = (what: string) => apiError('NOT_FOUND', `No ${what} with that id exists or you cannot see it.`);

export const badUserInput = (message: string, field?: string) =>
  apiError('BAD_USER_INPUT', message, field ? { field } : {});
