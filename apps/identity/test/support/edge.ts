import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ASSERTION_HEADER, AssertionSigner, type Identity } from '@airlock/identity-assertion';
import { freePort, uniquePrefix, withRedisUser, type RedisEndpoint } from '@airlock/testing';

/**
 * Stands in for policy's ext_authz: its assertion key (the public half written to `dir` for
 * IDENTITY_ASSERTION_PUBLIC_KEY_FILE) and the header it adds to an allowed request.
 */
export function edgeAssertions(dir: string) {
  const signer = AssertionSigner.generate();
  const keyFile = path.join(dir, 'assertion-public.pem');
  writeFileSync(keyFile, signer.publicKeyPem);
  return {
    signer,
    env: { IDENTITY_ASSERTION_PUBLIC_KEY_FILE: keyFile },
    headers: (who: Partial<Identity> & Pick<Identity, 'userId' | 'tenantId'>) => ({
      [ASSERTION_HEADER]: signer.sign({ subject: who.userId, projectId: '', workspaceId: '', roles: [], kind: 'user', ...who }).token,
    }),
  };
}

/** An in-process identity's environment: free ports, its own Redis prefix, a signing key generated in `dir`. */
export async function identityTestEnv(dir: string, redis: RedisEndpoint, label: string, edgeEnv: Record<string, string>): Promise<Record<string, string>> {
  // Identity's own Redis user, granted this prefix and its revocation channel only.
  return withRedisUser(redis, 'identity', {
    ...edgeEnv,
    GRPC_PORT: String(await freePort()),
    HTTP_PORT: String(await freePort()),
    METRICS_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    REDIS_PREFIX: `${uniquePrefix(label)}:`,
    IDENTITY_SIGNING_KEY_FILE: path.join(dir, 'signing.pem'),
    IDENTITY_GENERATE_KEY: 'true',
  });
}
