import { createHash } from 'node:crypto';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { redisCredentials } from '@airlock/config';
import type { airlock } from '@airlock/contracts';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { policyConfig } from '../config';

/** What the cache reads of the configuration. */
export type PrincipalCacheConfig = Pick<ServiceConfig<typeof policyConfig>, 'REDIS_URL' | 'REDIS_USERNAME' | 'REDIS_PASSWORD_FILE' | 'IDENTITY_REVOCATION_CHANNEL' | 'POLICY_AUTH_CACHE_TTL_MS' | 'POLICY_AUTH_CACHE_MAX'>;

type Principal = airlock.identity.v1.Principal;

/** sha256 (hex) of a raw credential: identity announces revocations with the same digest. */
export function credentialDigest(raw: string): string {
  return createHash('sha256').update(raw).digest('hex');
}

/** A verified credential's principal, and when the credential itself expires (Unix seconds; 0 = not said). */
export interface Verified {
  principal: Principal;
  expiresAtUnix: number;
}

interface Entry extends Verified {
  expiresAtMs: number;
}

/**
 * Verified principals by credential digest, so the common path of ext_authz makes no call to identity.
 *
 * Why this is safe: an entry lives at most POLICY_AUTH_CACHE_TTL_MS (default 5 s) and never beyond the
 * credential's own expiry (identity's `expires_at_unix`); only valid verdicts are cached. Revocation is
 * pushed: identity publishes the digest of every revoked credential (logout, token revoke) on a Redis
 * channel and this cache drops it at once. While that subscription is down the cache is emptied and not
 * used, so a missed message can never keep a revoked credential alive — the TTL is the bound only without
 * REDIS_URL, where revocation takes effect within one TTL.
 */
@Injectable()
export class PrincipalCache implements OnModuleInit, OnApplicationShutdown {
  private readonly entries = new Map<string, Entry>();
  private subscriber?: Redis;
  private subscribed: boolean;

  constructor(
    @Inject(APP_CONFIG) private readonly config: PrincipalCacheConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {
    // Without a revocation channel the TTL alone bounds revocation lag.
    this.subscribed = !config.REDIS_URL;
  }

  async onModuleInit(): Promise<void> {
    if (!this.config.REDIS_URL) return;
    const channel = this.config.IDENTITY_REVOCATION_CHANNEL;
    const subscriber = new Redis(this.config.REDIS_URL, { ...redisCredentials(this.config), lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: null });
    this.subscriber = subscriber;
    subscriber.on('message', (_channel: string, digest: string) => this.entries.delete(digest));
    subscriber.on('error', () => undefined);
    subscriber.on('close', () => this.suspend());
    // ioredis re-subscribes on reconnect before 'ready'; messages sent while we were away are lost, so the
    // cache restarts empty.
    subscriber.on('ready', () => {
      this.entries.clear();
      this.subscribed = true;
    });
    try {
      await subscriber.connect();
      await subscriber.subscribe(channel);
      this.subscribed = true;
    } catch (error) {
      // Not fatal: Checks still work, uncached, and caching resumes when the subscription does.
      this.logger.warn({ err: (error as Error).message }, 'revocation channel unavailable; principal cache disabled until it is back');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscriber?.disconnect();
  }

  get(digest: string): Verified | undefined {
    if (!this.subscribed) return undefined;
    const entry = this.entries.get(digest);
    if (!entry) return undefined;
    if (entry.expiresAtMs <= Date.now()) {
      this.entries.delete(digest);
      return undefined;
    }
    return { principal: entry.principal, expiresAtUnix: entry.expiresAtUnix };
  }

  set(digest: string, principal: Principal, credentialExpiresAtUnix: number): void {
    if (!this.subscribed || this.config.POLICY_AUTH_CACHE_TTL_MS === 0) return;
    const ttlEnd = Date.now() + this.config.POLICY_AUTH_CACHE_TTL_MS;
    const expiresAtMs = credentialExpiresAtUnix > 0 ? Math.min(ttlEnd, credentialExpiresAtUnix * 1000) : ttlEnd;
    // Bounded: the oldest entry goes first (Map keeps insertion order).
    if (this.entries.size >= this.config.POLICY_AUTH_CACHE_MAX) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(digest, { principal, expiresAtUnix: credentialExpiresAtUnix, expiresAtMs });
  }

  private suspend(): void {
    if (!this.subscribed) return;
    this.subscribed = false;
    this.entries.clear();
    this.logger.warn('revocation channel lost; principal cache disabled until it is back');
  }
}
