import { once } from 'node:events';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import { metrics, type Logger } from '@airlock/telemetry';
import type { Period } from '../metering/period';
import type { usageConfig } from '../service';

// Long enough to cover the current and the two previous months; older months live only in PostgreSQL.
const COUNTER_TTL_SECONDS = 93 * 24 * 3600;

export interface CounterDelta {
  tenantId: string;
  period: Period;
  promptTokens: number;
  completionTokens: number;
}

/**
 * Per-tenant, per-month counters in Redis for fast reads (quotas, dashboards). Best-effort: PostgreSQL is
 * the source of truth, so a failed increment is logged and counted, never retried or raised.
 */
@Injectable()
export class LiveCounters implements OnModuleInit, OnApplicationShutdown {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly failures = metrics.getMeter('airlock-usage').createCounter('airlock_usage_live_counter_failures', {
    description: 'Redis live-counter increments that failed (PostgreSQL still has the usage)',
  });

  constructor(
    @Inject(APP_CONFIG) config: ServiceConfig<typeof usageConfig>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {
    this.prefix = config.REDIS_PREFIX;
    // Fail fast instead of queueing while Redis is away: a late increment is worth less than a fresh read.
    this.redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, commandTimeout: 2_000, enableOfflineQueue: false, lazyConnect: false });
    this.redis.on('error', (err: Error) => this.logger.debug({ err: err.message }, 'redis connection error'));
  }

  /** Gives Redis a moment to connect so the first events are counted; a Redis that is down does not stop the boot. */
  async onModuleInit(): Promise<void> {
    if (this.redis.status === 'ready') return;
    const ready = await Promise.race([once(this.redis, 'ready').then(() => true), new Promise<false>((r) => setTimeout(r, 3_000, false).unref())]);
    if (!ready) this.logger.warn('redis not reachable yet; live usage counters are skipped until it is');
  }

  /** `<prefix><tenant>:<period>:<counter>`; the tenant is URI-encoded so a ':' in it cannot forge another key. */
  key(tenantId: string, period: Period, counter: 'requests' | 'prompt_tokens' | 'completion_tokens' | 'tokens'): string {
    return `${this.prefix}${encodeURIComponent(tenantId)}:${period}:${counter}`;
  }

  async add(delta: CounterDelta): Promise<void> {
    const { tenantId, period, promptTokens, completionTokens } = delta;
    const increments: [string, number][] = [
      [this.key(tenantId, period, 'requests'), 1],
      [this.key(tenantId, period, 'prompt_tokens'), promptTokens],
      [this.key(tenantId, period, 'completion_tokens'), completionTokens],
      [this.key(tenantId, period, 'tokens'), promptTokens + completionTokens],
    ];
    try {
      const tx = this.redis.multi();
      for (const [key, by] of increments) tx.incrby(key, by).expire(key, COUNTER_TTL_SECONDS);
      const results = await tx.exec();
      const failed = results?.find(([err]) => err);
      if (!results || failed) throw failed?.[0] ?? new Error('transaction discarded');
    } catch (err) {
      this.failures.add(1);
      this.logger.warn({ err: err instanceof Error ? err.message : String(err), tenant_id: tenantId, period }, 'live usage counter not updated');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis.status === 'ready') {
      await this.redis.quit().catch(() => this.redis.disconnect());
    } else {
      this.redis.disconnect();
    }
  }
}
