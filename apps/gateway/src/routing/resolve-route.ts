import { ModelNotAllowedError, NoRouteError } from '../gateway.errors';
import type { CallerContext, Route } from '../identity/trusted-identity';

/**
 * The route for this request: the client's `model` must be an alias policy allows here (or the routed
 * model's own name); without one, the policy's route. The client never reaches a model policy did not name.
 */
export function resolveRoute(caller: Pick<CallerContext, 'aliases' | 'policyRoute'>, endpoint: string, requested?: string): Route {
  if (requested) {
    const hit = caller.aliases.find((a) => a.alias === requested) ?? (caller.policyRoute?.model === requested ? caller.policyRoute : undefined);
    if (!hit) throw new ModelNotAllowedError(requested, caller.aliases.map((a) => a.alias));
    return { backend: hit.backend, model: hit.model };
  }
  const route = caller.policyRoute ?? caller.aliases[0];
  if (!route) throw new NoRouteError(endpoint);
  return { backend: route.backend, model: route.model };
}
