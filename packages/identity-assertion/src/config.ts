import { ConfigError, z } from '@airlock/config';
import { AssertionVerifier, type JwksOptions } from './verifier';

/**
 * What a service behind the edge needs to verify `x-airlock-identity`: spread into its ServiceDefinition
 * config, then `verifierFromConfig(config)` at boot. Exactly one of the two is set.
 */
export const identityAssertionConfig = {
  /** Policy's assertion public key (SPKI PEM): the simplest source, no network. */
  IDENTITY_ASSERTION_PUBLIC_KEY_FILE: z.string().min(1).optional(),
  /**
   * Policy's JWKS on its own HTTP port (`https://<policy>/api/policy/v1/assertion/jwks.json`, over mTLS; `http:` only
   * where mTLS is off): follows key rotation.
   */
  IDENTITY_ASSERTION_JWKS_URL: z.url().optional(),
};

export type IdentityAssertionConfig = {
  IDENTITY_ASSERTION_PUBLIC_KEY_FILE?: string;
  IDENTITY_ASSERTION_JWKS_URL?: string;
};

/** Throws a ConfigError naming the variables when neither or both are set, or the key file is unusable. */
export async function verifierFromConfig(config: IdentityAssertionConfig, options: JwksOptions = {}): Promise<AssertionVerifier> {
  const file = config.IDENTITY_ASSERTION_PUBLIC_KEY_FILE;
  const url = config.IDENTITY_ASSERTION_JWKS_URL;
  if (!file === !url) {
    const message = `set exactly one of IDENTITY_ASSERTION_PUBLIC_KEY_FILE and IDENTITY_ASSERTION_JWKS_URL (${file ? 'both are set' : 'neither is set'})`;
    throw new ConfigError([
      { variable: 'IDENTITY_ASSERTION_PUBLIC_KEY_FILE', message },
      { variable: 'IDENTITY_ASSERTION_JWKS_URL', message },
    ]);
  }
  if (url) return AssertionVerifier.fromJwks(url, options);
  try {
    return await AssertionVerifier.fromPublicKeyFile(file!, options);
  } catch (error) {
    throw new ConfigError([{ variable: 'IDENTITY_ASSERTION_PUBLIC_KEY_FILE', message: (error as Error).message }]);
  }
}
