import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ASSERTION_HEADER, AssertionSigner } from '@airlock/identity-assertion';
import { bootService, type RunningService } from '@airlock/runtime';
import { createPool } from '@airlock/postgres';
import { createTestDatabase, provisionServiceDatabase, randomPassword, startInfra, type InfraEndpoints } from '@airlock/testing';
import { identityService } from '../src/service';
import { edgeAssertions, identityTestEnv } from './support/edge';

type ErrorBody = { error: { code: string } };

// The token API over HTTP as Envoy reaches it: the caller comes only from the signed identity assertion.
describe('identity token API (/api/identity/v1/tokens, real Redis and PostgreSQL)', () => {
  let dir: string;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let service: RunningService;
  let edge: ReturnType<typeof edgeAssertions>;
  let api: string;
  let infra: InfraEndpoints;

  const carol = { userId: 'carol', tenantId: 'acme', projectId: 'payments', roles: ['developer'] };
  const json = (headers: Record<string, string>) => ({ ...headers, 'content-type': 'application/json' });

  beforeAll(async () => {
    infra = await startInfra({ components: ['redis', 'postgres'] });
    db = await createTestDatabase(infra, 'identity_token_api');
    dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-identity-token-api-'));
    edge = edgeAssertions(dir);
    service = await bootService(identityService, { MTLS_OFF_FOR_DEVELOPMENT: 'true', ...(await identityTestEnv(dir, infra.redis, 'identity_token_api', edge.env)), ...db.env });
    api = `http://${service.httpAddress}/api/identity/v1/tokens`;
  }, 120_000);

  afterAll(async () => {
    await service?.close();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('creates, lists and revokes the asserted caller\'s tokens; plain identity headers that disagree change nothing', async () => {
    const asCarol = { ...edge.headers(carol), 'x-user-id': 'mallory', 'x-tenant-id': 'evil', 'x-airlock-roles': 'security-admin' };
    const created = await fetch(api, { method: 'POST', headers: json(asCarol), body: JSON.stringify({ name: 'laptop' }) });
    expect(created.status).toBe(201);
    const token = (await created.json()) as { id: string; subject: string; tenant_id: string; project_id: string; roles: string[] };
    expect(token).toMatchObject({ subject: 'carol', tenant_id: 'acme', project_id: 'payments', roles: ['developer'] });

    // Roles are the asserted ones: the plain x-airlock-roles header does not make carol a security admin.
    const minted = await fetch(api, { method: 'POST', headers: json(asCarol), body: JSON.stringify({ name: 'indexer', type: 'service_account', service_account: 'rag-indexer' }) });
    expect(minted.status).toBe(403);
    expect(((await minted.json()) as ErrorBody).error.code).toBe('security_admin_only');

    const listed = (await (await fetch(api, { headers: edge.headers(carol) })).json()) as { tokens: { id: string }[] };
    expect(listed.tokens.map((t) => t.id)).toEqual([token.id]);
    expect(((await (await fetch(api, { headers: edge.headers({ userId: 'mallory', tenantId: 'acme' }) })).json()) as { tokens: unknown[] }).tokens).toEqual([]);
    expect((await fetch(`${api}/${token.id}`, { method: 'DELETE', headers: edge.headers(carol) })).status).toBe(204);
  });

  it('answers 401 unauthenticated to plain identity headers whose assertion is missing, forged, expired or not a JWS', async () => {
    const plain = { 'x-user-id': 'carol', 'x-tenant-id': 'acme', 'x-project-id': 'payments', 'x-airlock-roles': 'security-admin', 'x-airlock-principal-kind': 'user' };
    const identity = { subject: 'carol', projectId: 'payments', workspaceId: '', roles: ['security-admin'], kind: 'user' as const, userId: 'carol', tenantId: 'acme' };
    const assertions = [
      undefined,
      AssertionSigner.generate().sign(identity).token,
      edge.signer.sign(identity, Date.now() - 10 * 60_000).token,
      'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
    ];
    for (const assertion of assertions) {
      const headers = assertion ? { ...plain, [ASSERTION_HEADER]: assertion } : plain;
      for (const res of [
        await fetch(api, { headers }),
        await fetch(api, { method: 'POST', headers: json(headers), body: JSON.stringify({ name: 'x' }) }),
        await fetch(`${api}/00000000-0000-0000-0000-000000000000`, { method: 'DELETE', headers }),
      ]) {
        expect(res.status).toBe(401);
        expect(((await res.json()) as ErrorBody).error.code).toBe('unauthenticated');
      }
    }
  });

  // Last: it takes the database away from the service for good.
  it("answers 503 token_db_auth_failed once PostgreSQL refuses the service's role (a rotated password)", async () => {
    const role = createPool(db.url, { max: 1, password: db.password });
    try {
      await role.query('SELECT 1');
      await provisionServiceDatabase(infra, db.name, randomPassword());
      // The service's pooled connections logged in with the old password; end them so it must log in again.
      await role.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = current_user AND pid <> pg_backend_pid()');
    } finally {
      await role.end();
    }
    const res = await fetch(api, { headers: { ...edge.headers(carol), 'x-correlation-id': 'corr-db-auth' } });
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { code: string; correlation_id: string | null; retryable: boolean; message: string } };
    expect(body.error).toMatchObject({ code: 'token_db_auth_failed', correlation_id: 'corr-db-auth', retryable: false });
    expect(body.error.message).not.toContain(db.password);
  });
});
