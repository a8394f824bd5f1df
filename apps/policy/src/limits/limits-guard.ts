import { Inject, Injectable, Optional } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { APP_LOGGER } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import { ActiveBundle } from '../bundles/active-bundle';
import { CompiledLimits, type BucketRef, type BudgetRef } from './compiled-limits';
import type { BucketState } from './gcra';
import type { LimitsSection } from './limits-schema';
import { LimitMetrics } from './limit-metrics';
import { RateLimiter } from './rate-limiter';
import { TokenBudgets, type BudgetAnswer } from './token-budgets';

type Principal = airlock.identity.v1.Principal;
type Header = [name: string, value: string];

export interface LimitDenial {
  httpStatus: 429 | 503;
  code: 'rate_limited' | 'rate_limiter_unavailable' | 'token_budget_exceeded' | 'token_budget_unavailable';
  message: string;
  retryable: boolean;
  headers: Header[];
}

export type LimitVerdict = { allowed: true; responseHeaders: Header[] } | { allowed: false; denial: LimitDenial };

const NONE: LimitVerdict = { allowed: true, responseHeaders: [] };
const seconds = (us: number) => Math.ceil(us / 1_000_000);

/**
 * RateLimit-Policy and RateLimit (draft-ietf-httpapi-ratelimit-headers-11): one item per bucket the request was
 * counted in, named by the limit id. `r` is what is left now; `t` the seconds until it grows again — for a bucket
 * at 0 that is exactly Retry-After, as the draft asks (Retry-After not before the end of the effective window).
 */
export function rateLimitHeaders(refs: BucketRef[], states: BucketState[]): Header[] {
  if (refs.length === 0 || states.length !== refs.length) return [];
  return [
    ['ratelimit-policy', refs.map((r) => r.rule.policyItem).join(', ')],
    ['ratelimit', refs.map((r, i) => `"${r.rule.id}";r=${states[i].remaining};t=${seconds(states[i].restoreUs)}`).join(', ')],
  ];
}

/**
 * The bundle's `limits` for one request that policy has already allowed: rate limits first (one Redis script for
 * all buckets), then token budgets (usage's CheckQuota) — in that order so a flood that is rate limited costs usage
 * nothing. Denied and unauthenticated requests never reach it, so they spend no quota.
 */
@Injectable()
export class LimitsGuard {
  private compiledFor?: LimitsSection;
  private compiled = new CompiledLimits(undefined);

  constructor(
    private readonly active: ActiveBundle,
    private readonly limiter: RateLimiter,
    private readonly budgets: TokenBudgets,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    @Optional() private readonly metrics?: LimitMetrics,
  ) {}

  /** Compiled once per bundle version (the active bundle may be replaced at any time). */
  private limits(): CompiledLimits {
    const section = this.active.bundle.limits;
    if (section !== this.compiledFor) {
      this.compiled = new CompiledLimits(section);
      this.compiledFor = section;
    }
    return this.compiled;
  }

  /** The token budgets a request counts in (GetTokenBudgets): what enforce checks, without asking usage. */
  budgetsFor(principal: Principal, path: string, method: string): BudgetRef[] {
    return this.limits().budgets(principal, path, method);
  }

  async enforce(principal: Principal, path: string, method: string): Promise<LimitVerdict> {
    const limits = this.limits();
    if (limits.empty) return NONE;
    let responseHeaders: Header[] = [];
    const refs = limits.buckets(principal, path, method);
    if (refs.length > 0) {
      const result = await this.limiter.check(refs);
      if (result.source === 'unavailable') {
        const closed = refs.find((r) => r.rule.onStoreError === 'fail_closed')!;
        this.metrics?.count('store_unavailable_denied', closed.rule.id);
        return this.deny(503, 'rate_limiter_unavailable', `rate limiting is unavailable and limit "${closed.rule.id}" fails closed`, true, [['retry-after', '1']]);
      }
      if (result.source === 'local') this.metrics?.count('store_unavailable_local', refs[0].rule.id);
      const headers = rateLimitHeaders(refs, result.buckets);
      if (!result.admitted) {
        let worst = 0;
        result.buckets.forEach((b, i) => {
          if (b.waitUs > result.buckets[worst].waitUs) worst = i;
        });
        const rule = refs[worst].rule;
        const retryAfter = Math.max(1, seconds(result.buckets[worst].waitUs));
        this.metrics?.count('rate_limited', rule.id);
        this.logger.debug({ user_id: principal.userId, tenant_id: principal.tenantId, limit: rule.id, retry_after_s: retryAfter }, 'rate limited');
        return this.deny(429, 'rate_limited', `rate limit "${rule.id}" exceeded (${rule.summary}); retry in ${retryAfter} s`, true, [
          ['retry-after', String(retryAfter)],
          ...headers,
        ]);
      }
      responseHeaders = headers;
    }
    const budgetRefs = limits.budgets(principal, path, method);
    if (budgetRefs.length > 0) {
      const denial = this.budgetDenial(await this.budgets.check(budgetRefs));
      if (denial) return { allowed: false, denial: { ...denial, headers: [...denial.headers, ...responseHeaders] } };
    }
    return { allowed: true, responseHeaders };
  }

  private budgetDenial(answers: BudgetAnswer[]): LimitDenial | undefined {
    for (const answer of answers) {
      const { rule, scopeId } = answer.ref;
      if (!answer.quota) {
        if (rule.onUsageError === 'fail_open') {
          this.metrics?.count('usage_unavailable_admitted', rule.id);
          continue;
        }
        this.metrics?.count('usage_unavailable_denied', rule.id);
        return this.deny(503, 'token_budget_unavailable', `token budget "${rule.id}" cannot be checked now and fails closed`, true, [['retry-after', '1']]).denial;
      }
      const q = answer.quota;
      if (q.allowed) continue;
      const resetsAt = Date.parse(q.resetsAt);
      const retryAfter = Number.isNaN(resetsAt) ? 60 : Math.max(1, Math.ceil((resetsAt - Date.now()) / 1000));
      const whose = rule.scope === 'tenant' ? 'tenant' : `${rule.scope} ${scopeId}`;
      this.metrics?.count('budget_exceeded', rule.id);
      return this.deny(
        429,
        'token_budget_exceeded',
        `token budget "${rule.id}" of ${whose} is used up for ${q.periodKey}: ${q.usedTokens} of ${q.limitTokens} tokens; it resets at ${q.resetsAt}`,
        false,
        [['retry-after', String(retryAfter)]],
      ).denial;
    }
    return undefined;
  }

  private deny(httpStatus: 429 | 503, code: LimitDenial['code'], message: string, retryable: boolean, headers: Header[]): { allowed: false; denial: LimitDenial } {
    return { allowed: false, denial: { httpStatus, code, message, retryable, headers } };
  }
}

/** Providers of rate limits and token budgets, listed in AppModule. */
export const LIMITS_PROVIDERS = [RateLimiter, TokenBudgets, LimitMetrics, LimitsGuard];
