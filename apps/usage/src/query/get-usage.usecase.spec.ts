import { GrpcStatus } from '@airlock/runtime';
import type { UsageScope, UsageStore } from '../store/usage-store';
import { GetUsage, InvalidPeriodError, TenantRequiredError } from './get-usage.usecase';

function setup() {
  const scopes: UsageScope[] = [];
  const store = { totals: async (scope: UsageScope) => (scopes.push(scope), { requests: 3, promptTokens: 30, completionTokens: 12 }) };
  return { scopes, getUsage: new GetUsage(store as unknown as UsageStore) };
}

const request = (fields: Partial<{ tenantId: string; projectId: string; userId: string; period: string; workspaceId: string; model: string }>) => ({
  tenantId: '',
  projectId: '',
  userId: '',
  period: '',
  workspaceId: '',
  model: '',
  ...fields,
});

describe('GetUsage', () => {
  it('refuses a request without tenant_id as INVALID_ARGUMENT', async () => {
    const { getUsage, scopes } = setup();
    for (const tenantId of ['', '   ']) {
      const error = await getUsage.execute(request({ tenantId })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TenantRequiredError);
      expect(error).toMatchObject({ code: 'usage_tenant_required', grpcStatus: GrpcStatus.INVALID_ARGUMENT });
    }
    expect(scopes).toHaveLength(0);
  });

  it('refuses a malformed period', async () => {
    const { getUsage } = setup();
    for (const period of ['2026-13', '2026-1', 'March', '2026-02-30', '2026-03-1']) {
      await expect(getUsage.execute(request({ tenantId: 't1', period }))).rejects.toBeInstanceOf(InvalidPeriodError);
    }
  });

  it('defaults to the current UTC month and queries every project and user', async () => {
    const { getUsage, scopes } = setup();
    const response = await getUsage.execute(request({ tenantId: 't1' }), new Date('2026-05-31T23:59:00Z'));
    expect(response).toEqual({ period: '2026-05', requests: 3, promptTokens: 30, completionTokens: 12 });
    expect(scopes).toEqual([{ tenantId: 't1', projectId: '', userId: '', workspaceId: '', model: '', period: '2026-05' }]);
  });

  it('passes the narrowing fields through', async () => {
    const { getUsage, scopes } = setup();
    await getUsage.execute(request({ tenantId: 't1', projectId: 'p1', userId: 'u1', workspaceId: 'w1', model: 'm1', period: '2025-12' }));
    await getUsage.execute(request({ tenantId: 't1', period: '2025-12-31' }));
    expect(scopes).toEqual([
      { tenantId: 't1', projectId: 'p1', userId: 'u1', workspaceId: 'w1', model: 'm1', period: '2025-12' },
      { tenantId: 't1', projectId: '', userId: '', workspaceId: '', model: '', period: '2025-12-31' },
    ]);
  });
});
