import { airlock } from '@airlock/contracts';
import { createLogger } from '@airlock/telemetry';
import { ActiveBundle } from '../bundles/active-bundle';
import { DEFAULT_BUNDLE_FILE, loadBundleFile } from '../bundles/bundle';
import { GetTokenBudgets } from './get-token-budgets.usecase';
import { LimitsGuard } from './limits-guard';

const { PrincipalKind } = airlock.identity.v1;
const { QuotaScope, QuotaPeriod } = airlock.usage.v1;
const alice = { subject: 'alice', userId: 'alice', tenantId: 'acme', projectId: 'payments', workspaceId: '', roles: ['developer'], kind: PrincipalKind.PRINCIPAL_KIND_USER };
const logger = createLogger('policy-test', 'silent' as never);

function useCase(edit?: (bundle: ReturnType<typeof loadBundleFile>) => void): GetTokenBudgets {
  const bundle = loadBundleFile(DEFAULT_BUNDLE_FILE);
  edit?.(bundle);
  const active = new ActiveBundle({ POLICY_BUNDLE_FILE: { path: 'test.json', bundle } } as never);
  // Selecting budgets neither limits nor asks usage: the limiter and usage client are not reached.
  return new GetTokenBudgets(active, new LimitsGuard(active, {} as never, {} as never, logger));
}
const request = (principal: typeof alice, endpoint = '/v1/chat/completions', method = 'POST') => ({
  context: { principal, endpoint, method, clientIp: '', correlationId: '', branch: '', requestedModel: '' },
});

describe('GetTokenBudgets', () => {
  it("names the default bundle's daily project budget for a developer's AI request, with the active version", () => {
    expect(useCase().execute(request(alice))).toEqual({
      policyVersion: '2026.11.21-1',
      budgets: [{ id: 'tb.project.day', scope: QuotaScope.QUOTA_SCOPE_PROJECT, scopeId: 'payments', period: QuotaPeriod.QUOTA_PERIOD_DAY, limitTokens: 20_000_000 }],
    });
  });

  it('selects as the edge does: by path and method, and not for a principal without the scope id', () => {
    const budgets = useCase((b) => {
      b.limits!.tokenBudgets.push({ id: 'tb.user.month', scope: 'user', period: 'month', limitTokens: 500_000, match: { pathPrefix: '/v1/chat', methods: ['POST'] } });
    });
    expect(budgets.execute(request(alice)).budgets.map((b) => [b.id, b.scopeId])).toEqual([
      ['tb.project.day', 'payments'],
      ['tb.user.month', 'alice'],
    ]);
    expect(budgets.execute(request(alice, '/v1/chat/completions', 'GET')).budgets.map((b) => b.id)).toEqual(['tb.project.day']);
    expect(budgets.execute(request({ ...alice, projectId: '' })).budgets.map((b) => b.id)).toEqual(['tb.user.month']);
    expect(budgets.execute(request(alice, '/api/policy/v1/bundles', 'GET')).budgets).toEqual([]);
  });

  it('refuses a context without a tenant or an endpoint', () => {
    expect(() => useCase().execute(request({ ...alice, tenantId: '' }))).toThrow(expect.objectContaining({ code: 'invalid_request' }));
    expect(() => useCase().execute(request(alice, ''))).toThrow(expect.objectContaining({ code: 'invalid_request' }));
    expect(() => useCase().execute({ context: undefined })).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });
});
