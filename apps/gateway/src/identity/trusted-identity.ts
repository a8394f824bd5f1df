import type { IncomingMessage } from 'node:http';
import { AUDIT_MODE_HEADER, MODEL_ALIASES_HEADER, POLICY_VERSION_HEADER, ROUTE_HEADERS } from '@airlock/identity-assertion';
import type { EdgeCaller } from '@airlock/runtime';

export interface Route {
  backend: string;
  model: string;
}

/** A client-visible model name and where policy sends it. */
export interface ModelAlias extends Route {
  alias: string;
}

export interface CallerContext {
  userId: string;
  tenantId: string;
  projectId: string;
  workspaceId: string;
  /** The assertion's roles and principal kind ("user" or "service_account"): what the RAG service authorises by. */
  roles: string[];
  kind: string;
  clientIp: string;
  policyVersion: string;
  /** The route policy chose for this path (x-airlock-route-backend/-model); absent on e.g. /v1/models. */
  policyRoute?: Route;
  /** Aliases policy lets this caller name here (x-airlock-model-aliases); defaults to the route's model. */
  aliases: ModelAlias[];
  /** Set by policy for high-risk endpoints: the audit event must be durable before the answer. */
  auditFailClosed: boolean;
}

function header(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/**
 * `alias=backend/model` entries, comma-separated. The backend id has no "/", so the model (which may,
 * e.g. `org/model-7b`) is everything after the first one.
 */
export function parseAliases(value: string): ModelAlias[] {
  const out: ModelAlias[] = [];
  for (const entry of value.split(',')) {
    const m = /^\s*([^=\s]+)=([a-z][a-z0-9-]*)\/(\S+)\s*$/.exec(entry);
    if (m) out.push({ alias: m[1], backend: m[2], model: m[3] });
  }
  return out;
}

/**
 * The caller from the edge's signed identity assertion (401 `unauthenticated` without a valid one: the plain
 * x-user-id/x-tenant-id headers are ignored). Route, aliases, audit mode and policy version stay plain headers:
 * Envoy strips client copies of them and ext_authz sets them; without a verified identity none is read.
 */
export async function callerFromEdge(req: IncomingMessage, edge: EdgeCaller, trustAliases: boolean): Promise<CallerContext> {
  const identity = await edge.callerFrom(req);
  const backend = header(req, ROUTE_HEADERS.backend);
  const model = header(req, ROUTE_HEADERS.model);
  const policyRoute = backend && model ? { backend, model } : undefined;
  const aliasHeader = trustAliases ? header(req, MODEL_ALIASES_HEADER) : '';
  const aliases = aliasHeader ? parseAliases(aliasHeader) : policyRoute ? [{ alias: model, ...policyRoute }] : [];
  return {
    userId: identity.userId,
    tenantId: identity.tenantId,
    projectId: identity.projectId,
    workspaceId: identity.workspaceId,
    roles: identity.roles,
    kind: identity.kind,
    // Envoy (use_remote_address) appends the real peer as the last X-Forwarded-For entry.
    clientIp: header(req, 'x-forwarded-for').split(',').pop()?.trim() || req.socket.remoteAddress || '',
    policyVersion: header(req, POLICY_VERSION_HEADER),
    policyRoute,
    aliases,
    auditFailClosed: header(req, AUDIT_MODE_HEADER).toLowerCase() === 'fail-closed',
  };
}
