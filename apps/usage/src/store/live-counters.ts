import { once } from 'node:events';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { isRedisAuthFailure, redisCredentials } from '@airlock/config';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import { metrics, type Logger } from '@airlock/telemetry';
import { windowOf, type Period, type PeriodWindow } from '../metering/period';
import type { usageConfig } from '../config';
import type { QuotaScopeKind } from './usage-store';

// Long enough to cover the current and the two previous months; older months live only in PostgreSQL.
const COUNTER_TTL_SECONDS = 93 * 24 * 3600;

export interface CounterDelta {
  tenantId: string;
  period: Period;
  promptTokens: number;
  completionTokens: number;
}

/** The scopes an event counts towards: '' ids (no project, workspace or user) count only for the tenant. */
export interface QuotaDelta {
  tenantId: string;
  projectId: string;
  workspaceId: string;
  userId: string;
  occurredAt: Date;
  tokens: number;
}

/** A quota counter read: 'missing' = not (yet) built from PostgreSQL, 'unavailable' = Redis failed. */
export type QuotaRead = { state: 'ready'; tokens: number } | { state: 'missing' } | { state: 'unavailable' };

// Quota counters are hashes {state, tokens}. They exist only once built from PostgreSQL ("seeded"); events
// add to existing ones only, so a counter never starts from a partial count (after a Redis restart, say).
// KEYS[i] gets ARGV[i] tokens: a batch's sums, one call.
const ADD_IF_PRESENT = `
for i, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then redis.call('HINCRBY', key, 'tokens', ARGV[i]) end
end
return 0`;
// While seeding, events landing in Redis accumulate in tokens from 0; finishing adds the PostgreSQL sum read
// after the seed began. An event committed before that read but added after the begin counts twice: the
// counter errs high (deny early), never low, and is rebuilt when it expires.
const SEED_BEGIN = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'state', 'seeding', 'tokens', 0)
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return 0`;
const SEED_FINISH = `
if redis.call('HGET', KEYS[1], 'state') == 'seeding' then
  redis.call('HINCRBY', KEYS[1], 'tokens', ARGV[1])
  redis.call('HSET', KEYS[1], 'state', 'ready')
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`;
// A seeder that dies between begin and finish leaves a 'seeding' hash; it expires after this.
const SEEDING_TTL_MS = 30_000;
// Keys whose increment failed while Redis was away, deleted (so rebuilt) once it answers again.
const MAX_STALE_KEYS = 10_000;

type QuotaRedis = Redis & {
  quotaAdd(numKeys: number, ...args: (string | number)[]): Promise<number>;
  quotaSeedBegin(key: string, ttlMs: number): Promise<number>;
  quotaSeedFinish(key: string, tokens: number, ttlMs: number): Promise<number>;
};

/**
 * Per-tenant, per-month counters in Redis for fast reads (quotas, dashboards). Best-effort: PostgreSQL is
 * the source of truth, so a failed increment is logged and counted, never retried or raised.
 */
@Injectable()
export class LiveCounters implements OnModuleInit, OnApplicationShutdown {
  private readonly redis: QuotaRedis;
  private readonly prefix: string;
  private readonly reseedMs: number;
  private readonly staleQuotaKeys = new Set<string>();
  private readonly failures = metrics.getMeter('airlock-usage').createCounter('airlock_usage_live_counter_failures', {
    description: 'Redis live-counter increments that failed (PostgreSQL still has the usage)',
  });

  constructor(
    @Inject(APP_CONFIG) config: ServiceConfig<typeof usageConfig>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {
    this.prefix = config.REDIS_PREFIX;
    this.reseedMs = config.QUOTA_RESEED_SECONDS * 1000;
    // Fail fast instead of queueing while Redis is away: a late increment is worth less than a fresh read, and
    // a quota check would rather read PostgreSQL than wait.
    const redis = new Redis(config.REDIS_URL, {
      ...redisCredentials(config),
      maxRetriesPerRequest: 1,
      commandTimeout: config.REDIS_COMMAND_TIMEOUT_MS,
      enableOfflineQueue: false,
      lazyConnect: false,
    });
    redis.defineCommand('quotaAdd', { lua: ADD_IF_PRESENT });
    redis.defineCommand('quotaSeedBegin', { numberOfKeys: 1, lua: SEED_BEGIN });
    redis.defineCommand('quotaSeedFinish', { numberOfKeys: 1, lua: SEED_FINISH });
    this.redis = redis as QuotaRedis;
    this.redis.on('error', (err: Error) => {
      // Reads fall back to PostgreSQL either way, but refused credentials will not clear by themselves.
      if (isRedisAuthFailure(err)) this.logger.error({ err: err.message }, "Redis refused usage's user (REDIS_USERNAME, REDIS_PASSWORD_FILE); live counters are off");
      else this.logger.debug({ err: err.message }, 'redis connection error');
    });
  }

  /** Gives Redis a moment to connect so the first events are counted; a Redis that is down does not stop the boot. */
  async onModuleInit(): Promise<void> {
    if (this.redis.status === 'ready') return;
    // once() rejects on the first 'error' event (connection refused): that is "not reachable yet", not a boot failure.
    const ready = await Promise.race([
      once(this.redis, 'ready').then(
        () => true,
        () => false,
      ),
      new Promise<false>((r) => setTimeout(r, 3_000, false).unref()),
    ]);
    if (!ready) this.logger.warn('redis not reachable yet; live usage counters are skipped until it is');
  }

  /** `<prefix><tenant>:<period>:<counter>`; the tenant is URI-encoded so a ':' in it cannot forge another key. */
  key(tenantId: string, period: Period, counter: 'requests' | 'prompt_tokens' | 'completion_tokens' | 'tokens'): string {
    return `${this.prefix}${encodeURIComponent(tenantId)}:${period}:${counter}`;
  }

  /** Adds a batch of events to their tenants' monthly counters: one transaction, each counter incremented once. */
  async add(deltas: readonly CounterDelta[]): Promise<void> {
    if (deltas.length === 0) return;
    const sums = new Map<string, number>();
    const bump = (key: string, by: number) => sums.set(key, (sums.get(key) ?? 0) + by);
    for (const { tenantId, period, promptTokens, completionTokens } of deltas) {
      bump(this.key(tenantId, period, 'requests'), 1);
      bump(this.key(tenantId, period, 'prompt_tokens'), promptTokens);
      bump(this.key(tenantId, period, 'completion_tokens'), completionTokens);
      bump(this.key(tenantId, period, 'tokens'), promptTokens + completionTokens);
    }
    try {
      const tx = this.redis.multi();
      for (const [key, by] of sums) tx.incrby(key, by).expire(key, COUNTER_TTL_SECONDS);
      const results = await tx.exec();
      const failed = results?.find(([err]) => err);
      if (!results || failed) throw failed?.[0] ?? new Error('transaction discarded');
    } catch (err) {
      this.failures.add(1);
      this.logger.warn({ err: err instanceof Error ? err.message : String(err), tenants: [...new Set(deltas.map((d) => d.tenantId))] }, 'live usage counters not updated');
    }
  }

  /** `<prefix>quota:<scope>:<tenant>:<scope id>:<period key>`, ids URI-encoded like the tenant above. */
  quotaKey(tenantId: string, scope: QuotaScopeKind, scopeId: string, window: PeriodWindow): string {
    return `${this.prefix}quota:${scope}:${encodeURIComponent(tenantId)}:${encodeURIComponent(scope === 'tenant' ? '' : scopeId)}:${window.key}`;
  }

  /** Adds a batch of events' tokens to every built quota counter of their scopes, for their day and month: one call. */
  async addQuota(deltas: readonly QuotaDelta[]): Promise<void> {
    if (deltas.length === 0) return;
    const sums = new Map<string, number>();
    for (const delta of deltas) {
      const scopes: [QuotaScopeKind, string][] = [
        ['tenant', ''],
        ['project', delta.projectId],
        ['workspace', delta.workspaceId],
        ['user', delta.userId],
      ];
      // Once per event, not per scope: the same two windows for all four.
      const windows = [windowOf('day', delta.occurredAt), windowOf('month', delta.occurredAt)];
      for (const [scope, id] of scopes) {
        if (scope !== 'tenant' && id === '') continue;
        for (const window of windows) {
          const key = this.quotaKey(delta.tenantId, scope, id, window);
          sums.set(key, (sums.get(key) ?? 0) + delta.tokens);
        }
      }
    }
    const keys = [...sums.keys()];
    try {
      if (this.staleQuotaKeys.size > 0) await this.dropStaleQuotaKeys();
      await this.redis.quotaAdd(keys.length, ...keys, ...sums.values());
    } catch (err) {
      this.failures.add(1);
      for (const key of keys) if (this.staleQuotaKeys.size < MAX_STALE_KEYS) this.staleQuotaKeys.add(key);
      this.logger.warn({ err: err instanceof Error ? err.message : String(err), tenants: [...new Set(deltas.map((d) => d.tenantId))] }, 'quota counters not updated');
    }
  }

  // Counters that missed increments would under-count until they expire; deleting them makes the next
  // quota check rebuild them from PostgreSQL. Those beyond MAX_STALE_KEYS are left to expire.
  private async dropStaleQuotaKeys(): Promise<void> {
    const keys = [...this.staleQuotaKeys];
    await this.redis.del(...keys);
    for (const key of keys) this.staleQuotaKeys.delete(key);
  }

  async readQuota(key: string): Promise<QuotaRead> {
    try {
      const [state, tokens] = await this.redis.hmget(key, 'state', 'tokens');
      return state === 'ready' && tokens !== null ? { state: 'ready', tokens: Number(tokens) } : { state: 'missing' };
    } catch {
      return { state: 'unavailable' };
    }
  }

  /**
   * Builds a counter from PostgreSQL: `readSum` must read after the begin. Returns readSum's value; Redis
   * failing only leaves the counter unbuilt.
   */
  async seedQuota(key: string, readSum: () => Promise<number>): Promise<number> {
    const began = await this.redis.quotaSeedBegin(key, SEEDING_TTL_MS).then(
      () => true,
      () => false,
    );
    const tokens = await readSum();
    if (began) {
      await this.redis.quotaSeedFinish(key, tokens, this.reseedMs).catch((err: Error) => this.logger.debug({ err: err.message }, 'quota counter not seeded'));
    }
    return tokens;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis.status === 'ready') {
      await this.redis.quit().catch(() => this.redis.disconnect());
    } else {
      this.redis.disconnect();
    }
  }
}
