import { Inject, Injectable } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { APP_CONFIG, type ServiceConfig } from '@airlock/runtime';
import { ImageCatalogue } from '../catalogue/catalogue';
import { TOKEN_PATH, renderClientConfigs } from '../client-config/render';
import type { WorkspaceDriver } from '../drivers/driver';
import { WORKSPACE_DRIVER } from '../reconcile/driver.provider';
import type { workspaceConfig } from '../config';
import { requireWorkspaceId } from './workspace-input';
import { WorkspaceNotFoundError } from './workspace.errors';
import { WorkspaceStore } from './workspace-store';

/** The client configuration files a workspace is provisioned with. */
@Injectable()
export class GetClientConfig {
  constructor(
    private readonly store: WorkspaceStore,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof workspaceConfig>,
    @Inject(WORKSPACE_DRIVER) private readonly driver: WorkspaceDriver | null,
  ) {}

  async execute(request: airlock.workspace.v1.GetClientConfigRequest): Promise<airlock.workspace.v1.GetClientConfigResponse> {
    const id = requireWorkspaceId(request.workspaceId);
    const row = await this.store.findById(id);
    if (!row) throw new WorkspaceNotFoundError(id);
    // The driver decides where the token lives (local: under its workspace root), so the files name that.
    const tokenPath = this.driver?.tokenPath?.(row.id) ?? TOKEN_PATH;
    const files = renderClientConfigs({ workspaceId: row.id, tenantId: row.tenant_id, projectId: row.project_id, gatewayUrl: this.config.WORKSPACE_GATEWAY_URL, tokenPath, caPath: this.driver?.gatewayCaPath?.(), mcpServers: this.config.WORKSPACE_MCP_SERVERS });
    return { files: files.map((f) => ({ path: f.path, mode: f.mode, content: f.content })), tokenPath, gatewayUrl: this.config.WORKSPACE_GATEWAY_URL };
  }
}

/** The image catalogue as the service loaded it. */
@Injectable()
export class ListImages {
  constructor(
    private readonly catalogue: ImageCatalogue,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof workspaceConfig>,
  ) {}

  execute(): airlock.workspace.v1.ListImagesResponse {
    return {
      canaryPercent: this.catalogue.canary ? this.config.WORKSPACE_CANARY_PERCENT : 0,
      images: this.catalogue.images.map((i) => ({
        image: i.image,
        codeServer: { version: i.codeServer.version, sha256: i.codeServer.sha256 },
        opencode: { version: i.opencode.version, sha256: i.opencode.sha256 },
        extensions: i.extensions.map((e) => ({ extensionId: e.id, version: e.version, sha256: e.sha256, file: e.file })),
        current: i.image === this.catalogue.current,
        canary: i.image === this.catalogue.canary,
      })),
    };
  }
}
