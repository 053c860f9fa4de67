// Token verification with its memory of verified tokens: answered from memory only for the very token verified,
// with the key it was verified with, and never past its `exp`.
import { describe, expect, it } from 'vitest';
import { Role } from '../users/user.entity';
import { InvalidTokenError, secretKey, signToken, verifyToken } from './token';
import { VerifiedTokens } from './verified-tokens';

const NOW = new Date('2026-12-01T15:00:00Z');
const HOUR = 3600_000;
const CASEY = { sub: 'casey', email: 'casey@acme.example', name: 'Casey', role: Role.CUSTOMER, org: 'acme' };

/** The token with one character of its part `part` (0 header, 1 payload, 2 signature) changed. */
function tampered(token: string, part: number): string {
  const parts = token.split('.');
  const text = parts[part]!;
  const at = Math.floor(text.length / 2);
  parts[part] = `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;
  return parts.join('.');
}

describe('verifyToken', () => {
  it('answers a token verified before from memory: the same claims, not verified again', async () => {
    const key = secretKey('a-secret-of-at-least-thirty-two-characters');
    const token = await signToken(CASEY, key, { now: NOW, expiresAt: new Date(NOW.getTime() + HOUR) });
    const first = await verifyToken(token, key, NOW);
    expect(first).toEqual({ sub: 'casey', email: 'casey@acme.example', name: 'Casey', role: Role.CUSTOMER, org: 'acme', readOnly: false });
    expect(await verifyToken(token, key, new Date(NOW.getTime() + 60_000))).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('refuses a remembered token from its exp on, as an expired one', async () => {
    const key = secretKey('a-secret-of-at-least-thirty-two-characters');
    const expiresAt = new Date(NOW.getTime() + HOUR);
    const token = await signToken(CASEY, key, { now: NOW, expiresAt });
    await verifyToken(token, key, NOW);
    await expect(verifyToken(token, key, new Date(expiresAt.getTime() - 1))).resolves.toMatchObject({ sub: 'casey' });
    await expect(verifyToken(token, key, expiresAt)).rejects.toThrow(new InvalidTokenError('The token has expired; sign in again.'));
    await expect(verifyToken(token, key, new Date(expiresAt.getTime() - 1))).resolves.toMatchObject({ sub: 'casey' });
  });

  it.each([
    ['header', 0],
    ['payload', 1],
    ['signature', 2],
  ])('refuses a remembered token with its %s changed', async (_part, part) => {
    const key = secretKey('a-secret-of-at-least-thirty-two-characters');
    const token = await signToken(CASEY, key, { now: NOW, expiresAt: new Date(NOW.getTime() + HOUR) });
    await verifyToken(token, key, NOW);
    await expect(verifyToken(tampered(token, part), key, NOW)).rejects.toThrow(InvalidTokenError);
  });

  it('refuses a token remembered for one key when it comes with another', async () => {
    const key = secretKey('a-secret-of-at-least-thirty-two-characters');
    const token = await signToken(CASEY, key, { now: NOW, expiresAt: new Date(NOW.getTime() + HOUR) });
    await verifyToken(token, key, NOW);
    await expect(verifyToken(token, secretKey('another-secret-of-at-least-thirty-two-chars'), NOW)).rejects.toThrow(InvalidTokenError);
  });
});

describe('verifyToken during a rotation (AUTH_JWT_SECRET_PREVIOUS)', () => {
  const current = secretKey('the-new-secret-of-at-least-thirty-two-characters');
  const previous = secretKey('the-old-secret-of-at-least-thirty-two-characters');
  const sign = (key: Uint8Array, expiresAt = new Date(NOW.getTime() + HOUR)) => signToken(CASEY, key, { now: NOW, expiresAt });

  it('accepts a token signed with either secret', async () => {
    await expect(verifyToken(await sign(current), current, NOW, previous)).resolves.toMatchObject({ sub: 'casey' });
    await expect(verifyToken(await sign(previous), current, NOW, previous)).resolves.toMatchObject({ sub: 'casey' });
  });

  it('refuses a token signed with the previous secret once it is no longer given, though it was verified with it before', async () => {
    const token = await sign(previous);
    await verifyToken(token, current, NOW, previous);
    await expect(verifyToken(token, current, NOW)).rejects.toThrow(InvalidTokenError);
  });

  it('refuses a token signed with neither, and says an expired one has expired, whichever secret signed it', async () => {
    const unknown = verifyToken(await sign(secretKey('a-third-secret-of-at-least-thirty-two-chars')), current, NOW, previous);
    await expect(unknown).rejects.toThrow(InvalidTokenError);
    await expect(unknown).rejects.toThrow('The token is not valid: it must be an HS256 JWT signed by the identity provider.');
    for (const key of [current, previous]) {
      const expired = await sign(key, new Date(NOW.getTime() - 1000));
      await expect(verifyToken(expired, current, NOW, previous)).rejects.toThrow(new InvalidTokenError('The token has expired; sign in again.'));
    }
  });
});

describe('VerifiedTokens', () => {
  const exp = NOW.getTime() / 1000 + 3600;

  it('forgets the least recently used token past its capacity', () => {
    const tokens = new VerifiedTokens<string>(2);
    tokens.remember('a', 'A', { exp });
    tokens.remember('b', 'B', { exp });
    expect(tokens.claimsOf('a', NOW)).toBe('A'); // now b is the least recently used
    tokens.remember('c', 'C', { exp });
    expect(tokens.size).toBe(2);
    expect([tokens.claimsOf('a', NOW), tokens.claimsOf('b', NOW), tokens.claimsOf('c', NOW)]).toEqual(['A', undefined, 'C']);
  });

  it('answers only between nbf and exp, and forgets a token once it expired', () => {
    const tokens = new VerifiedTokens<string>();
    tokens.remember('t', 'T', { nbf: exp - 600, exp });
    expect(tokens.claimsOf('t', new Date((exp - 601) * 1000))).toBeUndefined();
    expect(tokens.claimsOf('t', new Date((exp - 600) * 1000))).toBe('T');
    expect(tokens.claimsOf('t', new Date(exp * 1000 - 1))).toBe('T');
    expect(tokens.claimsOf('t', new Date(exp * 1000))).toBeUndefined();
    expect(tokens.size).toBe(0);
  });
});
