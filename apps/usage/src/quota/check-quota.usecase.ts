import { Injectable } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { metrics } from '@airlock/telemetry';
import { InvalidInstantError, QuotaPeriodRequiredError, QuotaScopeIdRequiredError, QuotaScopeRequiredError, TenantRequiredError, usageStoreError } from '../errors';
import { periodOf, windowOf, type PeriodWindow, type WindowKind } from '../metering/period';
import { LiveCounters } from '../store/live-counters';
import { UsageStore, type QuotaScopeKind } from '../store/usage-store';
import { decideQuota } from './quota-decision';

const { QuotaPeriod, QuotaScope, QuotaSource } = airlock.usage.v1;
type Request = airlock.usage.v1.CheckQuotaRequest;
type Response = airlock.usage.v1.CheckQuotaResponse;

/** Usage's wire enum → the scope its store counts by (also how a person's budget names its scope). */
export const SCOPES = new Map<number, QuotaScopeKind>([
  [QuotaScope.QUOTA_SCOPE_TENANT, 'tenant'],
  [QuotaScope.QUOTA_SCOPE_PROJECT, 'project'],
  [QuotaScope.QUOTA_SCOPE_WORKSPACE, 'workspace'],
  [QuotaScope.QUOTA_SCOPE_USER, 'user'],
]);
const PERIODS = new Map<number, WindowKind>([
  [QuotaPeriod.QUOTA_PERIOD_DAY, 'day'],
  [QuotaPeriod.QUOTA_PERIOD_MONTH, 'month'],
]);

interface Used {
  tokens: number;
  source: airlock.usage.v1.QuotaSource;
}

/**
 * Token budget check for policy. Reads the Redis quota counter of the scope and period; when it is not built
 * yet (first check of the period, expired, Redis restarted) it is built from PostgreSQL and this answer comes
 * from PostgreSQL; when Redis fails, PostgreSQL answers. PostgreSQL failing too is UNAVAILABLE (retryable):
 * whether to fail open is the caller's policy.
 */
@Injectable()
export class CheckQuota {
  private readonly checks = metrics.getMeter('airlock-usage').createCounter('airlock_usage_quota_checks', {
    description: 'Quota checks by outcome (allowed, denied) and source of the used tokens (redis, postgres)',
  });

  constructor(
    private readonly store: UsageStore,
    private readonly counters: LiveCounters,
  ) {}

  async execute(request: Request, now: Date = new Date()): Promise<Response> {
    const tenantId = request.tenantId?.trim() ?? '';
    if (!tenantId) throw new TenantRequiredError();
    const scope = SCOPES.get(request.scope);
    if (!scope) throw new QuotaScopeRequiredError();
    const scopeId = scope === 'tenant' ? '' : (request.scopeId?.trim() ?? '');
    if (scope !== 'tenant' && !scopeId) throw new QuotaScopeIdRequiredError(scope);
    const kind = PERIODS.get(request.period);
    if (!kind) throw new QuotaPeriodRequiredError();
    const at = request.at ? parseInstant(request.at) : now;
    const window = windowOf(kind, at);

    const used = await this.used(tenantId, scope, scopeId, window);
    const limitTokens = Number(request.limitTokens);
    const decision = decideQuota(limitTokens, Number(request.requestedTokens), used.tokens);
    this.checks.add(1, { outcome: decision.allowed ? 'allowed' : 'denied', source: used.source === QuotaSource.QUOTA_SOURCE_REDIS ? 'redis' : 'postgres' });
    return {
      allowed: decision.allowed,
      reasonCode: decision.reasonCode,
      usedTokens: used.tokens,
      remainingTokens: decision.remainingTokens,
      limitTokens,
      periodKey: window.key,
      periodStart: window.start.toISOString(),
      resetsAt: window.end.toISOString(),
      source: used.source,
    };
  }

  private async used(tenantId: string, scope: QuotaScopeKind, scopeId: string, window: PeriodWindow): Promise<Used> {
    const key = this.counters.quotaKey(tenantId, scope, scopeId, window);
    const cached = await this.counters.readQuota(key);
    if (cached.state === 'ready') return { tokens: cached.tokens, source: QuotaSource.QUOTA_SOURCE_REDIS };
    const fromStore = () => this.store.usedTokens(tenantId, scope, scopeId, window).catch((err: unknown) => Promise.reject(usageStoreError(err)));
    const tokens = cached.state === 'missing' ? await this.counters.seedQuota(key, fromStore) : await fromStore();
    return { tokens, source: QuotaSource.QUOTA_SOURCE_POSTGRES };
  }
}

function parseInstant(value: string): Date {
  if (!periodOf(value)) throw new InvalidInstantError();
  return new Date(value);
}
