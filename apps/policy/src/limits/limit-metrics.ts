import { Injectable } from '@nestjs/common';
import { metrics } from '@airlock/telemetry';

export type LimitOutcome = 'rate_limited' | 'budget_exceeded' | 'store_unavailable_denied' | 'store_unavailable_local' | 'usage_unavailable_denied' | 'usage_unavailable_admitted';

/** `airlock_policy_limit_outcomes_total{outcome,rule}`: every request a limit denied or that took an outage path. */
@Injectable()
export class LimitMetrics {
  // Created with the provider (after the SDK started): a meter taken at import would be a no-op.
  private readonly counter = metrics
    .getMeter('airlock-policy')
    .createCounter('airlock_policy_limit_outcomes_total', { description: 'Rate-limit and token-budget denials and outage fallbacks, by outcome and limit id' });

  count(outcome: LimitOutcome, rule: string): void {
    this.counter.add(1, { outcome, rule });
  }
}
