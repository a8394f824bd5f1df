import { policyTestBundle, startBuiltPolicy, type BuiltService } from '@airlock/testing';

/** The version label decisions and GetSessionLimits answers carry for the bundle startPolicy writes. */
export const TEST_POLICY_VERSION = 'identity-test-1';

/**
 * The real policy service, run from its build, with a bundle that holds `sessions` (what identity asks policy
 * for); it verifies credentials with identity at `identityAddr`.
 */
export function startPolicy(dir: string, identityAddr: string, sessions: unknown): Promise<BuiltService> {
  return startBuiltPolicy({ dir, bundle: policyTestBundle(TEST_POLICY_VERSION, { sessions }), env: { IDENTITY_ADDR: identityAddr } });
}
