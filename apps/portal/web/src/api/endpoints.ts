// Every API path the portal calls, in one place; the policy console's are in policy-endpoints.ts, which loads
// with the console (this file is part of the first page).
import { request, requestJson } from './client';
import type { ApiToken, AuditEventDetail, AuditFilter, AuditPage, ChainStatus, CreatedToken, Me, MyUsage, SizeId, Workspace, WorkspaceAction, WorkspaceOptions } from './types';

const WORKSPACES = '/api/workspace/v1/workspaces';

export const getMe = () => requestJson<Me>('/api/identity/v1/me');

export const listWorkspaces = async () => (await requestJson<{ workspaces: Workspace[] }>(WORKSPACES)).workspaces;
export const getWorkspaceOptions = () => requestJson<WorkspaceOptions>('/api/workspace/v1/options');
export const createWorkspace = (body: { project_id: string; size: SizeId; channel?: 'current' | 'canary' }) => requestJson<Workspace>(WORKSPACES, { body });

export function actOnWorkspace(id: string, action: WorkspaceAction): Promise<Workspace> {
  const path = `${WORKSPACES}/${encodeURIComponent(id)}`;
  return action === 'delete' ? requestJson<Workspace>(path, { method: 'DELETE' }) : requestJson<Workspace>(`${path}/${action}`, { method: 'POST' });
}

/** The last answer per workspace and its ETag: a poll that finds nothing new costs a 304 without a body. */
const lastSeen = new Map<string, { etag: string; workspace: Workspace }>();

export async function getWorkspace(id: string): Promise<Workspace> {
  const seen = lastSeen.get(id);
  const res = await request(`${WORKSPACES}/${encodeURIComponent(id)}`, { ifNoneMatch: seen?.etag });
  if (res.status === 304 && seen) return seen.workspace;
  const workspace = (await res.json()) as Workspace;
  const etag = res.headers.get('etag');
  if (etag) lastSeen.set(id, { etag, workspace });
  return workspace;
}

export const listTokens = async () => (await requestJson<{ tokens: ApiToken[] }>('/api/identity/v1/tokens')).tokens;
export const createToken = (body: { name: string; ttl_seconds: number }) => requestJson<CreatedToken>('/api/identity/v1/tokens', { body: { ...body, type: 'personal' } });
export const revokeToken = (id: string) => requestJson<void>(`/api/identity/v1/tokens/${encodeURIComponent(id)}`, { method: 'DELETE' });

export const getMyUsage = (days: number) => requestJson<MyUsage>(`/api/usage/v1/me?days=${days}`);

const AUDIT_EVENTS = '/api/audit/v1/events';

/** The search's query string: only the filters given (the API refuses an empty value as a filter). */
export function auditQuery(filter: AuditFilter, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...filter, ...extra })) if (value) params.set(name, value);
  return params.toString();
}

export const searchAudit = (filter: AuditFilter, cursor: string | null) => requestJson<AuditPage>(`${AUDIT_EVENTS}?${auditQuery(filter, cursor ? { cursor } : {})}`);
export const getAuditEvent = (id: string) => requestJson<AuditEventDetail>(`${AUDIT_EVENTS}/${encodeURIComponent(id)}`);
export const getChainStatus = () => requestJson<ChainStatus>('/api/audit/v1/chains');
/** The whole search as one CSV (the API streams every matching event, up to its export limit); a refusal throws. */
export const exportAuditCsv = async (filter: AuditFilter): Promise<Blob> => (await request(`${AUDIT_EVENTS}?${auditQuery(filter, { format: 'csv' })}`)).blob();
