import { decideQuota } from './quota-decision';

describe('decideQuota', () => {
  it('allows what fits in the remaining budget, up to the last token', () => {
    expect(decideQuota(100, 10, 0)).toEqual({ allowed: true, reasonCode: 'within_budget', remainingTokens: 100 });
    expect(decideQuota(100, 10, 90)).toEqual({ allowed: true, reasonCode: 'within_budget', remainingTokens: 10 });
    expect(decideQuota(100, 0, 99)).toEqual({ allowed: true, reasonCode: 'within_budget', remainingTokens: 1 });
  });

  it('denies a request larger than what remains', () => {
    expect(decideQuota(100, 11, 90)).toEqual({ allowed: false, reasonCode: 'exceeds_remaining', remainingTokens: 10 });
  });

  it('denies everything once the budget is spent or overshot, and never reports a negative remainder', () => {
    expect(decideQuota(100, 0, 100)).toEqual({ allowed: false, reasonCode: 'budget_exhausted', remainingTokens: 0 });
    expect(decideQuota(100, 1, 250)).toEqual({ allowed: false, reasonCode: 'budget_exhausted', remainingTokens: 0 });
  });

  it('treats a zero limit as no budget at all', () => {
    expect(decideQuota(0, 0, 0)).toMatchObject({ allowed: false, reasonCode: 'budget_exhausted' });
  });
});
