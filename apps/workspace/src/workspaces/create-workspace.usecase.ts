import { Inject, Injectable } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import { WorkspaceAudit, type CallContext } from '../audit/workspace-audit';
import { ImageCatalogue } from '../catalogue/catalogue';
import { Reconciler } from '../reconcile/reconciler';
import { QuotaPolicy } from '../quota/quota-policy';
import type { workspaceConfig } from '../config';
import { newWorkspaceId, requireResourceId, requireSize, resolveImage } from './workspace-input';
import { ImageNotCataloguedError, WorkspaceExistsError, WorkspaceQuotaExceededError } from './workspace.errors';
import { toWorkspace } from './workspace.mapper';
import { WorkspaceStore } from './workspace-store';

/**
 * Registers a workspace a user wants running, on a catalogued image, within every quota; the reconciler
 * then provisions it. A refused quota is audited and named in the error.
 */
@Injectable()
export class CreateWorkspace {
  constructor(
    private readonly store: WorkspaceStore,
    private readonly catalogue: ImageCatalogue,
    private readonly quotas: QuotaPolicy,
    private readonly audit: WorkspaceAudit,
    private readonly reconciler: Reconciler,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof workspaceConfig>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  async execute(request: airlock.workspace.v1.CreateWorkspaceRequest, context: CallContext): Promise<airlock.workspace.v1.CreateWorkspaceResponse> {
    const tenantId = requireResourceId('tenant_id', request.tenantId);
    const projectId = requireResourceId('project_id', request.projectId);
    const ownerUserId = requireResourceId('owner_user_id', request.ownerUserId);
    const image = resolveImage(request.image, this.catalogue.imageFor(tenantId, ownerUserId, this.config.WORKSPACE_CANARY_PERCENT));
    if (!this.catalogue.find(image)) throw new ImageNotCataloguedError(image);
    const resources = {
      cpuMillis: requireSize('resources.cpu_millis', request.resources?.cpuMillis ?? 0, this.config.WORKSPACE_DEFAULT_CPU_MILLIS),
      memoryMib: requireSize('resources.memory_mib', request.resources?.memoryMib ?? 0, this.config.WORKSPACE_DEFAULT_MEMORY_MIB),
      diskGib: requireSize('resources.disk_gib', request.resources?.diskGib ?? 0, this.config.WORKSPACE_DEFAULT_DISK_GIB),
    };

    let row;
    try {
      row = await this.store.create({ id: newWorkspaceId(), tenantId, projectId, ownerUserId, image, ...resources }, (state) => {
        // Same project first: "you already have one" is more useful than "you have too many".
        if (state.ownerLive.some((w) => w.project_id === projectId)) throw new WorkspaceExistsError(tenantId, ownerUserId, projectId);
        const refused = this.quotas.admit(state, { ownerUserId, projectId }, resources);
        if (refused) throw refused;
      });
    } catch (error) {
      if (error instanceof WorkspaceQuotaExceededError) {
        await this.audit.record({
          eventType: 'workspace.quota_refused',
          action: 'create',
          outcome: 'denied',
          context,
          tenantId,
          projectId,
          userId: ownerUserId,
          endpoint: context.endpoint ?? 'WorkspaceService/CreateWorkspace',
          statusCode: 429,
          target: error.quota,
        });
      }
      throw error;
    }
    this.logger.info({ workspace_id: row.id, tenant_id: tenantId, project_id: projectId, owner_user_id: ownerUserId, image }, 'workspace requested');
    await this.audit.record({
      eventType: 'workspace.lifecycle',
      action: 'create',
      outcome: 'success',
      context,
      tenantId,
      projectId,
      workspaceId: row.id,
      userId: ownerUserId,
      endpoint: context.endpoint ?? 'WorkspaceService/CreateWorkspace',
      target: image,
    });
    this.reconciler.nudge();
    return { workspace: toWorkspace(row) };
  }
}
