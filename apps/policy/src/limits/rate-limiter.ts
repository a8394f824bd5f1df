import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { isRedisAuthFailure, redisCredentials } from '@airlock/config';
import { APP_CONFIG, APP_LOGGER } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { BucketRef } from './compiled-limits';
import { GCRA_SCRIPT, LocalGcra, parseGcraReply, type GcraResult } from './gcra';
import type { LimitsConfig } from './limits-config';

type ScriptRedis = Redis & { airlockGcra(numKeys: number, ...keysAndArgs: (string | number)[]): Promise<number[]> };

/** Where a check was decided. */
export type RateSource = 'redis' | 'local' | 'unavailable';

export interface RateCheck extends GcraResult {
  source: RateSource;
}

/** What the limiter reads of policy's configuration. */
export type RateLimiterConfig = Pick<LimitsConfig, 'REDIS_URL' | 'REDIS_USERNAME' | 'REDIS_PASSWORD_FILE' | 'POLICY_LIMITS_REDIS_PREFIX' | 'POLICY_LIMITS_REDIS_TIMEOUT_MS' | 'POLICY_LIMITS_REPLICAS'>;

/**
 * Rate-limit buckets in Redis (REDIS_URL), one atomic script per check whatever the number of buckets. Every
 * replica shares them, so N replicas together admit the limit, not N × the limit.
 *
 * Redis unreachable (not connected, a command error, or slower than POLICY_LIMITS_REDIS_TIMEOUT_MS): commands are
 * never queued for later — the check is answered at once by the bundle's choice. If every bucket of the request is
 * `fail_open_local`, the in-memory limiter enforces this replica's share of each; if any is `fail_closed`, the
 * answer is `unavailable` (the caller denies with 503). Without REDIS_URL every bucket is local (one dev process).
 */
@Injectable()
export class RateLimiter implements OnModuleInit, OnApplicationShutdown {
  private readonly redis?: ScriptRedis;
  private readonly local: LocalGcra;
  private degraded = false;

  constructor(
    @Inject(APP_CONFIG) config: RateLimiterConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {
    this.local = new LocalGcra(config.POLICY_LIMITS_REPLICAS);
    if (!config.REDIS_URL) return;
    const redis = new Redis(config.REDIS_URL, {
      ...redisCredentials(config),
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: config.POLICY_LIMITS_REDIS_TIMEOUT_MS,
      connectTimeout: 1_000,
      disconnectTimeout: 100,
      keyPrefix: config.POLICY_LIMITS_REDIS_PREFIX,
      // Keep trying in the background; checks meanwhile take the bundle's store-error path.
      retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
    }) as ScriptRedis;
    redis.defineCommand('airlockGcra', { lua: GCRA_SCRIPT });
    redis.on('error', (error: Error) => {
      // Refused credentials do not clear by themselves like an outage: say so, once per episode.
      if (isRedisAuthFailure(error)) this.unavailable(error);
    });
    redis.on('ready', () => this.recovered());
    this.redis = redis;
  }

  async onModuleInit(): Promise<void> {
    if (!this.redis) {
      this.logger.warn('REDIS_URL not set: rate limits are enforced in this process only');
      return;
    }
    // Not fatal: Redis may come later, and until then the bundle's onStoreError decides.
    await this.redis.connect().catch((error: Error) => this.unavailable(error));
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis?.status === 'ready') await this.redis.quit().catch(() => undefined);
    this.redis?.disconnect();
  }

  async check(refs: BucketRef[]): Promise<RateCheck> {
    if (this.redis) {
      if (this.redis.status === 'ready') {
        try {
          const result = await this.remote(this.redis, refs);
          this.recovered();
          return { ...result, source: 'redis' };
        } catch (error) {
          this.unavailable(error as Error);
        }
      } else {
        this.unavailable();
      }
      if (refs.some((r) => r.rule.onStoreError === 'fail_closed')) return { admitted: false, buckets: [], source: 'unavailable' };
    }
    return { ...this.local.check(refs.map((r) => ({ key: r.key, intervalUs: r.rule.intervalUs, burst: r.rule.burst }))), source: 'local' };
  }

  private async remote(redis: ScriptRedis, refs: BucketRef[]): Promise<GcraResult> {
    const args: (string | number)[] = refs.map((r) => r.key);
    for (const r of refs) args.push(r.rule.intervalUs, r.rule.burst);
    return parseGcraReply(await redis.airlockGcra(refs.length, ...args));
  }

  private unavailable(error?: Error): void {
    if (this.degraded) return;
    this.degraded = true;
    if (error && isRedisAuthFailure(error)) {
      this.logger.error({ err: error.message }, "rate-limit store refused policy's Redis user (REDIS_USERNAME, REDIS_PASSWORD_FILE): fail_open_local limits enforced per replica, fail_closed limits deny");
      return;
    }
    this.logger.warn({ err: error?.message }, 'rate-limit store unreachable: fail_open_local limits enforced per replica, fail_closed limits deny');
  }

  private recovered(): void {
    if (!this.degraded) return;
    this.degraded = false;
    this.local.clear();
    this.logger.info('rate-limit store reachable again');
  }
}
