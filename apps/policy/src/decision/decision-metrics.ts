import { Injectable } from '@nestjs/common';
import { metrics } from '@airlock/telemetry';

export type DecisionLabel = 'allow' | 'deny' | 'unauthenticated' | 'unavailable';

/** `airlock_policy_decisions_total{decision,endpoint}`; endpoint is a rule prefix, never a raw path. */
@Injectable()
export class DecisionMetrics {
  // Created with the provider (after the SDK started), not at import: a meter taken earlier is a no-op.
  private readonly counter = metrics
    .getMeter('airlock-policy')
    .createCounter('airlock_policy_decisions_total', { description: 'Policy decisions, by outcome and endpoint rule prefix' });

  count(decision: DecisionLabel, endpoint: string): void {
    this.counter.add(1, { decision, endpoint });
  }
}
