import { airlock } from '@airlock/contracts';
import type { ObservedState } from './workspace-state';
import type { WorkspaceRow } from './workspace-store';

const { WorkspaceState } = airlock.workspace.v1;

const TO_PROTO: Record<ObservedState, airlock.workspace.v1.WorkspaceState> = {
  REQUESTED: WorkspaceState.WORKSPACE_STATE_REQUESTED,
  PROVISIONING: WorkspaceState.WORKSPACE_STATE_PROVISIONING,
  RUNNING: WorkspaceState.WORKSPACE_STATE_RUNNING,
  // The enum predates STOPPING; callers see it as still provisioning a change.
  STOPPING: WorkspaceState.WORKSPACE_STATE_PROVISIONING,
  STOPPED: WorkspaceState.WORKSPACE_STATE_STOPPED,
  DELETING: WorkspaceState.WORKSPACE_STATE_DELETING,
  DELETED: WorkspaceState.WORKSPACE_STATE_DELETED,
  FAILED: WorkspaceState.WORKSPACE_STATE_FAILED,
};

export function toWorkspace(row: WorkspaceRow): airlock.workspace.v1.Workspace {
  return {
    workspaceId: row.id,
    tenantId: row.tenant_id,
    projectId: row.project_id,
    ownerUserId: row.owner_user_id,
    image: row.image,
    desiredState: TO_PROTO[row.desired_state] ?? WorkspaceState.WORKSPACE_STATE_UNSPECIFIED,
    observedState: TO_PROTO[row.observed_state] ?? WorkspaceState.WORKSPACE_STATE_UNSPECIFIED,
    createTime: row.created_at.toISOString(),
    resources: { cpuMillis: row.cpu_millis, memoryMib: row.memory_mib, diskGib: row.disk_gib },
    restartGeneration: row.restart_generation,
    observedGeneration: row.observed_generation,
    observedDetail: row.observed_detail,
    observeTime: row.observed_at ? row.observed_at.toISOString() : '',
    updateTime: row.updated_at.toISOString(),
    unisolated: row.unisolated,
  };
}
