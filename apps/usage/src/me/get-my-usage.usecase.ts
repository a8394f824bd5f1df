import { Injectable } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import type { EdgeIdentity } from '@airlock/runtime';
import { BudgetUnavailableError, InvalidDaysError, usageStoreError } from '../errors';
import { windowOf } from '../metering/period';
import { CheckQuota, SCOPES } from '../quota/check-quota.usecase';
import { UsageStore } from '../store/usage-store';
import { PolicyBudgets } from './policy-budgets';

const { QuotaPeriod } = airlock.usage.v1;

export const DEFAULT_DAYS = 30;
export const MAX_DAYS = 90;
const DAY_MS = 86_400_000;

export interface MyUsage {
  days: { date: string; model: string; prompt_tokens: number; completion_tokens: number }[];
  budget: {
    /** null: no daily budget applies to the caller's AI requests. */
    limit_tokens: number | null;
    /** Today's tokens (UTC) of the budget's scope, or the caller's own when no budget applies. */
    used_tokens: number;
    remaining_tokens: number | null;
    period: 'day';
    /** The bundle's budget id and whose budget it is (`project`, `user`…); null without a budget. */
    id: string | null;
    scope: string | null;
  };
}

/** `days` from the query: absent is the default; anything but a whole number 1..MAX_DAYS is refused. */
export function parseDays(value: unknown): number {
  if (value === undefined || value === '') return DEFAULT_DAYS;
  const days = typeof value === 'string' && /^\d{1,3}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) throw new InvalidDaysError(MAX_DAYS);
  return days;
}

/**
 * `GET /api/usage/v1/me`: the caller's own tokens per UTC day and model, and the daily token budget its AI
 * requests count in. Budgets are policy's (GetTokenBudgets); what is used of them is this service's own
 * CheckQuota answer, so the page and the edge agree. With several daily budgets, the one with the least left
 * is shown: it is the one that stops the caller first.
 */
@Injectable()
export class GetMyUsage {
  constructor(
    private readonly store: UsageStore,
    private readonly policy: PolicyBudgets,
    private readonly quota: CheckQuota,
  ) {}

  async execute(caller: EdgeIdentity, days: number, now = new Date()): Promise<MyUsage> {
    const to = windowOf('day', now).key;
    const from = windowOf('day', new Date(now.getTime() - (days - 1) * DAY_MS)).key;
    const perDay = this.store.userDays(caller.tenantId, caller.userId, from, to).catch((error: unknown) => Promise.reject(usageStoreError(error)));
    const [rows, budget] = await Promise.all([perDay, this.budget(caller, now)]);
    return {
      days: rows.map((r) => ({ date: r.day, model: r.model, prompt_tokens: r.promptTokens, completion_tokens: r.completionTokens })),
      budget,
    };
  }

  private async budget(caller: EdgeIdentity, now: Date): Promise<MyUsage['budget']> {
    const budgets = await this.policy.forCaller(caller).catch((error: unknown) => Promise.reject(new BudgetUnavailableError(error)));
    const daily = budgets.filter((b) => b.period === QuotaPeriod.QUOTA_PERIOD_DAY);
    if (daily.length === 0) {
      const used = await this.store.usedTokens(caller.tenantId, 'user', caller.userId, windowOf('day', now)).catch((error: unknown) => Promise.reject(usageStoreError(error)));
      return { limit_tokens: null, used_tokens: used, remaining_tokens: null, period: 'day', id: null, scope: null };
    }
    const answers = await Promise.all(
      daily.map(async (b) => ({
        budget: b,
        quota: await this.quota.execute({ tenantId: caller.tenantId, scope: b.scope, scopeId: b.scopeId, period: b.period, limitTokens: b.limitTokens, requestedTokens: 0, at: '' }, now),
      })),
    );
    const tightest = answers.reduce((a, b) => (b.quota.remainingTokens < a.quota.remainingTokens ? b : a));
    return {
      limit_tokens: tightest.budget.limitTokens,
      used_tokens: tightest.quota.usedTokens,
      remaining_tokens: tightest.quota.remainingTokens,
      period: 'day',
      id: tightest.budget.id,
      scope: SCOPES.get(tightest.budget.scope) ?? null,
    };
  }
}
