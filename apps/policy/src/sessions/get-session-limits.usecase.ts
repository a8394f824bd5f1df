import { Injectable } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { InvalidArgumentError } from '@airlock/runtime';
import { ActiveBundle } from '../bundles/active-bundle';
import type { PolicyErrorCode } from '../error-codes';
import { type SessionExceedAction, type SessionLimit, type SessionsSection } from './sessions-schema';

export class InvalidTenantError extends InvalidArgumentError<PolicyErrorCode> {
  constructor() {
    super('invalid_tenant', 'tenant_id must be 1-256 visible ASCII characters');
  }
}

const Action = airlock.policy.v1.SessionLimitAction;
const ACTIONS: Record<SessionExceedAction, airlock.policy.v1.SessionLimitAction> = {
  deny: Action.SESSION_LIMIT_ACTION_DENY,
  evict_oldest: Action.SESSION_LIMIT_ACTION_EVICT_OLDEST,
};

// Any tenant id identity can map a login to (its ID_PATTERN); one the bundle cannot name gets the default.
export const REQUEST_TENANT_ID = /^[\x21-\x7e]{1,256}$/;

/** The entry that applies to a tenant and its rule id: its own entry (replacing the default), the default, or none. */
export function sessionLimitFor(section: SessionsSection | undefined, tenantId: string): { ruleId: string; limit: SessionLimit } | undefined {
  if (!section) return undefined;
  if (Object.hasOwn(section.tenants, tenantId)) return { ruleId: `sessions.tenants.${tenantId}`, limit: section.tenants[tenantId] };
  return section.default ? { ruleId: 'sessions.default', limit: section.default } : undefined;
}

/** PolicyService.GetSessionLimits: the active version's session limits for one tenant (identity enforces them). */
@Injectable()
export class GetSessionLimits {
  constructor(private readonly active: ActiveBundle) {}

  execute(request: airlock.policy.v1.GetSessionLimitsRequest): airlock.policy.v1.GetSessionLimitsResponse {
    if (!REQUEST_TENANT_ID.test(request.tenantId)) throw new InvalidTenantError();
    const bundle = this.active.bundle;
    const found = sessionLimitFor(bundle.sessions, request.tenantId);
    const maxPerUser = found?.limit.maxPerUser ?? 0;
    return {
      policyVersion: bundle.version,
      ruleId: found?.ruleId ?? '',
      maxPerUser,
      maxPerTenant: found?.limit.maxPerTenant ?? 0,
      onExceed: maxPerUser > 0 ? ACTIONS[found?.limit.onExceed ?? 'deny'] : Action.SESSION_LIMIT_ACTION_UNSPECIFIED,
    };
  }
}
