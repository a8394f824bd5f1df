import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { ConfigError } from '@airlock/config';
import { AssertionError, AssertionSigner, loadSignerFile, type Identity, type Jwks } from '@airlock/identity-assertion';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { policyConfig } from '../config';
import { type AssertedCredential, assertedIdentity } from './responses';

/** What the issuer reads of the configuration. */
export type AssertionIssuerConfig = Pick<
  ServiceConfig<typeof policyConfig>,
  'POLICY_ASSERTION_TTL_SECONDS' | 'POLICY_ASSERTION_REUSE_MS' | 'POLICY_ASSERTION_KEY_FILE' | 'POLICY_ASSERTION_GENERATE_KEY' | 'POLICY_AUTH_CACHE_MAX'
>;

interface Signed {
  token: string;
  reuseUntilMs: number;
}

/**
 * Signs `x-airlock-identity`, the assertion services verify so that a request which bypassed Envoy carries no
 * identity (`@airlock/identity-assertion`).
 *
 * Why one signed assertion serves a principal for POLICY_ASSERTION_REUSE_MS: ES256 signing costs ~60 µs of this
 * single event loop per Check (packages/identity-assertion/bench), against a 2 ms P99 budget for the whole
 * edge; a reused one costs ~1 µs, and lets services hit their verified-assertion cache too. The price is that an
 * assertion names the principal only — not the request's correlation id or route, which stay plain headers —
 * and that `jti`/`iat` are those of its first use. It is safe to share between requests and credentials of the
 * same principal because it is only handed out after this request's credential was verified; it still
 * expires POLICY_ASSERTION_TTL_SECONDS after signing, and reuse stops at half that, so a service always gets
 * one with at least half its lifetime left.
 */
@Injectable()
export class AssertionIssuer implements OnModuleInit {
  private signer?: AssertionSigner;
  private readonly reuseMs: number;
  private readonly signed = new Map<string, Signed>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AssertionIssuerConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {
    this.reuseMs = Math.min(config.POLICY_ASSERTION_REUSE_MS, (config.POLICY_ASSERTION_TTL_SECONDS * 1000) / 2);
  }

  /** A key problem is a ConfigError naming the variable: policy does not start unable to sign. */
  async onModuleInit(): Promise<void> {
    const ttlSeconds = this.config.POLICY_ASSERTION_TTL_SECONDS;
    const file = this.config.POLICY_ASSERTION_KEY_FILE;
    if (!file) {
      this.signer = AssertionSigner.generate({ ttlSeconds });
      this.logger.warn(
        { kid: this.signer.kid },
        'POLICY_ASSERTION_KEY_FILE unset: identity assertions are signed with a key held in memory (dev only); services must verify through the JWKS endpoint',
      );
      return;
    }
    try {
      const loaded = await loadSignerFile(file, { generate: this.config.POLICY_ASSERTION_GENERATE_KEY, ttlSeconds });
      this.signer = loaded.signer;
      if (loaded.generated) this.logger.warn({ file, kid: loaded.signer.kid }, 'generated a new identity assertion key (dev)');
      if (loaded.readableByOthers) this.logger.warn({ file }, 'identity assertion key file is readable by group or others');
    } catch (error) {
      const hint = this.config.POLICY_ASSERTION_GENERATE_KEY ? '' : ' (set POLICY_ASSERTION_GENERATE_KEY=true to create a dev key)';
      throw new ConfigError([{ variable: 'POLICY_ASSERTION_KEY_FILE', message: `${(error as Error).message}${hint}` }]);
    }
  }

  private get current(): AssertionSigner {
    if (!this.signer) throw new Error('identity assertion key not loaded yet');
    return this.signer;
  }

  /** Public keys for services: GET /api/policy/v1/assertion/jwks.json. */
  get jwks(): Jwks {
    return this.current.jwks;
  }

  /**
   * The assertion for an authenticated principal (and the credential it authenticated with, when known);
   * undefined when it cannot be asserted (no user or tenant id, or one that is not header-safe): the request
   * then reaches services without identity, and they refuse it.
   */
  assertionFor(principal: airlock.identity.v1.Principal, nowMs = Date.now(), credential?: AssertedCredential): string | undefined {
    const identity: Identity = assertedIdentity(principal, credential);
    const key = JSON.stringify(identity);
    const reusable = this.signed.get(key);
    if (reusable && reusable.reuseUntilMs > nowMs) return reusable.token;
    let token: string;
    try {
      token = this.current.sign(identity, nowMs).token;
    } catch (error) {
      if (error instanceof AssertionError) return undefined;
      throw error;
    }
    if (this.reuseMs > 0) {
      this.signed.delete(key);
      // Bounded: the oldest entry goes first (Map keeps insertion order), and it is the first to go stale.
      if (this.signed.size >= this.config.POLICY_AUTH_CACHE_MAX) this.signed.delete(this.signed.keys().next().value!);
      this.signed.set(key, { token, reuseUntilMs: nowMs + this.reuseMs });
    }
    return token;
  }
}
