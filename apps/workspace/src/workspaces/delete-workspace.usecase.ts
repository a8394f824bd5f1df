import { Inject, Injectable } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { APP_LOGGER } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import { requireWorkspaceId } from './workspace-input';
import { transition } from './workspace-state';
import { WorkspaceNotFoundError } from './workspace.errors';
import { toWorkspace } from './workspace.mapper';
import { WorkspaceRepository } from './workspace.repository';

/**
 * Marks a workspace for deletion: desired DELETING and deleted_at set, which frees its (owner, project) slot
 * and its quota at once. Teardown of anything running is a driver's job. Deleting again returns the same
 * record unchanged.
 */
@Injectable()
export class DeleteWorkspace {
  constructor(
    private readonly repository: WorkspaceRepository,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  async execute(request: airlock.workspace.v1.DeleteWorkspaceRequest): Promise<airlock.workspace.v1.DeleteWorkspaceResponse> {
    const id = requireWorkspaceId(request.workspaceId);
    let changed = false;
    const row = await this.repository.changeDesired(id, (current) => {
      if (current.deleted_at) return null;
      changed = true;
      return { desiredState: transition(current.desired_state, 'DELETING'), markDeleted: true };
    });
    if (!row) throw new WorkspaceNotFoundError(id);
    if (changed) this.logger.info({ workspace_id: id, tenant_id: row.tenant_id }, 'workspace marked for deletion');
    return { workspace: toWorkspace(row) };
  }
}
