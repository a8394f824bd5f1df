import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { airlock } from '@airlock/contracts';
import { createClient } from '@airlock/grpc';
import { AssertionSigner } from '@airlock/identity-assertion';
import { grpcServing, startBuiltService, uniquePrefix, withRedisUser, type RedisEndpoint } from '@airlock/testing';

export interface RunningIdentity {
  /** IDENTITY_ADDR for the workspace service. */
  address: string;
  client: airlock.identity.v1.IdentityServiceClient;
  output(): string;
  stop(): Promise<void>;
}

/**
 * The real identity service, run from its build on free loopback ports: its own Redis prefix, PostgreSQL
 * database and signing key; audit events to its log (read through `output()`).
 */
export async function startIdentity(opts: { redis: RedisEndpoint; database: { DATABASE_URL: string; DATABASE_PASSWORD_FILE: string } }): Promise<RunningIdentity> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-ws-identity-'));
  // Required by identity's token API (not used here): any assertion key will do.
  const assertionKey = path.join(dir, 'assertion-public.pem');
  writeFileSync(assertionKey, AssertionSigner.generate().publicKeyPem);
  const service = await startBuiltService({
    app: 'identity',
    env: {
      MTLS_OFF_FOR_DEVELOPMENT: 'true',
      LOG_LEVEL: 'info',
      ...(await withRedisUser(opts.redis, 'identity', { REDIS_PREFIX: `${uniquePrefix('ws-identity')}:` })),
      ...opts.database,
      IDENTITY_SIGNING_KEY_FILE: path.join(dir, 'signing.pem'),
      IDENTITY_GENERATE_KEY: 'true',
      IDENTITY_ASSERTION_PUBLIC_KEY_FILE: assertionKey,
    },
    ready: grpcServing('airlock.identity.v1.IdentityService'),
  }).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  const client = createClient(airlock.identity.v1.IdentityServiceClient, service.grpcAddress);
  return {
    address: service.grpcAddress,
    client,
    output: service.output,
    async stop() {
      client.close();
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
