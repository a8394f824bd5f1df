import { Inject, Injectable } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { APP_LOGGER } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import { WorkspaceAudit, type CallContext } from '../audit/workspace-audit';
import { Reconciler } from '../reconcile/reconciler';
import { requireWorkspaceId } from './workspace-input';
import { transition, type DesiredState } from './workspace-state';
import { WorkspaceNotFoundError } from './workspace.errors';
import { toWorkspace } from './workspace.mapper';
import { WorkspaceStore, type DesiredChange, type WorkspaceRow } from './workspace-store';

export type LifecycleAction = 'start' | 'stop' | 'restart' | 'delete';

const TARGET: Record<LifecycleAction, DesiredState> = { start: 'RUNNING', stop: 'STOPPED', restart: 'RUNNING', delete: 'DELETING' };
const ENDPOINT: Record<LifecycleAction, string> = {
  start: 'WorkspaceService/StartWorkspace',
  stop: 'WorkspaceService/StopWorkspace',
  restart: 'WorkspaceService/RestartWorkspace',
  delete: 'WorkspaceService/DeleteWorkspace',
};

/**
 * Start, stop, restart and delete: each only changes the desired state (restart also bumps the restart
 * generation) and wakes the reconciler, which does the work. Repeating start, stop or delete changes
 * nothing; a restart always asks for one more replacement. Delete frees the user's slot and quota at once.
 */
@Injectable()
export class ChangeWorkspaceState {
  constructor(
    private readonly store: WorkspaceStore,
    private readonly audit: WorkspaceAudit,
    private readonly reconciler: Reconciler,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  async execute(action: LifecycleAction, workspaceId: string, context: CallContext): Promise<{ workspace: airlock.workspace.v1.Workspace }> {
    const id = requireWorkspaceId(workspaceId);
    let changed = false;
    const row = await this.store.changeDesired(id, (current) => {
      const change = decide(action, current);
      changed = change !== null;
      return change;
    });
    if (!row) throw new WorkspaceNotFoundError(id);
    if (changed) {
      this.logger.info({ workspace_id: id, tenant_id: row.tenant_id, action }, 'workspace desired state changed');
      await this.audit.record({
        eventType: 'workspace.lifecycle',
        action,
        outcome: 'success',
        context,
        tenantId: row.tenant_id,
        projectId: row.project_id,
        workspaceId: id,
        userId: row.owner_user_id,
        endpoint: context.endpoint ?? ENDPOINT[action],
        target: row.image,
      });
      this.reconciler.nudge();
    }
    return { workspace: toWorkspace(row) };
  }
}

function decide(action: LifecycleAction, current: WorkspaceRow): DesiredChange | null {
  if (action === 'delete' && current.deleted_at) return null;
  const desiredState = transition(current.desired_state, TARGET[action]);
  if (action !== 'restart' && desiredState === current.desired_state) return null;
  return { desiredState, markDeleted: action === 'delete', bumpGeneration: action === 'restart' };
}
