import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { ConfigError } from '@airlock/config';
import { ASSERTION_HEADER, AssertionSigner } from '@airlock/identity-assertion';
import { bootService, type RunningService } from '@airlock/runtime';
import { eventually, startInfra, type RedisEndpoint } from '@airlock/testing';
import { identityService } from '../src/service';
import { edgeAssertions, identityTestEnv } from './support/edge';

// `GET /api/identity/v1/me` as Envoy reaches it (real Redis): the caller and its credential come only from the
// signed identity assertion. A signed-in user's name and email come from their sign-in (oidc-login.int.spec.ts).
describe('identity /api/identity/v1/me', () => {
  let dir: string;
  let service: RunningService;
  let edge: ReturnType<typeof edgeAssertions>;
  let url: string;
  let redis: RedisEndpoint;
  let env: Record<string, string>;

  beforeAll(async () => {
    const infra = await startInfra({ components: ['redis'] });
    redis = infra.redis;
    dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-identity-me-'));
    edge = edgeAssertions(dir);
    env = await identityTestEnv(dir, redis, 'identity_me', edge.env);
    service = await bootService(identityService, {
      MTLS_OFF_FOR_DEVELOPMENT: 'true',
      ...env,
      IDENTITY_TENANTS: JSON.stringify({ berlin: { timeZone: 'Europe/Berlin' } }),
    });
    url = `http://${service.httpAddress}/api/identity/v1/me`;
  }, 120_000);

  afterAll(async () => {
    await service?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('describes a bearer-token caller who never signed in by their ids, with the credential and the default time zone', async () => {
    const expiresAt = Math.floor(Date.now() / 1000) + 3_600;
    const res = await fetch(url, { headers: edge.headers({ userId: 'ci-bot', tenantId: 'acme', projectId: 'payments', roles: ['developer'], auth: 'token', authExpiresAt: expiresAt }) });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({
      user_id: 'ci-bot',
      display_name: 'ci-bot',
      email: null,
      tenant_id: 'acme',
      roles: ['developer'],
      projects: ['payments'],
      auth: 'token',
      expires_at: new Date(expiresAt * 1000).toISOString(),
      time_zone: 'Asia/Seoul',
    });
  });

  it("names a session, the tenant's own time zone, and no expiry when the edge knows none", async () => {
    const res = await fetch(url, { headers: edge.headers({ userId: 'anna', tenantId: 'berlin', roles: ['auditor'], auth: 'session' }) });
    expect(await res.json()).toMatchObject({ user_id: 'anna', tenant_id: 'berlin', projects: [], auth: 'session', expires_at: null, time_zone: 'Europe/Berlin' });
  });

  it('answers 401 to plain identity headers without a valid assertion', async () => {
    const plain = { 'x-user-id': 'alice', 'x-tenant-id': 'acme', 'x-airlock-roles': 'security-admin' };
    const identity = { subject: 'alice', userId: 'alice', tenantId: 'acme', projectId: '', workspaceId: '', roles: ['developer'], kind: 'user' as const };
    for (const assertion of [undefined, AssertionSigner.generate().sign(identity).token, edge.signer.sign(identity, Date.now() - 10 * 60_000).token]) {
      const res = await fetch(url, { headers: assertion ? { ...plain, [ASSERTION_HEADER]: assertion } : plain });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
    }
  });

  it('refuses to boot with a time zone it does not know', async () => {
    const error = await bootService(identityService, { MTLS_OFF_FOR_DEVELOPMENT: 'true', ...(await identityTestEnv(dir, redis, 'identity_me_tz', edge.env)), IDENTITY_TIME_ZONE: 'Mars/Olympus' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([{ variable: 'IDENTITY_TIME_ZONE', message: expect.stringContaining('IANA time zone') }]);
  });

  // Last: it takes identity's Redis user away for good.
  it("answers 503 token_store_auth_failed once Redis refuses identity's user (removed, or a rotated password)", async () => {
    const admin = new Redis(redis.url, { username: redis.username, password: redis.password });
    try {
      // ACL DELUSER also closes the user's connections, so the service must sign in again.
      await admin.call('ACL', 'DELUSER', env.REDIS_USERNAME!);
    } finally {
      admin.disconnect();
    }
    const caller = edge.headers({ userId: 'anna', tenantId: 'berlin', roles: ['auditor'], auth: 'session' });
    const body = await eventually('identity to see the refusal', async () => {
      const res = await fetch(url, { headers: { ...caller, 'x-correlation-id': 'corr-redis-auth' } });
      const json = (await res.json()) as { error?: { code: string; correlation_id: string | null; retryable: boolean; message: string } };
      return res.status === 503 && json.error?.code === 'token_store_auth_failed' ? json : undefined;
    });
    expect(body.error).toMatchObject({ correlation_id: 'corr-redis-auth', retryable: false });
    expect(body.error?.message).not.toContain(redis.password);
  });
});
