import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '@airlock/runtime';
import type { workspaceConfig } from '../config';
import { type WorkspaceCaller, callContext } from '../owner-api/workspace-caller';
import { type WorkspaceView, workspaceView } from '../owner-api/workspace-view';
import { ChangeWorkspaceState, type LifecycleAction } from '../workspaces/change-state.usecase';
import { WORKSPACE_ID_PATTERN } from '../workspaces/workspace-input';
import { WorkspaceNotFoundError } from '../workspaces/workspace.errors';
import { toWorkspace } from '../workspaces/workspace.mapper';
import { WorkspaceStore } from '../workspaces/workspace-store';
import { FleetRoleRequiredError } from './fleet.errors';

/** Checks the caller's role once for every fleet route (the edge checks it too; this service does not rely on it). */
@Injectable()
export class FleetAccess {
  constructor(@Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof workspaceConfig>) {}

  require(caller: WorkspaceCaller): void {
    const roles = this.config.WORKSPACE_FLEET_ROLES;
    if (!caller.roles.some((role) => roles.includes(role))) throw new FleetRoleRequiredError(roles);
  }
}

/** GET /workspaces: every live workspace of the caller's tenant, whoever owns it, oldest first. */
@Injectable()
export class ListFleet {
  constructor(
    private readonly access: FleetAccess,
    private readonly store: WorkspaceStore,
  ) {}

  async execute(caller: WorkspaceCaller): Promise<{ workspaces: WorkspaceView[] }> {
    this.access.require(caller);
    const rows = await this.store.listLive(caller.tenantId);
    return { workspaces: rows.map((row) => workspaceView(toWorkspace(row))) };
  }
}

const ROUTE: Record<LifecycleAction, string> = {
  start: 'POST /api/workspace/admin/v1/workspaces/{id}/start',
  stop: 'POST /api/workspace/admin/v1/workspaces/{id}/stop',
  restart: 'POST /api/workspace/admin/v1/workspaces/{id}/restart',
  delete: 'DELETE /api/workspace/admin/v1/workspaces/{id}',
};

/**
 * Start, stop, restart or delete any workspace of the caller's tenant: the registry's own state change, audited
 * (`workspace.lifecycle`) with the operator as actor, the owner as user and the admin route as endpoint.
 */
@Injectable()
export class ChangeFleetWorkspace {
  constructor(
    private readonly access: FleetAccess,
    private readonly store: WorkspaceStore,
    private readonly changeState: ChangeWorkspaceState,
  ) {}

  async execute(caller: WorkspaceCaller, id: string, action: LifecycleAction): Promise<WorkspaceView> {
    this.access.require(caller);
    const row = WORKSPACE_ID_PATTERN.test(id) ? await this.store.findById(id) : undefined;
    // Another tenant's workspace, or a deleted one, is not part of this fleet: the same answer as an unknown id.
    if (!row || row.tenant_id !== caller.tenantId) throw new WorkspaceNotFoundError(id);
    const { workspace } = await this.changeState.execute(action, row.id, callContext(caller, ROUTE[action]));
    return workspaceView(workspace);
  }
}
