import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { airlock } from '@airlock/contracts';
import { createClient, unary } from '@airlock/grpc';
import { bootService, type RunningService } from '@airlock/runtime';
import { createTestDatabase, eventually, startInfra } from '@airlock/testing';
import { identityService } from '../src/service';
import { edgeAssertions, identityTestEnv } from './support/edge';

type Client = airlock.identity.v1.IdentityServiceClient;
const { PrincipalKind } = airlock.identity.v1;
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

// The internal workspace-token RPCs over gRPC, against real PostgreSQL (token rows) and Redis (the
// revocation channel policy's cache listens on).
describe('IssueWorkspaceToken / RevokeWorkspaceTokens (real PostgreSQL and Redis)', () => {
  let dir: string;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let service: RunningService;
  let client: Client;
  let subscriber: Redis;
  const announced: string[] = [];

  const request = { tenantId: 'acme', projectId: 'payments', workspaceId: 'ws_tokentest0000000001', ownerUserId: 'dana', ttlSeconds: 0 };
  const issue = (r: Partial<airlock.identity.v1.IssueWorkspaceTokenRequest> = {}) => unary(client.issueWorkspaceToken.bind(client), { ...request, ...r });
  const verify = (token: string) => unary(client.verifyToken.bind(client), { token, clientIp: '' });
  const revokeAll = (tenantId: string, workspaceId: string) => unary(client.revokeWorkspaceTokens.bind(client), { tenantId, workspaceId });
  /** The gRPC status and x-error-code a refused call ends with. */
  const refusal = (call: Promise<unknown>) =>
    call.then(
      () => 'accepted',
      (e: { code: number; details: string; metadata: { get(key: string): unknown[] } }) => ({ code: e.code, errorCode: e.metadata.get('x-error-code')[0], details: e.details }),
    );

  beforeAll(async () => {
    const infra = await startInfra({ components: ['redis', 'postgres'] });
    db = await createTestDatabase(infra, 'identity_ws_tokens');
    dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-identity-ws-tokens-'));
    const env = await identityTestEnv(dir, infra.redis, 'identity_ws_tokens', edgeAssertions(dir).env);
    subscriber = new Redis(infra.redis.url, { username: infra.redis.username, password: infra.redis.password });
    subscriber.on('message', (_channel: string, digest: string) => announced.push(digest));
    await subscriber.subscribe(`${env.REDIS_PREFIX}revocations`);
    service = await bootService(identityService, { MTLS_OFF_FOR_DEVELOPMENT: 'true', ...env, ...db.env });
    client = createClient(airlock.identity.v1.IdentityServiceClient, service.grpcAddress);
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await service?.close();
    subscriber?.disconnect();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('issues a workspace-scoped alk_ token for the owner that verifies with the workspace scope', async () => {
    const before = Math.floor(Date.now() / 1000);
    const issued = await issue({ ttlSeconds: 3600 });
    expect(issued.token).toMatch(/^alk_[A-Za-z0-9_-]{43}$/);
    expect(issued.tokenId).toMatch(/^[0-9a-f-]{36}$/);
    expect(issued.expiresAtUnix).toBeGreaterThanOrEqual(before + 3600);
    expect(issued.expiresAtUnix).toBeLessThanOrEqual(before + 3601);

    const verdict = await verify(issued.token);
    expect(verdict).toMatchObject({ valid: true, errorCode: '', expiresAtUnix: issued.expiresAtUnix });
    expect(verdict.principal).toEqual({
      subject: 'dana',
      userId: 'dana',
      tenantId: 'acme',
      projectId: 'payments',
      workspaceId: request.workspaceId,
      roles: ['developer'],
      kind: PrincipalKind.PRINCIPAL_KIND_USER,
    });
  });

  it('revokes the earlier token of the workspace when issuing again (an orphan of a crashed caller dies), and announces it', async () => {
    const workspaceId = 'ws_tokentest0000000002';
    const orphan = await issue({ workspaceId });
    const other = await issue({ workspaceId: 'ws_tokentest0000000003' });
    const second = await issue({ workspaceId });
    expect(second.replaced).toBe(1);
    expect(await verify(orphan.token)).toMatchObject({ valid: false, errorCode: 'token_revoked' });
    expect(await verify(second.token)).toMatchObject({ valid: true });
    // Another workspace's token is untouched.
    expect(await verify(other.token)).toMatchObject({ valid: true });
    await eventually('revocation announced', () => announced.includes(sha256(orphan.token)) || undefined, 5_000);
    expect(announced).not.toContain(sha256(second.token));
  });

  it('serialises concurrent issuance for one workspace: exactly one token stays live', async () => {
    const workspaceId = 'ws_tokentest0000000004';
    const issued = await Promise.all([1, 2, 3, 4].map(() => issue({ workspaceId })));
    const verdicts = await Promise.all(issued.map((i) => verify(i.token)));
    expect(verdicts.filter((v) => v.valid)).toHaveLength(1);
  });

  it('RevokeWorkspaceTokens revokes every live token of the workspace, idempotently, and announces each', async () => {
    const workspaceId = 'ws_tokentest0000000005';
    const issued = await issue({ workspaceId });
    const otherTenant = await issue({ workspaceId, tenantId: 'globex' });
    expect(await revokeAll('acme', workspaceId)).toEqual({ revoked: 1 });
    expect(await verify(issued.token)).toMatchObject({ valid: false, errorCode: 'token_revoked' });
    // The same id in another tenant is another workspace.
    expect(await verify(otherTenant.token)).toMatchObject({ valid: true });
    await eventually('revocation announced', () => announced.includes(sha256(issued.token)) || undefined, 5_000);
    expect(await revokeAll('acme', workspaceId)).toEqual({ revoked: 0 });
  });

  it('refuses missing or malformed ids and lifetimes beyond the maximum', async () => {
    expect(await refusal(issue({ ownerUserId: '', workspaceId: 'has space' }))).toMatchObject({
      code: 3,
      errorCode: 'invalid_token_request',
      details: expect.stringContaining('workspace_id, owner_user_id'),
    });
    expect(await refusal(issue({ ttlSeconds: 100 * 86_400 }))).toMatchObject({ code: 3, errorCode: 'invalid_token_request' });
    expect(await refusal(issue({ ttlSeconds: 10 }))).toMatchObject({ code: 3, errorCode: 'invalid_token_request' });
    expect(await refusal(revokeAll('', 'ws_x'))).toMatchObject({ code: 3, errorCode: 'invalid_token_request' });
  });
});
