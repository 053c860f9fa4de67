// Tokens already verified, with their claims, for as long as they are valid: checking an HS256 signature on every
// request cost about 5 % of the server's CPU (issue 11). Keyed by the whole token, so that a token changed in any
// byte is another key and is verified in full; only what passed verification is remembered; nothing is served
// outside its `nbf`..`exp`. Bounded: past `capacity`, the least recently used token is forgotten.

export const VERIFIED_TOKENS_CAPACITY = 10_000;

interface Verified<T> {
  claims: T;
  /** Epoch milliseconds: valid from (`nbf`) until just before `exp`, as jose checks them. */
  validFrom: number;
  validUntil: number;
}

export class VerifiedTokens<T> {
  /** In order of use, least recent first (a Map keeps insertion order). */
  private readonly entries = new Map<string, Verified<T>>();

  constructor(private readonly capacity = VERIFIED_TOKENS_CAPACITY) {}

  get size(): number {
    return this.entries.size;
  }

  /** The claims `token` was verified with, if that is remembered and the token is valid at `now`. */
  claimsOf(token: string, now: Date): T | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    const at = now.getTime();
    if (at >= entry.validUntil) {
      this.entries.delete(token);
      return undefined;
    }
    if (at < entry.validFrom) return undefined;
    this.entries.delete(token);
    this.entries.set(token, entry);
    return entry.claims;
  }

  /** After `token` passed verification: its claims, valid from `nbf` (if any) until `exp`, in seconds as in the token. */
  remember(token: string, claims: T, { nbf, exp }: { nbf?: number; exp: number }): void {
    this.entries.delete(token);
    this.entries.set(token, { claims, validFrom: nbf === undefined ? -Infinity : nbf * 1000, validUntil: exp * 1000 });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}
