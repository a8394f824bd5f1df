import type { Request } from 'express';
import { MissingIdentityError, NoRouteError } from '../gateway.errors';

export interface CallerContext {
  userId: string;
  tenantId: string;
  projectId: string;
  workspaceId: string;
  clientIp: string;
  policyVersion: string;
  route: { backend: string; model: string };
}

function header(req: Request, name: string): string {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/**
 * Identity and route as set by the edge: Envoy strips client-supplied copies of these headers and the
 * policy service's ext_authz answer sets them from the verified principal.
 */
export function callerFromEdge(req: Request, endpoint: string): CallerContext {
  const userId = header(req, 'x-user-id');
  const tenantId = header(req, 'x-tenant-id');
  if (!userId || !tenantId) throw new MissingIdentityError();
  const backend = header(req, 'x-airlock-route-backend');
  const model = header(req, 'x-airlock-route-model');
  if (!backend || !model) throw new NoRouteError(endpoint);
  return {
    userId,
    tenantId,
    projectId: header(req, 'x-project-id'),
    workspaceId: header(req, 'x-workspace-id'),
    // Envoy (use_remote_address) appends the real peer as the last X-Forwarded-For entry.
    clientIp: header(req, 'x-forwarded-for').split(',').pop()?.trim() || req.socket.remoteAddress || '',
    policyVersion: header(req, 'x-airlock-policy-version'),
    route: { backend, model },
  };
}
