import { airlock } from '@airlock/contracts';
import { workspaceEnd } from './workspace-hosts';

const S = airlock.workspace.v1.WorkspaceState;
const workspace = (desiredState: airlock.workspace.v1.WorkspaceState, observedState: airlock.workspace.v1.WorkspaceState) => airlock.workspace.v1.Workspace.fromPartial({ workspaceId: 'w1', desiredState, observedState });

describe('workspaceEnd', () => {
  it('ends the terminals of a workspace that is gone, being deleted, or wanted stopped', () => {
    expect(workspaceEnd(undefined)).toBe('workspace_deleted');
    expect(workspaceEnd(workspace(S.WORKSPACE_STATE_DELETING, S.WORKSPACE_STATE_RUNNING))).toBe('workspace_deleted');
    expect(workspaceEnd(workspace(S.WORKSPACE_STATE_DELETED, S.WORKSPACE_STATE_DELETED))).toBe('workspace_deleted');
    expect(workspaceEnd(workspace(S.WORKSPACE_STATE_STOPPED, S.WORKSPACE_STATE_RUNNING))).toBe('workspace_stopped');
  });

  it('leaves them running while the workspace runs or restarts', () => {
    expect(workspaceEnd(workspace(S.WORKSPACE_STATE_RUNNING, S.WORKSPACE_STATE_RUNNING))).toBeUndefined();
    expect(workspaceEnd(workspace(S.WORKSPACE_STATE_RUNNING, S.WORKSPACE_STATE_PROVISIONING))).toBeUndefined();
    expect(workspaceEnd(workspace(S.WORKSPACE_STATE_RUNNING, S.WORKSPACE_STATE_FAILED))).toBeUndefined();
  });
});
