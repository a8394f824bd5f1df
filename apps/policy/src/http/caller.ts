import type { IncomingHttpHeaders } from 'node:http';
import type { PrincipalKind } from '@airlock/identity-assertion';
import { AppError, GrpcStatus } from '@airlock/runtime';
import type { PolicyEdgeCaller } from '../authz/edge-identity.module';
import type { PolicyErrorCode } from '../error-codes';

export class RoleRequiredError extends AppError<PolicyErrorCode> {
  constructor(roles: readonly string[]) {
    super('forbidden', `this needs the role ${roles.join(' or ')}`, { httpStatus: 403, grpcStatus: GrpcStatus.PERMISSION_DENIED });
  }
}

/** Who calls the Policy API: the identity policy's own ext_authz asserted in `x-airlock-identity`. */
export interface Caller {
  userId: string;
  tenantId: string;
  roles: string[];
  kind: PrincipalKind;
}

/** Policy changes: security administrators only. */
export const WRITERS = ['security-admin'] as const;
/** Reading bundles, versions, drafts and diffs: security administrators and auditors. */
export const READERS = ['security-admin', 'auditor'] as const;

/**
 * The verified caller (401 `unauthenticated` without a valid assertion: the plain x-user-id/x-airlock-roles
 * headers are never read), required to hold one of `roles`. Enforced here as well as by the bundle's
 * api.policy.* rules at the edge, so a bundle edit cannot open policy changes to other roles.
 */
export async function callerFrom(edge: PolicyEdgeCaller, req: { headers: IncomingHttpHeaders }, roles: readonly string[]): Promise<Caller> {
  return authorize(await edge.callerFrom(req), roles);
}

/** The caller `identity` names, required to hold one of `roles`; the gRPC API (admin/) checks its callers with it too. */
export function authorize(identity: Caller, roles: readonly string[]): Caller {
  if (!identity.roles.some((r) => roles.includes(r))) throw new RoleRequiredError(roles);
  return { userId: identity.userId, tenantId: identity.tenantId, roles: identity.roles, kind: identity.kind };
}
