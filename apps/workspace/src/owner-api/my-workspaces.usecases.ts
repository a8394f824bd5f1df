import { Injectable } from '@nestjs/common';
import { ChangeWorkspaceState, type LifecycleAction } from '../workspaces/change-state.usecase';
import { toWorkspace } from '../workspaces/workspace.mapper';
import { WorkspaceStore } from '../workspaces/workspace-store';
import { OwnedWorkspaces } from './owned-workspaces';
import { type WorkspaceCaller, callContext } from './workspace-caller';
import { type WorkspaceView, viewEtag, workspaceView } from './workspace-view';

/** GET /workspaces: the caller's own live workspaces, newest first. */
@Injectable()
export class ListMyWorkspaces {
  constructor(private readonly store: WorkspaceStore) {}

  async execute(caller: WorkspaceCaller): Promise<{ workspaces: WorkspaceView[] }> {
    const rows = await this.store.listLive(caller.tenantId, caller.userId);
    return { workspaces: rows.map((row) => workspaceView(toWorkspace(row))).reverse() };
  }
}

/** GET /workspaces/{id}: one workspace with its entity tag (the portal polls it for live state). */
@Injectable()
export class GetMyWorkspace {
  constructor(private readonly owned: OwnedWorkspaces) {}

  async execute(caller: WorkspaceCaller, id: string): Promise<{ view: WorkspaceView; etag: string }> {
    const row = await this.owned.find(caller, id, 'get', callContext(caller, 'GET /api/workspace/v1/workspaces/{id}'));
    const view = workspaceView(toWorkspace(row));
    return { view, etag: viewEtag(view) };
  }
}

const ROUTE: Record<LifecycleAction, string> = {
  start: 'POST /api/workspace/v1/workspaces/{id}/start',
  stop: 'POST /api/workspace/v1/workspaces/{id}/stop',
  restart: 'POST /api/workspace/v1/workspaces/{id}/restart',
  delete: 'DELETE /api/workspace/v1/workspaces/{id}',
};

/**
 * Start, stop, restart, delete by the owner or a tenant administrator: access first (a refusal is audited),
 * then the registry's own state change, audited with the caller as actor and the HTTP route as endpoint.
 */
@Injectable()
export class ChangeMyWorkspace {
  constructor(
    private readonly owned: OwnedWorkspaces,
    private readonly changeState: ChangeWorkspaceState,
  ) {}

  async execute(caller: WorkspaceCaller, id: string, action: LifecycleAction): Promise<WorkspaceView> {
    const context = callContext(caller, ROUTE[action]);
    const row = await this.owned.find(caller, id, action, context);
    const { workspace } = await this.changeState.execute(action, row.id, context);
    return workspaceView(workspace);
  }
}
