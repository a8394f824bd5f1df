import { Injectable } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { BudgetUnavailableError, usageStoreError } from '../errors';
import { windowOf } from '../metering/period';
import { PolicyBudgets } from '../me/policy-budgets';
import { CheckQuota, SCOPES } from '../quota/check-quota.usecase';
import { UsageStore } from '../store/usage-store';
import type { ReportScope } from './report-query';

const { QuotaPeriod } = airlock.usage.v1;

/** Projects whose budgets one answer covers: those with usage this month, bytewise first. */
export const MAX_BUDGET_PROJECTS = 200;

export interface BudgetStanding {
  id: string;
  scope: string;
  /** The tenant or project id whose budget it is. */
  scope_id: string;
  period: 'day' | 'month';
  limit_tokens: number;
  used_tokens: number;
  remaining_tokens: number;
  /** The next period's first instant (UTC): when `used_tokens` starts again from 0. */
  resets_at: string;
}

export interface BudgetStandings {
  /** false without POLICY_ADDR: this service cannot know the budgets (none are listed, rather than none existing). */
  configured: boolean;
  budgets: BudgetStanding[];
}

/**
 * `GET /api/usage/v1/reports/budgets`: the tenant's and its projects' token budgets from policy's active bundle
 * (GetTokenBudgets, as a request in each project would count), each with what is used and left now by this
 * service's own CheckQuota — the numbers the edge enforces. Per-user and per-workspace budgets are a person's
 * own (their `/me` shows them), not a project's standing.
 */
@Injectable()
export class GetBudgetStanding {
  constructor(
    private readonly store: UsageStore,
    private readonly policy: PolicyBudgets,
    private readonly quota: CheckQuota,
  ) {}

  async execute(scope: ReportScope, now = new Date()): Promise<BudgetStandings> {
    if (!this.policy.configured) return { configured: false, budgets: [] };
    const projects = scope.projectIds ?? (await this.projectsWithUsage(scope.tenantId, now));
    // '' alone: a tenant without usage yet still has its tenant-wide budgets.
    const asked = projects.length > 0 ? projects : [''];
    const perProject = await Promise.all(
      asked.map((projectId) => this.policy.forProject(scope.tenantId, projectId).catch((error: unknown) => Promise.reject(new BudgetUnavailableError(error)))),
    );
    const unique = new Map<string, airlock.policy.v1.TokenBudget>();
    for (const budget of perProject.flat()) unique.set(`${budget.id}\u0000${budget.scopeId}`, budget);
    const standings = await Promise.all(
      [...unique.values()].map(async (b): Promise<BudgetStanding> => {
        const q = await this.quota.execute({ tenantId: scope.tenantId, scope: b.scope, scopeId: b.scopeId, period: b.period, limitTokens: b.limitTokens, requestedTokens: 0, at: '' }, now);
        return {
          id: b.id,
          scope: SCOPES.get(b.scope) ?? 'tenant',
          scope_id: b.scopeId,
          period: b.period === QuotaPeriod.QUOTA_PERIOD_MONTH ? 'month' : 'day',
          limit_tokens: b.limitTokens,
          used_tokens: q.usedTokens,
          remaining_tokens: q.remainingTokens,
          resets_at: q.resetsAt,
        };
      }),
    );
    // The tenant's first, then projects by id: a stable order a person can scan.
    const rank = (s: BudgetStanding) => (s.scope === 'tenant' ? 0 : 1);
    standings.sort((a, b) => rank(a) - rank(b) || (a.scope_id < b.scope_id ? -1 : a.scope_id > b.scope_id ? 1 : 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { configured: true, budgets: standings };
  }

  private projectsWithUsage(tenantId: string, now: Date): Promise<string[]> {
    return this.store.projectsWithUsage(tenantId, windowOf('month', now).key, MAX_BUDGET_PROJECTS).catch((error: unknown) => Promise.reject(usageStoreError(error)));
  }
}
