// Rotating AUTH_JWT_SECRET without signing everyone out: while AUTH_JWT_SECRET_PREVIOUS names the secret being
// retired, tokens signed with it are accepted over HTTP and WebSocket; without it, they are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretKey, signToken } from '../src/auth/token';
import { configFromEnv, StartupError } from '../src/config';
import { Role } from '../src/users/user.entity';
import { connect } from './helpers/subscriptions';
import { startTestServer, TestServer } from './helpers/test-server';

const PREVIOUS_SECRET = 'the-secret-being-retired-of-at-least-32-characters';

describe('AUTH_JWT_SECRET_PREVIOUS', () => {
  let rotating: TestServer;
  let rotated: TestServer;
  const signedWith = (secret: string) =>
    signToken({ sub: 'engineer-rotation', role: Role.ENGINEER, name: 'Rotation', email: 'rotation@example.test' }, secretKey(secret), {
      now: rotating.clock.now(),
      expiresAt: new Date(rotating.clock.now().getTime() + 3600_000),
    });
  const me = (server: TestServer, token: string) => server.gql<{ me: { role: string } }>(`query Me { me { role } }`, {}, token);

  beforeAll(async () => {
    rotating = await startTestServer({ previousJwtSecret: PREVIOUS_SECRET });
    // The same database, after the rotation window: the previous secret is no longer set.
    rotated = await startTestServer({ databaseUrl: rotating.databaseUrl });
  });
  afterAll(async () => {
    await rotating?.close();
    await rotated?.close();
  });

  it('accepts tokens signed with the previous secret while it is set, and those signed with the current one', async () => {
    const old = await signedWith(PREVIOUS_SECRET);
    expect(await me(rotating, old)).toMatchObject({ status: 200, data: { me: { role: 'ENGINEER' } } });
    expect((await me(rotating, await rotating.token({ sub: 'engineer-new', role: Role.ENGINEER }))).data?.me.role).toBe('ENGINEER');
    const unknown = await me(rotating, await signedWith('a-secret-nobody-configured-of-32-characters'));
    expect(unknown.status).toBe(401);
  });

  it('lets a WebSocket sign in with a token signed with the previous secret', async () => {
    const client = connect(rotating.url, await signedWith(PREVIOUS_SECRET));
    try {
      const answer = await new Promise<unknown>((resolve, reject) =>
        client.subscribe({ query: 'query Me { me { role } }' }, { next: resolve, error: reject, complete: () => {} }),
      );
      expect(answer).toEqual({ data: { me: { role: 'ENGINEER' } } });
    } finally {
      await client.dispose();
    }
  });

  it('refuses them once it is unset', async () => {
    const refused = await me(rotated, await signedWith(PREVIOUS_SECRET));
    expect(refused.status).toBe(401);
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await me(rotated, await rotated.token({ sub: 'engineer-new', role: Role.ENGINEER }))).status).toBe(200);
  });

  it('is read from the environment, and refused in a clear line when it cannot be meant', () => {
    const current = 'the-new-secret-of-at-least-thirty-two-characters';
    expect(configFromEnv({ AUTH_JWT_SECRET: current, AUTH_JWT_SECRET_PREVIOUS: PREVIOUS_SECRET }).jwtSecretPrevious).toBe(PREVIOUS_SECRET);
    expect(configFromEnv({ AUTH_JWT_SECRET: current }).jwtSecretPrevious).toBeUndefined();
    expect(() => configFromEnv({ AUTH_JWT_SECRET_PREVIOUS: PREVIOUS_SECRET })).toThrow(/AUTH_JWT_SECRET_PREVIOUS is set without AUTH_JWT_SECRET/);
    expect(() => configFromEnv({ AUTH_JWT_SECRET: current, AUTH_JWT_SECRET_PREVIOUS: current })).toThrow(/is the same as AUTH_JWT_SECRET/);
    expect(() => configFromEnv({ NODE_ENV: 'production', AUTH_JWT_SECRET: current, AUTH_JWT_SECRET_PREVIOUS: 'short' })).toThrow(StartupError);
  });
});
