import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bootService, type RunningService } from '@airlock/runtime';
import { freePort } from '@airlock/testing';
// The real policy service, booted from its sources. Without DATABASE_URL its bundle file is its one version.
import { DEFAULT_BUNDLE_FILE } from '../../../policy/src/bundles/bundle';
import { policyService } from '../../../policy/src/service';

/** The version label decisions and GetSessionLimits answers carry for the bundle startPolicy writes. */
export const TEST_POLICY_VERSION = 'identity-test-1';

/** Policy deciding with the built-in bundle plus `sessions`; it verifies credentials with identity at `identityAddr`. */
export async function startPolicy(dir: string, identityAddr: string, sessions: unknown): Promise<RunningService> {
  const bundle = { ...JSON.parse(readFileSync(DEFAULT_BUNDLE_FILE, 'utf8')), version: TEST_POLICY_VERSION, sessions };
  const file = path.join(dir, 'policy-bundle.json');
  writeFileSync(file, JSON.stringify(bundle));
  return bootService(policyService, {
    MTLS_OFF_FOR_DEVELOPMENT: 'true',
    GRPC_PORT: String(await freePort()),
    HTTP_PORT: String(await freePort()),
    METRICS_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    IDENTITY_ADDR: identityAddr,
    POLICY_BUNDLE_FILE: file,
  });
}
