import { Inject, Injectable } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { workspaceConfig } from '../service';
import { newWorkspaceId, requireResourceId, resolveImage } from './workspace-input';
import { WorkspaceExistsError, WorkspaceQuotaExceededError } from './workspace.errors';
import { toWorkspace } from './workspace.mapper';
import { WorkspaceRepository } from './workspace.repository';

/**
 * Registers a workspace a user wants: desired REQUESTED, nothing started. Drivers (a later slice) read the
 * registry and converge on it.
 */
@Injectable()
export class CreateWorkspace {
  constructor(
    private readonly repository: WorkspaceRepository,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof workspaceConfig>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  async execute(request: airlock.workspace.v1.CreateWorkspaceRequest): Promise<airlock.workspace.v1.CreateWorkspaceResponse> {
    const tenantId = requireResourceId('tenant_id', request.tenantId);
    const projectId = requireResourceId('project_id', request.projectId);
    const ownerUserId = requireResourceId('owner_user_id', request.ownerUserId);
    const image = resolveImage(request.image, this.config.WORKSPACE_DEFAULT_IMAGE);
    const limit = this.config.WORKSPACE_MAX_PER_USER;

    const row = await this.repository.create({ id: newWorkspaceId(), tenantId, projectId, ownerUserId, image }, (live) => {
      // Same project first: "you already have one" is more useful than "you have too many".
      if (live.some((w) => w.project_id === projectId)) throw new WorkspaceExistsError(tenantId, ownerUserId, projectId);
      if (live.length >= limit) throw new WorkspaceQuotaExceededError('WORKSPACE_MAX_PER_USER', limit);
    });
    this.logger.info({ workspace_id: row.id, tenant_id: tenantId, project_id: projectId, owner_user_id: ownerUserId }, 'workspace requested');
    return { workspace: toWorkspace(row) };
  }
}
