import { Injectable } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { ActiveBundle } from '../bundles/active-bundle';
import type { PolicyInput } from './policy-engine';
import { DecisionMetrics } from './decision-metrics';

type RequestContext = airlock.policy.v1.RequestContext;

/** The engine's input from a RequestContext (proto3 defaults: '' = absent). */
export function policyInput(context: RequestContext | undefined): PolicyInput {
  return {
    principal: context?.principal,
    endpoint: context?.endpoint ?? '',
    method: context?.method ?? '',
    clientIp: context?.clientIp ?? '',
    branch: context?.branch ?? '',
    requestedModel: context?.requestedModel || undefined,
  };
}

/** One authorization decision for a request context; counted. */
@Injectable()
export class Decide {
  constructor(
    private readonly active: ActiveBundle,
    private readonly metrics: DecisionMetrics,
  ) {}

  execute(context: RequestContext | undefined): airlock.policy.v1.DecideResponse {
    const { decision, endpoint } = this.active.engine.evaluate(policyInput(context));
    this.metrics.count(decision.allow ? 'allow' : 'deny', endpoint);
    return { decision };
  }
}

/** The decision Decide would make, with its reasons spelled out; no counters, no audit, no other effect. */
@Injectable()
export class Simulate {
  constructor(private readonly active: ActiveBundle) {}

  execute(context: RequestContext | undefined): airlock.policy.v1.SimulateResponse {
    const engine = this.active.engine;
    const { decision, explanations } = engine.evaluate(policyInput(context), true);
    return { decision, explanations: [`policy bundle ${engine.version}`, ...explanations] };
  }
}

/** The model aliases a principal may name anywhere (the gateway's model list); no side effects. */
@Injectable()
export class ListModels {
  constructor(private readonly active: ActiveBundle) {}

  execute(context: RequestContext | undefined): airlock.policy.v1.ListModelsResponse {
    const engine = this.active.engine;
    const input = policyInput(context);
    return { policyVersion: engine.version, models: engine.modelsFor(input.principal, input) };
  }
}
