import { airlock } from '@airlock/contracts';
import { createClient, unary } from '@airlock/grpc';
import { bootService, type RunningService } from '@airlock/runtime';
import { createTestDatabase, type InfraEndpoints } from '@airlock/testing';
// The real identity service, booted from its sources with its own test environment.
import { identityService } from '../../../identity/src/service';
import { identityTestEnv } from '../../../identity/test/support/edge';
import type { Who, policyAssertionKey } from './edge';

/**
 * A real identity for policy to verify bearer credentials with, minting both kinds the edge accepts: Airlock
 * JWTs (IssueToken, allowed here) and `alk_` API tokens (its token API, called as this policy's edge would).
 */
export async function startIdentity(infra: InfraEndpoints, dir: string, label: string, edge: ReturnType<typeof policyAssertionKey>) {
  const db = await createTestDatabase(infra, `${label}_identity`);
  const env = await identityTestEnv(dir, infra.redis, label, edge.verifierEnv);
  let service: RunningService | undefined = await bootService(identityService, { MTLS_OFF_FOR_DEVELOPMENT: 'true', ...env, ...db.env, IDENTITY_ALLOW_ISSUE: 'true' });
  const client = createClient(airlock.identity.v1.IdentityServiceClient, service.grpcAddress);
  const principal = (who: Who) => ({ subject: '', userId: who.userId, tenantId: who.tenantId ?? 't-test', projectId: '', workspaceId: '', roles: who.roles, kind: airlock.identity.v1.PrincipalKind.PRINCIPAL_KIND_USER });
  const http = service.httpAddress;
  return {
    address: service.grpcAddress,
    /** Identity's Redis prefix: its revocation channel is `${prefix}revocations`. */
    redisPrefix: env.REDIS_PREFIX,
    jwt: async (who: Who) => (await unary(client.issueToken.bind(client), { principal: principal(who), ttlSeconds: 600 })).accessToken,
    apiToken: async (who: Who) => {
      const res = await fetch(`http://${http}/api/identity/v1/tokens`, { method: 'POST', headers: { ...edge.as(who), 'content-type': 'application/json' }, body: JSON.stringify({ name: `${who.userId}-test` }) });
      if (res.status !== 201) throw new Error(`identity refused to create an API token: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { token: string }).token;
    },
    /** Stops identity (policy must then fail closed); idempotent. */
    async stop() {
      client.close();
      await service?.close();
      service = undefined;
    },
    async close() {
      await this.stop();
      await db.drop();
    },
  };
}

export type TestIdentity = Awaited<ReturnType<typeof startIdentity>>;
