// Verifies the bearer tokens an identity provider in front of the API issues (HS256, SPEC §1).
import { errors, JWTPayload, jwtVerify, SignJWT } from 'jose';
import { Role } from '../users/user.entity';
import { VerifiedTokens } from './verified-tokens';

export interface TokenClaims {
  sub: string;
  email: string;
  name: string;
  role: Role;
  /** Organization slug; present for customers. */
  org: string | null;
  /** `scope: "read"`: the token may query and subscribe, never change anything (a wall screen's). */
  readOnly: boolean;
}

export class InvalidTokenError extends Error {}

const ROLE_CLAIMS: Record<string, Role> = {
  customer: Role.CUSTOMER,
  engineer: Role.ENGINEER,
  manager: Role.MANAGER,
  admin: Role.ADMIN,
};

export function secretKey(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/** The bearer token in an `Authorization` header value, null when there is none. */
export function bearerToken(authorization: string | undefined | null): string | null {
  if (!authorization) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match) throw new InvalidTokenError('The Authorization header must be `Bearer <token>`.');
  return match[1]!;
}

/** Per key: a token is only ever known valid for the key it was verified with. */
const verifiedByKey = new WeakMap<Uint8Array, VerifiedTokens<TokenClaims>>();

function verifiedWith(key: Uint8Array): VerifiedTokens<TokenClaims> {
  let verified = verifiedByKey.get(key);
  if (!verified) verifiedByKey.set(key, (verified = new VerifiedTokens()));
  return verified;
}

/**
 * The claims of a valid token; a token verified before is answered from memory until its `exp` (verified-tokens.ts).
 * During a secret's rotation (AUTH_JWT_SECRET_PREVIOUS), a token whose signature does not match `key` is tried with
 * `previousKey`; each key remembers only the tokens it verified, so once the previous key is no longer passed, the
 * tokens it signed are refused, remembered or not.
 */
export async function verifyToken(token: string, key: Uint8Array, now: Date, previousKey?: Uint8Array): Promise<TokenClaims> {
  const known = verifiedWith(key).claimsOf(token, now) ?? (previousKey && verifiedWith(previousKey).claimsOf(token, now));
  if (known) return known;
  let verified: Awaited<ReturnType<typeof verifySignatureAndClaims>>;
  let verifiedBy = key;
  try {
    verified = await verifySignatureAndClaims(token, key, now);
  } catch (error) {
    if (!(error instanceof WrongKeyError && previousKey)) throw error;
    verified = await verifySignatureAndClaims(token, previousKey, now);
    verifiedBy = previousKey;
  }
  verifiedWith(verifiedBy).remember(token, verified.claims, verified.validity);
  return verified.claims;
}

/** The signature does not match the key: the one case where another key (the previous secret's) may be tried. */
class WrongKeyError extends InvalidTokenError {}

async function verifySignatureAndClaims(
  token: string,
  key: Uint8Array,
  now: Date,
): Promise<{ claims: TokenClaims; validity: { nbf?: number; exp: number } }> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      currentDate: now,
      // A token that never expires is refused: the identity provider always sets `exp`.
      requiredClaims: ['sub', 'exp'],
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new InvalidTokenError('The token has expired; sign in again.');
    const message = 'The token is not valid: it must be an HS256 JWT signed by the identity provider.';
    throw error instanceof errors.JWSSignatureVerificationFailed ? new WrongKeyError(message) : new InvalidTokenError(message);
  }
  const claim = (name: string, max: number): string | null => {
    const value = payload[name];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string' || value.length === 0 || value.length > max) {
      throw new InvalidTokenError(`The token's \`${name}\` claim must be a string of 1 to ${max} characters.`);
    }
    return value;
  };
  const sub = claim('sub', 255)!;
  const roleClaim = claim('role', 20);
  // Own keys only: a claim such as `constructor` must not find Object.prototype's members.
  const role = roleClaim && Object.hasOwn(ROLE_CLAIMS, roleClaim) ? ROLE_CLAIMS[roleClaim] : undefined;
  if (!role) {
    throw new InvalidTokenError('The token’s `role` claim must be one of customer, engineer, manager, admin.');
  }
  const org = claim('org', 50);
  if (role === Role.CUSTOMER && !org) {
    throw new InvalidTokenError('A customer’s token must carry its organization’s slug in the `org` claim.');
  }
  const claims: TokenClaims = Object.freeze({
    sub,
    email: claim('email', 254) ?? `${sub}@unknown.invalid`,
    name: claim('name', 200) ?? sub,
    role,
    org: role === Role.CUSTOMER ? org : null,
    readOnly: readOnlyScope(claim('scope', 100)),
  });
  return { claims, validity: { nbf: payload.nbf, exp: payload.exp! } }; // `exp` is required, and jose checked both
}

/** `scope` is OAuth's: space-separated; `read` alone (or with other read scopes) makes the token read-only. */
function readOnlyScope(scope: string | null): boolean {
  if (scope === null) return false;
  const scopes = scope.split(' ').filter(Boolean);
  if (!scopes.length || scopes.some((item) => item !== 'read')) {
    throw new InvalidTokenError('The token’s `scope` claim, when present, must be `read` (a read-only token).');
  }
  return true;
}

/** Signs a token as the identity provider would: for the demo users, the tests and `npm run token`. */
export async function signToken(
  claims: { sub: string; email: string; name: string; role: Role; org?: string | null; readOnly?: boolean },
  key: Uint8Array,
  options: { now?: Date; expiresAt?: Date } = {},
): Promise<string> {
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const jwt = new SignJWT({
    email: claims.email,
    name: claims.name,
    role: claims.role.toLowerCase(),
    ...(claims.org ? { org: claims.org } : {}),
    ...(claims.readOnly ? { scope: 'read' } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt(issuedAt);
  if (options.expiresAt) jwt.setExpirationTime(Math.floor(options.expiresAt.getTime() / 1000));
  return jwt.sign(key);
}
