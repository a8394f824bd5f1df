import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { createClient, unary } from '@airlock/grpc';
import { APP_CONFIG, APP_LOGGER, grpcClientCredentials, type MtlsConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { BudgetRef } from './compiled-limits';
import type { LimitsConfig } from './limits-config';

const { QuotaScope, QuotaPeriod } = airlock.usage.v1;
type Quota = airlock.usage.v1.CheckQuotaResponse;

/** A budget rule's scope and period as usage's wire enums (CheckQuota, GetTokenBudgets). */
export const QUOTA_SCOPES = {
  tenant: QuotaScope.QUOTA_SCOPE_TENANT,
  project: QuotaScope.QUOTA_SCOPE_PROJECT,
  workspace: QuotaScope.QUOTA_SCOPE_WORKSPACE,
  user: QuotaScope.QUOTA_SCOPE_USER,
} as const;
export const QUOTA_PERIODS = { day: QuotaPeriod.QUOTA_PERIOD_DAY, month: QuotaPeriod.QUOTA_PERIOD_MONTH } as const;

/** Usage's answer for one budget, or why there is none. */
export type BudgetAnswer = { ref: BudgetRef; quota: Quota } | { ref: BudgetRef; quota?: undefined; error: string };

const MAX_CACHED = 10_000;

/**
 * Token budgets through usage's CheckQuota (`requested_tokens` 0: "is anything left?" — ext_authz does not see
 * how many tokens a request will spend). Answers are cached per (budget, limit, scope): an exhausted budget for
 * POLICY_BUDGET_DENIAL_CACHE_MS, one with room for POLICY_BUDGET_ALLOW_CACHE_MS, neither past the period's reset.
 * The limit is part of the cache key, so a bundle raising it takes effect at once. The denial cache is short
 * rather than "until the reset" because usage's fast counter can err high for a while (it re-seeds from
 * PostgreSQL), and a wrong denial must heal by itself.
 */
@Injectable()
export class TokenBudgets implements OnApplicationShutdown {
  private readonly client?: airlock.usage.v1.UsageServiceClient;
  private readonly cache = new Map<string, { quota: Quota; untilMs: number }>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: LimitsConfig & MtlsConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {
    if (!config.USAGE_ADDR) return;
    this.client = createClient(airlock.usage.v1.UsageServiceClient, config.USAGE_ADDR, {
      deadlineMs: config.POLICY_USAGE_DEADLINE_MS,
      credentials: grpcClientCredentials(config),
      idempotent: ['airlock.usage.v1.UsageService/CheckQuota'],
    });
  }

  onApplicationShutdown(): void {
    this.client?.close();
  }

  check(refs: BudgetRef[]): Promise<BudgetAnswer[]> {
    return Promise.all(refs.map((ref) => this.one(ref)));
  }

  private async one(ref: BudgetRef): Promise<BudgetAnswer> {
    const { rule } = ref;
    const cacheKey = `${rule.id}\u0000${rule.limitTokens}\u0000${rule.scope}\u0000${rule.period}\u0000${ref.tenantId}\u0000${ref.scopeId}`;
    const now = Date.now();
    const cached = this.cache.get(cacheKey);
    if (cached && cached.untilMs > now) return { ref, quota: cached.quota };
    if (!this.client) return { ref, error: 'USAGE_ADDR is not set' };
    let quota: Quota;
    try {
      quota = await unary(this.client.checkQuota.bind(this.client), {
        tenantId: ref.tenantId,
        scope: QUOTA_SCOPES[rule.scope],
        scopeId: rule.scope === 'tenant' ? '' : ref.scopeId,
        period: QUOTA_PERIODS[rule.period],
        limitTokens: rule.limitTokens,
        requestedTokens: 0,
        at: '',
      });
    } catch (error) {
      this.logger.warn({ err: (error as Error).message, budget: rule.id }, 'usage unreachable for a token budget check');
      return { ref, error: (error as Error).message };
    }
    const ttl = quota.allowed ? this.config.POLICY_BUDGET_ALLOW_CACHE_MS : this.config.POLICY_BUDGET_DENIAL_CACHE_MS;
    const resetsAt = Date.parse(quota.resetsAt);
    const untilMs = Math.min(now + ttl, Number.isNaN(resetsAt) ? now : resetsAt);
    if (untilMs > now) {
      if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(cacheKey, { quota, untilMs });
    }
    return { ref, quota };
  }
}
