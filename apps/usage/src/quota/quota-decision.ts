export type QuotaReason = 'within_budget' | 'budget_exhausted' | 'exceeds_remaining';

export interface QuotaDecision {
  allowed: boolean;
  reasonCode: QuotaReason;
  remainingTokens: number;
}

/**
 * A request may proceed while the budget is not exhausted and what it asks for fits in what remains. Asking
 * for 0 tokens therefore means "is anything left?": a spent budget denies even that.
 */
export function decideQuota(limitTokens: number, requestedTokens: number, usedTokens: number): QuotaDecision {
  const remainingTokens = Math.max(0, limitTokens - usedTokens);
  if (remainingTokens === 0) return { allowed: false, reasonCode: 'budget_exhausted', remainingTokens };
  if (requestedTokens > remainingTokens) return { allowed: false, reasonCode: 'exceeds_remaining', remainingTokens };
  return { allowed: true, reasonCode: 'within_budget', remainingTokens };
}
