import { Module } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '@airlock/runtime';
import { WorkspaceAudit } from './audit/workspace-audit';
import { ImageCatalogue } from './catalogue/catalogue';
import { WorkspaceDatabase } from './database';
import { GatewayTokens } from './gateway-token/gateway-tokens';
import { IdentityClient } from './identity/identity-client';
import { IdleMonitor } from './idle/idle-monitor';
import { FLEET_API } from './fleet-api/fleet-api.controller';
import { OWNER_API } from './owner-api/owner-api.controller';
import { QuotaPolicy } from './quota/quota-policy';
import { QuotaAdmin } from './quota/quota.usecase';
import { driverProvider } from './reconcile/driver.provider';
import { Reconciler } from './reconcile/reconciler';
import { BrowserRoute } from './route/browser-route';
import type { workspaceConfig } from './config';
import { ChangeWorkspaceState } from './workspaces/change-state.usecase';
import { GetClientConfig, ListImages } from './workspaces/client-config.usecase';
import { CreateWorkspace } from './workspaces/create-workspace.usecase';
import { GetShellHost } from './workspaces/get-shell-host.usecase';
import { GetWorkspace } from './workspaces/get-workspace.usecase';
import { InstallExtension } from './workspaces/install-extension.usecase';
import { ListWorkspaces } from './workspaces/list-workspaces.usecase';
import { WorkspaceController } from './workspaces/workspace.controller';
import { WorkspaceStore } from './workspaces/workspace-store';

@Module({
  controllers: [WorkspaceController, ...OWNER_API.controllers, ...FLEET_API.controllers],
  providers: [
    WorkspaceDatabase,
    WorkspaceStore,
    WorkspaceAudit,
    QuotaPolicy,
    QuotaAdmin,
    // Loaded (and validated) at boot: a broken catalogue must stop the service, not the first create.
    { provide: ImageCatalogue, inject: [APP_CONFIG], useFactory: (c: ServiceConfig<typeof workspaceConfig>) => ImageCatalogue.load(c.WORKSPACE_CATALOGUE_DIR) },
    driverProvider,
    IdentityClient,
    GatewayTokens,
    Reconciler,
    CreateWorkspace,
    GetWorkspace,
    GetShellHost,
    ListWorkspaces,
    ChangeWorkspaceState,
    InstallExtension,
    GetClientConfig,
    ListImages,
    IdleMonitor,
    BrowserRoute,
    ...OWNER_API.providers,
    ...FLEET_API.providers,
  ],
})
export class AppModule {}
