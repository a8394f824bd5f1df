// The operators' APIs: the workspace fleet (apps/workspace/openapi.yaml, `/api/workspace/admin/v1/`) and the
// platform's health (apps/portal/openapi.yaml). Loaded with the fleet and health pages only, like
// policy-endpoints.ts, so the first page does not carry them.
import { requestJson } from './client';
import type { operations as PortalOperations } from './generated/portal';
import type { Workspace, WorkspaceAction } from './types';

export type PlatformHealth = PortalOperations['getPlatformHealth']['responses'][200]['content']['application/json'];
export type ServiceHealth = PlatformHealth['services'][number];

const FLEET = '/api/workspace/admin/v1/workspaces';

export const listFleet = async () => (await requestJson<{ workspaces: Workspace[] }>(FLEET)).workspaces;

export function changeFleetWorkspace(id: string, action: WorkspaceAction): Promise<Workspace> {
  const one = `${FLEET}/${encodeURIComponent(id)}`;
  return action === 'delete' ? requestJson<Workspace>(one, { method: 'DELETE' }) : requestJson<Workspace>(`${one}/${action}`, { method: 'POST' });
}

export const getPlatformHealth = () => requestJson<PlatformHealth>('/api/health/v1/status');
