// Who may open /w/<workspace-id>/: the owner, or a holder of an admin role in the same tenant. The caller is
// the one policy's ext_authz asserted in the signed x-airlock-identity header (verified by the runtime's
// EdgeCaller in browser-route.ts); the plain x-user-id/x-tenant-id headers are never read.

export interface Caller {
  userId: string;
  tenantId: string;
  roles: string[];
}

export interface RouteTarget {
  tenantId: string;
  ownerUserId: string;
  deleted: boolean;
}

export type Access = { allow: true } | { allow: false; status: 401 | 403 | 404; code: string; message: string };

/** `/w/<id>` or `/w/<id>/rest…` → id and the upstream path (`/rest…`, query kept); undefined otherwise. */
export function parseRoute(url: string): { workspaceId: string; upstreamPath: string; bare: boolean } | undefined {
  const match = /^\/w\/(ws_[a-z0-9]{20})(\/[^?#]*)?(\?[^#]*)?$/.exec(url);
  if (!match) return undefined;
  const [, workspaceId, rest, query] = match as unknown as [string, string, string | undefined, string | undefined];
  return { workspaceId, upstreamPath: `${rest ?? '/'}${query ?? ''}`, bare: rest === undefined };
}

/** `caller` undefined: no verified identity on the request (it did not come through the edge). */
export function decideAccess(caller: Caller | undefined, target: RouteTarget | undefined, adminRoles: readonly string[]): Access {
  if (!caller) return { allow: false, status: 401, code: 'unauthenticated', message: 'no verified identity on the request (the route is only reachable through the edge)' };
  // Another tenant's workspace does not exist for this caller: same answer as an unknown id.
  if (!target || target.deleted || target.tenantId !== caller.tenantId) {
    return { allow: false, status: 404, code: 'workspace_not_found', message: 'no such workspace' };
  }
  if (target.ownerUserId === caller.userId) return { allow: true };
  if (caller.roles.some((r) => adminRoles.includes(r))) return { allow: true };
  return { allow: false, status: 403, code: 'workspace_forbidden', message: 'only the owner or an administrator may open this workspace' };
}
