import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { airlock } from '@airlock/contracts';
import { GrpcStatus, checkHealth, createClient, unary } from '@airlock/grpc';
import { bootService, type RunningService } from '@airlock/runtime';
import { freePort, startInfra } from '@airlock/testing';
import { identityService } from '../src/service';
import { edgeAssertions, identityTestEnv } from './support/edge';

const { PrincipalKind } = airlock.identity.v1;
type GrpcError = { code: number; metadata: { get(k: string): unknown[] } };

describe('identity service (gRPC + HTTP, real Redis)', () => {
  let dir: string;
  let env: Record<string, string>;
  let service: RunningService;
  let client: airlock.identity.v1.IdentityServiceClient;
  let edge: ReturnType<typeof edgeAssertions>;

  const issue = (ttlSeconds = 0, kind = PrincipalKind.PRINCIPAL_KIND_USER) =>
    unary(client.issueToken.bind(client), {
      principal: { subject: '', userId: 'u-alice', tenantId: 't-bank', projectId: 'p-1', workspaceId: 'w-1', roles: ['developer'], kind },
      ttlSeconds,
    });
  const verify = (token: string) => unary(client.verifyToken.bind(client), { token, clientIp: '' });

  beforeAll(async () => {
    const infra = await startInfra({ components: ['redis'] });
    dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-identity-int-'));
    edge = edgeAssertions(dir);
    env = { ...(await identityTestEnv(dir, infra.redis, 'identity', edge.env)), IDENTITY_ALLOW_ISSUE: 'true' };
    service = await bootService(identityService, { ...env, MTLS_OFF_FOR_DEVELOPMENT: 'true' });
    client = createClient(airlock.identity.v1.IdentityServiceClient, service.grpcAddress, { idempotent: ['airlock.identity.v1.IdentityService/VerifyToken'] });
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await service?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reports SERVING for the server and for IdentityService', async () => {
    expect(await checkHealth(service.grpcAddress)).toBe('SERVING');
    expect(await checkHealth(service.grpcAddress, 'airlock.identity.v1.IdentityService')).toBe('SERVING');
  });

  it('issues a token that verifies to its principal', async () => {
    const issued = await issue();
    expect(issued).toMatchObject({ tokenType: 'Bearer', expiresIn: 3600 });
    const res = await verify(issued.accessToken);
    expect(res).toMatchObject({ valid: true, errorCode: '' });
    expect(res.principal).toMatchObject({ subject: 'u-alice', userId: 'u-alice', tenantId: 't-bank', projectId: 'p-1', workspaceId: 'w-1', roles: ['developer'], kind: PrincipalKind.PRINCIPAL_KIND_USER });
  });

  it('answers token_expired once a 1 s token has lapsed', async () => {
    const { accessToken } = await issue(1);
    expect((await verify(accessToken)).valid).toBe(true);
    await new Promise((r) => setTimeout(r, 2_100));
    expect(await verify(accessToken)).toMatchObject({ valid: false, errorCode: 'token_expired' });
  });

  it('rejects a tampered signature and alg none without throwing', async () => {
    const { accessToken } = await issue();
    const [header, payload, signature] = accessToken.split('.');
    const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    expect(await verify(`${header}.${payload}.${flipped}`)).toMatchObject({ valid: false, errorCode: 'token_invalid_signature' });
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    expect(await verify(`${none}.${payload}.`)).toMatchObject({ valid: false, errorCode: 'token_invalid_signature' });
    expect(await verify('not-a-token')).toMatchObject({ valid: false, errorCode: 'token_malformed' });
  });

  it('revokes a token through the operator\'s RevokeToken RPC: token_revoked after, idempotent, refuses what it did not sign', async () => {
    const { accessToken } = await issue();
    const revoke = (token: string) => unary(client.revokeToken.bind(client), { token });
    expect(await revoke(accessToken)).toEqual({ wasLive: true });
    expect(await verify(accessToken)).toMatchObject({ valid: false, errorCode: 'token_revoked' });
    expect(await revoke(accessToken)).toEqual({ wasLive: false });
    const [header, payload] = accessToken.split('.');
    const err = (await revoke(`${header}.${payload}.${'A'.repeat(86)}`).catch((e: unknown) => e)) as GrpcError;
    expect(err.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(err.metadata.get('x-error-code')).toEqual(['token_malformed']);
  });

  it('publishes a JWKS (gRPC and HTTP) that verifies issued tokens with jose', async () => {
    const { accessToken } = await issue();
    const { jwksJson } = await unary(client.getJwks.bind(client), {});
    const jwks = JSON.parse(jwksJson);
    const { payload, protectedHeader } = await jwtVerify(accessToken, createLocalJWKSet(jwks), { issuer: 'airlock-identity', audience: 'airlock', algorithms: ['ES256'] });
    expect(payload).toMatchObject({ sub: 'u-alice', tid: 't-bank' });
    expect(protectedHeader.kid).toBe(jwks.keys[0].kid);
    expect(JSON.stringify(jwks)).not.toContain('"d"');

    const http = await fetch(`http://${service.httpAddress}/auth/jwks.json`);
    expect(http.status).toBe(200);
    expect(await http.json()).toEqual(jwks);
    const health = await fetch(`http://${service.httpAddress}/auth/healthz`);
    expect(await health.json()).toEqual({ status: 'ok' });
  });

  it('boots without OIDC_* and answers the login routes 503 oidc_not_configured; without DATABASE_URL tokens 503', async () => {
    const login = await fetch(`http://${service.httpAddress}/auth/login?return_to=/x`, { redirect: 'manual' });
    expect(login.status).toBe(503);
    expect(((await login.json()) as { error: unknown }).error).toMatchObject({ code: 'oidc_not_configured' });
    const callback = await fetch(`http://${service.httpAddress}/auth/callback?state=a&code=b`, { redirect: 'manual' });
    expect(((await callback.json()) as { error: unknown }).error).toMatchObject({ code: 'oidc_not_configured' });
    const tokens = await fetch(`http://${service.httpAddress}/api/identity/v1/tokens`, { headers: edge.headers({ userId: 'u', tenantId: 't' }) });
    expect(tokens.status).toBe(503);
    expect(((await tokens.json()) as { error: unknown }).error).toMatchObject({ code: 'api_tokens_not_configured' });
    expect(await verify('alk_' + 'a'.repeat(43)).catch((e: GrpcError) => e.metadata.get('x-error-code'))).toEqual(['api_tokens_not_configured']);
  });

  it('maps a bad principal to INVALID_ARGUMENT naming the fields', async () => {
    const err = (await unary(client.issueToken.bind(client), {
      principal: { subject: '', userId: '', tenantId: '', projectId: '', workspaceId: '', roles: [], kind: 0 },
      ttlSeconds: 0,
    }).catch((e: unknown) => e)) as GrpcError & { details: string };
    expect(err.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(err.metadata.get('x-error-code')).toEqual(['invalid_principal']);
    expect(err.details).toMatch(/user_id.*tenant_id/);
  });

  it('refuses to issue where issuance is disabled (PERMISSION_DENIED token_issue_disabled)', async () => {
    const locked = await bootService(identityService, {
      MTLS_OFF_FOR_DEVELOPMENT: 'true',
      ...env,
      GRPC_PORT: String(await freePort()),
      HTTP_PORT: String(await freePort()),
      IDENTITY_ALLOW_ISSUE: 'false',
    });
    const c = createClient(airlock.identity.v1.IdentityServiceClient, locked.grpcAddress);
    try {
      const err = (await unary(c.issueToken.bind(c), {
        principal: { subject: 'u', userId: 'u', tenantId: 't', projectId: '', workspaceId: '', roles: [], kind: 1 },
        ttlSeconds: 0,
      }).catch((e: unknown) => e)) as GrpcError;
      expect(err.code).toBe(GrpcStatus.PERMISSION_DENIED);
      expect(err.metadata.get('x-error-code')).toEqual(['token_issue_disabled']);
      // The same key file: a token from the other instance verifies here.
      expect((await unary(c.verifyToken.bind(c), { token: (await issue()).accessToken, clientIp: '' })).valid).toBe(true);
    } finally {
      c.close();
      await locked.close();
    }
  });
});
