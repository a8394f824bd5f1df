import path from 'node:path';
import { airlock } from '@airlock/contracts';
import { createClient, unary } from '@airlock/grpc';
import { createTestDatabase, grpcServing, startBuiltService, uniquePrefix, withRedisUser, type BuiltService, type InfraEndpoints } from '@airlock/testing';
import type { Who, policyAssertionKey } from './edge';

/**
 * A real identity for policy to verify bearer credentials with, run from its build, minting both kinds the edge
 * accepts: Airlock JWTs (IssueToken, allowed here) and `alk_` API tokens (its token API, called as this policy's
 * edge would).
 */
export async function startIdentity(infra: InfraEndpoints, dir: string, label: string, edge: ReturnType<typeof policyAssertionKey>) {
  const db = await createTestDatabase(infra, `${label}_identity`);
  const redisPrefix = `${uniquePrefix(label)}:`;
  let service: BuiltService | undefined = await startBuiltService({
    app: 'identity',
    env: {
      MTLS_OFF_FOR_DEVELOPMENT: 'true',
      ...edge.verifierEnv,
      ...db.env,
      LOG_LEVEL: 'warn',
      // Identity's own Redis user, granted this prefix and its revocation channel only.
      ...(await withRedisUser(infra.redis, 'identity', { REDIS_PREFIX: redisPrefix })),
      IDENTITY_SIGNING_KEY_FILE: path.join(dir, 'signing.pem'),
      IDENTITY_GENERATE_KEY: 'true',
      IDENTITY_ALLOW_ISSUE: 'true',
    },
    ready: grpcServing('airlock.identity.v1.IdentityService'),
  });
  const client = createClient(airlock.identity.v1.IdentityServiceClient, service.grpcAddress);
  const principal = (who: Who) => ({ subject: '', userId: who.userId, tenantId: who.tenantId ?? 't-test', projectId: '', workspaceId: '', roles: who.roles, kind: airlock.identity.v1.PrincipalKind.PRINCIPAL_KIND_USER });
  const http = service.httpAddress;
  return {
    address: service.grpcAddress,
    /** Identity's Redis prefix: its revocation channel is `${prefix}revocations`. */
    redisPrefix,
    jwt: async (who: Who) => (await unary(client.issueToken.bind(client), { principal: principal(who), ttlSeconds: 600 })).accessToken,
    apiToken: async (who: Who) => {
      const res = await fetch(`http://${http}/api/identity/v1/tokens`, { method: 'POST', headers: { ...edge.as(who), 'content-type': 'application/json' }, body: JSON.stringify({ name: `${who.userId}-test` }) });
      if (res.status !== 201) throw new Error(`identity refused to create an API token: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { token: string }).token;
    },
    /** Stops identity (policy must then fail closed); idempotent. */
    async stop() {
      client.close();
      await service?.stop();
      service = undefined;
    },
    async close() {
      await this.stop();
      await db.drop();
    },
  };
}

export type TestIdentity = Awaited<ReturnType<typeof startIdentity>>;
