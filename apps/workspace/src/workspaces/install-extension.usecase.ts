import { Inject, Injectable } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { APP_CONFIG, AppError, type ServiceConfig } from '@airlock/runtime';
import { WorkspaceAudit, type CallContext } from '../audit/workspace-audit';
import { ImageCatalogue } from '../catalogue/catalogue';
import { verifyExtension } from '../catalogue/extension-allowlist';
import type { workspaceConfig } from '../config';
import { requireWorkspaceId } from './workspace-input';
import { ExtensionNotAllowedError, WorkspaceInvalidArgumentError, WorkspaceNotFoundError } from './workspace.errors';
import { WorkspaceStore } from './workspace-store';

/** Admits an extension only if catalogued for the workspace's image and hash-verified; audits every attempt. */
@Injectable()
export class InstallExtension {
  constructor(
    private readonly store: WorkspaceStore,
    private readonly catalogue: ImageCatalogue,
    private readonly audit: WorkspaceAudit,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof workspaceConfig>,
  ) {}

  async execute(request: airlock.workspace.v1.InstallExtensionRequest, context: CallContext): Promise<airlock.workspace.v1.InstallExtensionResponse> {
    const id = requireWorkspaceId(request.workspaceId);
    if (request.extensionId === '') throw new WorkspaceInvalidArgumentError('extension_id', 'is required');
    const row = await this.store.findById(id);
    if (!row || row.deleted_at) throw new WorkspaceNotFoundError(id);
    const base = {
      eventType: 'workspace.extension' as const,
      action: 'install',
      context,
      tenantId: row.tenant_id,
      projectId: row.project_id,
      workspaceId: id,
      userId: row.owner_user_id,
      endpoint: 'WorkspaceService/InstallExtension',
    };
    // The requested id is attacker-controlled text: audited only in a bounded, printable form.
    const asked = `${request.extensionId}@${request.version || '*'}`.replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
    try {
      const image = this.catalogue.find(row.image);
      if (!image) throw new ExtensionNotAllowedError(request.extensionId, request.version, row.image, 'the image is no longer catalogued');
      const entry = await verifyExtension(image, request.extensionId, request.version, this.config.WORKSPACE_VSIX_DIR);
      await this.audit.record({ ...base, outcome: 'success', statusCode: 200, target: `${entry.id}@${entry.version}` });
      return { extension: { extensionId: entry.id, version: entry.version, sha256: entry.sha256, file: entry.file } };
    } catch (error) {
      if (error instanceof AppError) await this.audit.record({ ...base, outcome: 'denied', statusCode: error.httpStatus, target: asked });
      throw error;
    }
  }
}
