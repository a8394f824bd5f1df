import { airlock } from '@airlock/contracts';
import { GrpcStatus } from '@airlock/runtime';
import type { PeriodWindow } from '../metering/period';
import type { LiveCounters, QuotaRead } from '../store/live-counters';
import type { QuotaScopeKind, UsageStore } from '../store/usage-store';
import { CheckQuota } from './check-quota.usecase';

const { QuotaPeriod, QuotaScope, QuotaSource } = airlock.usage.v1;

function setup(read: QuotaRead, stored = 40, storeFails = false) {
  const storeCalls: [string, QuotaScopeKind, string, string][] = [];
  const seeded: string[] = [];
  const store = {
    usedTokens: async (tenantId: string, scope: QuotaScopeKind, scopeId: string, window: PeriodWindow) => {
      storeCalls.push([tenantId, scope, scopeId, window.key]);
      if (storeFails) throw new Error('connection refused');
      return stored;
    },
  };
  const counters = {
    quotaKey: (tenantId: string, scope: QuotaScopeKind, scopeId: string, window: PeriodWindow) => `${tenantId}/${scope}/${scopeId}/${window.key}`,
    readQuota: async () => read,
    seedQuota: async (key: string, readSum: () => Promise<number>) => (seeded.push(key), readSum()),
  };
  return { storeCalls, seeded, check: new CheckQuota(store as unknown as UsageStore, counters as unknown as LiveCounters) };
}

const request = (fields: Partial<airlock.usage.v1.CheckQuotaRequest>): airlock.usage.v1.CheckQuotaRequest => ({
  tenantId: 't1',
  scope: QuotaScope.QUOTA_SCOPE_PROJECT,
  scopeId: 'p1',
  period: QuotaPeriod.QUOTA_PERIOD_MONTH,
  limitTokens: 100,
  requestedTokens: 10,
  at: '',
  ...fields,
});

describe('CheckQuota', () => {
  it('answers from a built Redis counter without touching PostgreSQL', async () => {
    const { check, storeCalls } = setup({ state: 'ready', tokens: 95 });
    const response = await check.execute(request({}), new Date('2026-03-31T23:59:59.999Z'));
    expect(response).toEqual({
      allowed: false,
      reasonCode: 'exceeds_remaining',
      usedTokens: 95,
      remainingTokens: 5,
      limitTokens: 100,
      periodKey: '2026-03',
      periodStart: '2026-03-01T00:00:00.000Z',
      resetsAt: '2026-04-01T00:00:00.000Z',
      source: QuotaSource.QUOTA_SOURCE_REDIS,
    });
    expect(storeCalls).toHaveLength(0);
  });

  it('builds a missing counter from PostgreSQL and answers from that read', async () => {
    const { check, storeCalls, seeded } = setup({ state: 'missing' }, 40);
    const response = await check.execute(request({ period: QuotaPeriod.QUOTA_PERIOD_DAY }), new Date('2026-04-01T00:00:00Z'));
    expect(response).toMatchObject({ allowed: true, usedTokens: 40, remainingTokens: 60, periodKey: '2026-04-01', resetsAt: '2026-04-02T00:00:00.000Z', source: QuotaSource.QUOTA_SOURCE_POSTGRES });
    expect(seeded).toEqual(['t1/project/p1/2026-04-01']);
    expect(storeCalls).toEqual([['t1', 'project', 'p1', '2026-04-01']]);
  });

  it('falls back to PostgreSQL without seeding when Redis is unavailable', async () => {
    const { check, seeded, storeCalls } = setup({ state: 'unavailable' }, 100);
    const response = await check.execute(request({ requestedTokens: 0 }));
    expect(response).toMatchObject({ allowed: false, reasonCode: 'budget_exhausted', usedTokens: 100, source: QuotaSource.QUOTA_SOURCE_POSTGRES });
    expect(seeded).toHaveLength(0);
    expect(storeCalls).toHaveLength(1);
  });

  it('is UNAVAILABLE (retryable) when neither Redis nor PostgreSQL answers', async () => {
    const { check } = setup({ state: 'unavailable' }, 0, true);
    await expect(check.execute(request({}))).rejects.toMatchObject({ code: 'usage_store_unavailable', grpcStatus: GrpcStatus.UNAVAILABLE, retryable: true });
  });

  it('checks the period containing `at`, defaulting to now', async () => {
    const { check, storeCalls } = setup({ state: 'missing' });
    await check.execute(request({ at: '2026-01-01T00:30:00+01:00', period: QuotaPeriod.QUOTA_PERIOD_DAY }));
    await check.execute(request({ at: '2026-01-01T00:00:00Z', period: QuotaPeriod.QUOTA_PERIOD_MONTH, scope: QuotaScope.QUOTA_SCOPE_TENANT, scopeId: 'ignored' }));
    expect(storeCalls).toEqual([
      ['t1', 'project', 'p1', '2025-12-31'],
      ['t1', 'tenant', '', '2026-01'],
    ]);
  });

  it('validates tenant, scope, scope id, period and instant', async () => {
    const { check, storeCalls } = setup({ state: 'ready', tokens: 0 });
    const cases: [Partial<airlock.usage.v1.CheckQuotaRequest>, string][] = [
      [{ tenantId: ' ' }, 'usage_tenant_required'],
      [{ scope: QuotaScope.QUOTA_SCOPE_UNSPECIFIED }, 'usage_quota_scope_required'],
      [{ scope: 99 as airlock.usage.v1.QuotaScope }, 'usage_quota_scope_required'],
      [{ scope: QuotaScope.QUOTA_SCOPE_USER, scopeId: '' }, 'usage_quota_scope_id_required'],
      [{ period: QuotaPeriod.QUOTA_PERIOD_UNSPECIFIED }, 'usage_quota_period_required'],
      [{ at: '2026-01-01' }, 'usage_invalid_time'],
    ];
    for (const [fields, code] of cases) {
      await expect(check.execute(request(fields))).rejects.toMatchObject({ code, grpcStatus: GrpcStatus.INVALID_ARGUMENT });
    }
    expect(storeCalls).toHaveLength(0);
  });
});
