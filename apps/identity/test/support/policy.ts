import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkHealth } from '@airlock/grpc';
import { startBuiltService, type BuiltService } from '@airlock/testing';

/** The version label decisions and GetSessionLimits answers carry for the bundle startPolicy writes. */
export const TEST_POLICY_VERSION = 'identity-test-1';

/**
 * The real policy service, run from its build, deciding with a bundle of its own that holds `sessions` (what
 * identity asks policy for); it verifies credentials with identity at `identityAddr`. Without DATABASE_URL the
 * bundle file is policy's one version.
 */
export async function startPolicy(dir: string, identityAddr: string, sessions: unknown): Promise<BuiltService> {
  const bundle = {
    version: TEST_POLICY_VERSION,
    description: "identity's tests: concurrent-session limits",
    backends: ['chat'],
    defaultRule: { id: 'default.deny', reasonCode: 'endpoint_not_allowed' },
    // A bundle holds at least one rule; identity's tests never ask policy to authorize a request.
    rules: [{ id: 'identity.me.allow', match: { pathPrefix: '/api/identity/v1/me' }, allow: { kinds: ['user'], roles: ['developer'] } }],
    sessions,
  };
  const file = path.join(dir, 'policy-bundle.json');
  writeFileSync(file, JSON.stringify(bundle));
  return startBuiltService({
    app: 'policy',
    env: { MTLS_OFF_FOR_DEVELOPMENT: 'true', LOG_LEVEL: 'warn', IDENTITY_ADDR: identityAddr, POLICY_BUNDLE_FILE: file },
    ready: async ({ grpcAddress }) => (await checkHealth(grpcAddress, 'airlock.policy.v1.PolicyService')) === 'SERVING',
  });
}
