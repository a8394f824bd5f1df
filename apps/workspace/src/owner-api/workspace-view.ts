import { createHash } from 'node:crypto';
import { airlock } from '@airlock/contracts';
import { type SizeId, sizeOf } from './sizes';

const { WorkspaceState } = airlock.workspace.v1;

export type StateName = 'requested' | 'provisioning' | 'running' | 'stopped' | 'deleting' | 'failed' | 'deleted';

/** A workspace as the owner API answers it (the portal's `Workspace`). */
export interface WorkspaceView {
  id: string;
  project_id: string;
  owner_user_id: string;
  image: string;
  /** What the driver last saw. */
  state: StateName;
  /** What the owner asked for: running, stopped or deleted. */
  desired_state: StateName;
  detail: string | null;
  resources: { cpu_millis: number; memory_mib: number; disk_gib: number };
  size: SizeId | null;
  created_at: string;
  updated_at: string;
  /** The browser IDE, through the edge. */
  url: string;
  /** Started without the driver's isolation (development setting): it can reach services of its host. */
  unisolated: boolean;
}

const OBSERVED: Record<airlock.workspace.v1.WorkspaceState, StateName> = {
  [WorkspaceState.WORKSPACE_STATE_UNSPECIFIED]: 'requested',
  [WorkspaceState.WORKSPACE_STATE_REQUESTED]: 'requested',
  [WorkspaceState.WORKSPACE_STATE_PROVISIONING]: 'provisioning',
  [WorkspaceState.WORKSPACE_STATE_RUNNING]: 'running',
  [WorkspaceState.WORKSPACE_STATE_STOPPED]: 'stopped',
  [WorkspaceState.WORKSPACE_STATE_DELETING]: 'deleting',
  [WorkspaceState.WORKSPACE_STATE_DELETED]: 'deleted',
  [WorkspaceState.WORKSPACE_STATE_FAILED]: 'failed',
  [WorkspaceState.UNRECOGNIZED]: 'failed',
};

/**
 * A desired state is a goal: REQUESTED (rows of the registry-only slice) means running, and DELETING means
 * the owner wants it deleted, which is what `deleted` says to someone reading `desired_state`.
 */
const DESIRED: Partial<Record<airlock.workspace.v1.WorkspaceState, StateName>> = {
  [WorkspaceState.WORKSPACE_STATE_REQUESTED]: 'running',
  [WorkspaceState.WORKSPACE_STATE_RUNNING]: 'running',
  [WorkspaceState.WORKSPACE_STATE_STOPPED]: 'stopped',
  [WorkspaceState.WORKSPACE_STATE_DELETING]: 'deleted',
};

export function workspaceView(w: airlock.workspace.v1.Workspace): WorkspaceView {
  const resources = { cpuMillis: w.resources?.cpuMillis ?? 0, memoryMib: w.resources?.memoryMib ?? 0, diskGib: w.resources?.diskGib ?? 0 };
  return {
    id: w.workspaceId,
    project_id: w.projectId,
    owner_user_id: w.ownerUserId,
    image: w.image,
    state: OBSERVED[w.observedState] ?? 'failed',
    desired_state: DESIRED[w.desiredState] ?? 'running',
    detail: w.observedDetail || null,
    resources: { cpu_millis: resources.cpuMillis, memory_mib: resources.memoryMib, disk_gib: resources.diskGib },
    size: sizeOf(resources),
    created_at: w.createTime,
    updated_at: w.updateTime,
    url: `/w/${w.workspaceId}/`,
    unisolated: w.unisolated,
  };
}

/** A strong validator of the view's content: the portal polls with If-None-Match and gets 304 until it changes. */
export function viewEtag(view: WorkspaceView): string {
  return `"${createHash('sha256').update(JSON.stringify(view)).digest('base64url').slice(0, 27)}"`;
}

/** RFC 9110 If-None-Match: `*`, or a list of entity tags compared weakly (a `W/` prefix is ignored). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
