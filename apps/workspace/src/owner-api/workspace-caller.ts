import type { IncomingHttpHeaders } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { EdgeCaller } from '@airlock/runtime';
import { currentCorrelationId } from '@airlock/telemetry';
import type { CallContext } from '../audit/workspace-audit';

/** Who calls the owner API: the identity policy's ext_authz asserted in `x-airlock-identity`, nothing else. */
export interface WorkspaceCaller {
  userId: string;
  tenantId: string;
  /** '' when the credential is not scoped to a project (identity scopes a principal to its only project). */
  projectId: string;
  roles: string[];
  /** How the edge authenticated the call: the browser's session cookie or a bearer token. */
  auth: 'session' | 'token';
}

/** The verified caller; UnauthenticatedError (401) without a valid assertion, whatever plain headers say. */
export async function workspaceCaller(edge: EdgeCaller, req: { headers: IncomingHttpHeaders }): Promise<WorkspaceCaller> {
  const { userId, tenantId, projectId, roles, auth } = await edge.callerFrom(req);
  // An assertion without `auth` predates the claim: treated as a token, the narrower of the two.
  return { userId, tenantId, projectId, roles, auth: auth ?? 'token' };
}

/** The audit context of an owner API call: the caller is the actor; `endpoint` names the HTTP route. */
export function callContext(caller: WorkspaceCaller, endpoint: string): CallContext {
  return { actor: caller.userId, correlationId: currentCorrelationId() ?? randomUUID(), endpoint };
}
