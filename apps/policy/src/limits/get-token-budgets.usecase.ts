import { Injectable } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { InvalidArgumentError } from '@airlock/runtime';
import { ActiveBundle } from '../bundles/active-bundle';
import { LimitsGuard } from './limits-guard';
import { QUOTA_PERIODS, QUOTA_SCOPES } from './token-budgets';

/**
 * PolicyService.GetTokenBudgets: the active version's token budgets a request of this context would count in
 * — the same selection ext_authz makes before it asks usage — so usage can show a person their budget.
 */
@Injectable()
export class GetTokenBudgets {
  constructor(
    private readonly active: ActiveBundle,
    private readonly limits: LimitsGuard,
  ) {}

  execute(request: airlock.policy.v1.GetTokenBudgetsRequest): airlock.policy.v1.GetTokenBudgetsResponse {
    const context = request.context;
    if (!context?.principal?.tenantId) throw new InvalidArgumentError('invalid_request', 'context.principal with a tenant_id is required');
    if (!context.endpoint) throw new InvalidArgumentError('invalid_request', 'context.endpoint is required');
    // Read before selecting: a version activated in between must not label the previous one's budgets.
    const policyVersion = this.active.bundle.version;
    const budgets = this.limits.budgetsFor(context.principal, context.endpoint, context.method).map(({ rule, scopeId }) => ({
      id: rule.id,
      scope: QUOTA_SCOPES[rule.scope],
      scopeId,
      period: QUOTA_PERIODS[rule.period],
      limitTokens: rule.limitTokens,
    }));
    return { policyVersion, budgets };
  }
}
