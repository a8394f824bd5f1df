import type { airlock } from '@airlock/contracts';
import { endpointPath, prefixMatches } from '../decision/policy-engine';
import type { KeyDimension, LimitMatch, LimitsSection, StoreErrorMode, TokenBudgetRule, UsageErrorMode } from './limits-schema';

type Principal = airlock.identity.v1.Principal;

/** A rate limit ready for the hot path. */
export interface RateRule {
  id: string;
  match?: LimitMatch;
  key: readonly KeyDimension[];
  /** GCRA emission interval: µs between requests at the sustained rate (an integer, so the script's arithmetic is exact). */
  intervalUs: number;
  burst: number;
  onStoreError: StoreErrorMode;
  /** This rule's RateLimit-Policy item; constant for the bundle version. */
  policyItem: string;
  /** For messages: "10 requests per 60 s, burst 5". */
  summary: string;
}

export interface BudgetRule extends TokenBudgetRule {
  onUsageError: UsageErrorMode;
}

/** One bucket a request is counted in. */
export interface BucketRef {
  rule: RateRule;
  /** The part of the Redis key after the prefix; also the local limiter's key. */
  key: string;
}

export interface BudgetRef {
  rule: BudgetRule;
  tenantId: string;
  scopeId: string;
}

const VALUE: Record<KeyDimension, (p: Principal) => string> = {
  tenant: (p) => p.tenantId,
  user: (p) => p.userId || p.subject,
  project: (p) => p.projectId,
  workspace: (p) => p.workspaceId,
};

const matches = (match: LimitMatch | undefined, path: string, method: string) =>
  !match || (prefixMatches(match.pathPrefix, path) && (!match.methods || (match.methods as string[]).includes(method)));

/**
 * RateLimit-Policy item (draft-ietf-httpapi-ratelimit-headers-11 §3.1) for a GCRA bucket: the `burst` requests a
 * full bucket admits at once, over the seconds it takes to refill (rounded up, so a client keeping to it is never
 * throttled).
 */
function policyItem(id: string, intervalUs: number, burst: number): string {
  const window = Math.max(1, Math.ceil((intervalUs * burst) / 1_000_000));
  return `"${id}";q=${burst};w=${window}`;
}

/**
 * A bundle's limits section compiled once per bundle version: which buckets and budgets a request counts in.
 * Limits are cumulative (every matching rule applies, unlike the authorization rules where the most specific governs).
 */
export class CompiledLimits {
  readonly rateRules: RateRule[];
  readonly budgetRules: BudgetRule[];

  constructor(section: LimitsSection | undefined) {
    const storeDefault = section?.onStoreError ?? 'fail_open_local';
    const usageDefault = section?.onUsageError ?? 'fail_open';
    this.rateRules = (section?.rateLimits ?? []).map((r) => {
      const intervalUs = Math.max(1, Math.round((r.rate.perSeconds * 1_000_000) / r.rate.requests));
      return {
        id: r.id,
        match: r.match,
        key: r.key,
        intervalUs,
        burst: r.burst,
        onStoreError: r.onStoreError ?? storeDefault,
        policyItem: policyItem(r.id, intervalUs, r.burst),
        summary: `${r.rate.requests} requests per ${r.rate.perSeconds} s, burst ${r.burst}`,
      };
    });
    this.budgetRules = (section?.tokenBudgets ?? []).map((b) => ({ ...b, onUsageError: b.onUsageError ?? usageDefault }));
  }

  get empty(): boolean {
    return this.rateRules.length === 0 && this.budgetRules.length === 0;
  }

  /**
   * The buckets of a request. The tenant leads every key inside a Redis hash tag, so all buckets of one request
   * live in one slot (one script may touch them all, even on a Cluster). Values are URI-encoded: ":" and "{"
   * cannot be forged into a key. A rule keyed by an attribute the principal lacks (an unscoped token has no
   * project) does not count the request.
   */
  buckets(principal: Principal, rawPath: string, method: string): BucketRef[] {
    if (this.rateRules.length === 0) return [];
    const path = endpointPath(rawPath);
    if (path === undefined) return [];
    const verb = method.toUpperCase();
    const tenant = encodeURIComponent(principal.tenantId);
    const refs: BucketRef[] = [];
    for (const rule of this.rateRules) {
      if (!matches(rule.match, path, verb)) continue;
      let key = `{${tenant}}:${rule.id}`;
      let complete = true;
      for (const dim of rule.key) {
        const value = VALUE[dim](principal);
        if (!value) {
          complete = false;
          break;
        }
        key += `:${encodeURIComponent(value)}`;
      }
      if (complete) refs.push({ rule, key });
    }
    return refs;
  }

  budgets(principal: Principal, rawPath: string, method: string): BudgetRef[] {
    if (this.budgetRules.length === 0) return [];
    const path = endpointPath(rawPath);
    if (path === undefined || !principal.tenantId) return [];
    const verb = method.toUpperCase();
    const refs: BudgetRef[] = [];
    for (const rule of this.budgetRules) {
      if (!matches(rule.match, path, verb)) continue;
      const scopeId = rule.scope === 'tenant' ? principal.tenantId : VALUE[rule.scope](principal);
      if (scopeId) refs.push({ rule, tenantId: principal.tenantId, scopeId });
    }
    return refs;
  }
}
