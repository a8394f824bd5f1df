import { Injectable } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { ActiveBundle } from '../bundle/active-bundle';
import { DecisionMetrics } from './decision-metrics';

type RequestContext = airlock.policy.v1.RequestContext;

/** One authorization decision for a request context; counted. */
@Injectable()
export class Decide {
  constructor(
    private readonly active: ActiveBundle,
    private readonly metrics: DecisionMetrics,
  ) {}

  execute(context: RequestContext | undefined): airlock.policy.v1.DecideResponse {
    const { decision, endpoint } = this.active.engine.evaluate({
      principal: context?.principal,
      endpoint: context?.endpoint ?? '',
      method: context?.method ?? '',
    });
    this.metrics.count(decision.allow ? 'allow' : 'deny', endpoint);
    return { decision };
  }
}

/** The decision Decide would make, with its reasons spelled out; no counters, no audit, no other effect. */
@Injectable()
export class Simulate {
  constructor(private readonly active: ActiveBundle) {}

  execute(context: RequestContext | undefined): airlock.policy.v1.SimulateResponse {
    const { decision, explanations } = this.active.engine.evaluate(
      { principal: context?.principal, endpoint: context?.endpoint ?? '', method: context?.method ?? '' },
      true,
    );
    return { decision, explanations: [`policy bundle ${this.active.bundle.version}`, ...explanations] };
  }
}
