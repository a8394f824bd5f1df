import { randomUUID } from 'node:crypto';
import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { airlock } from '@airlock/contracts';
import { IDENTITY_HEADERS } from '@airlock/identity-assertion';
import { CORRELATION_HEADER } from '@airlock/telemetry';
import type { CallContext } from '../audit/workspace-audit';
import { QuotaAdmin } from '../quota/quota.usecase';
import { ChangeWorkspaceState } from './change-state.usecase';
import { GetClientConfig, ListImages } from './client-config.usecase';
import { CreateWorkspace } from './create-workspace.usecase';
import { GetShellHost } from './get-shell-host.usecase';
import { GetWorkspace } from './get-workspace.usecase';
import { InstallExtension } from './install-extension.usecase';
import { ListWorkspaces } from './list-workspaces.usecase';

/** The part of grpc-js's Metadata used here (grpc-js itself is the runtime's dependency, not ours). */
interface Metadata {
  get(key: string): unknown[];
}

/** Who is asking and under which correlation id, from the metadata the edge forwards. */
function contextOf(metadata: Metadata | undefined): CallContext {
  const first = (key: string) => {
    const value = metadata?.get(key)[0];
    return typeof value === 'string' ? value.slice(0, 128) : '';
  };
  return { actor: first(IDENTITY_HEADERS.userId), correlationId: first(CORRELATION_HEADER) || randomUUID() };
}

@Controller()
export class WorkspaceController {
  constructor(
    private readonly createWorkspace: CreateWorkspace,
    private readonly getWorkspace: GetWorkspace,
    private readonly getShellHost: GetShellHost,
    private readonly listWorkspaces: ListWorkspaces,
    private readonly changeState: ChangeWorkspaceState,
    private readonly installExtension: InstallExtension,
    private readonly clientConfig: GetClientConfig,
    private readonly listImages: ListImages,
    private readonly quotas: QuotaAdmin,
  ) {}

  @GrpcMethod('WorkspaceService', 'CreateWorkspace')
  create(request: airlock.workspace.v1.CreateWorkspaceRequest, metadata?: Metadata): Promise<airlock.workspace.v1.CreateWorkspaceResponse> {
    return this.createWorkspace.execute(request, contextOf(metadata));
  }

  @GrpcMethod('WorkspaceService', 'GetWorkspace')
  get(request: airlock.workspace.v1.GetWorkspaceRequest): Promise<airlock.workspace.v1.GetWorkspaceResponse> {
    return this.getWorkspace.execute(request);
  }

  @GrpcMethod('WorkspaceService', 'GetShellHost')
  shellHost(request: airlock.workspace.v1.GetShellHostRequest): Promise<airlock.workspace.v1.GetShellHostResponse> {
    return this.getShellHost.execute(request);
  }

  @GrpcMethod('WorkspaceService', 'ListWorkspaces')
  list(request: airlock.workspace.v1.ListWorkspacesRequest): Promise<airlock.workspace.v1.ListWorkspacesResponse> {
    return this.listWorkspaces.execute(request);
  }

  @GrpcMethod('WorkspaceService', 'DeleteWorkspace')
  delete(request: airlock.workspace.v1.DeleteWorkspaceRequest, metadata?: Metadata): Promise<airlock.workspace.v1.DeleteWorkspaceResponse> {
    return this.changeState.execute('delete', request.workspaceId, contextOf(metadata));
  }

  @GrpcMethod('WorkspaceService', 'StartWorkspace')
  start(request: airlock.workspace.v1.StartWorkspaceRequest, metadata?: Metadata): Promise<airlock.workspace.v1.StartWorkspaceResponse> {
    return this.changeState.execute('start', request.workspaceId, contextOf(metadata));
  }

  @GrpcMethod('WorkspaceService', 'StopWorkspace')
  stop(request: airlock.workspace.v1.StopWorkspaceRequest, metadata?: Metadata): Promise<airlock.workspace.v1.StopWorkspaceResponse> {
    return this.changeState.execute('stop', request.workspaceId, contextOf(metadata));
  }

  @GrpcMethod('WorkspaceService', 'RestartWorkspace')
  restart(request: airlock.workspace.v1.RestartWorkspaceRequest, metadata?: Metadata): Promise<airlock.workspace.v1.RestartWorkspaceResponse> {
    return this.changeState.execute('restart', request.workspaceId, contextOf(metadata));
  }

  @GrpcMethod('WorkspaceService', 'InstallExtension')
  install(request: airlock.workspace.v1.InstallExtensionRequest, metadata?: Metadata): Promise<airlock.workspace.v1.InstallExtensionResponse> {
    return this.installExtension.execute(request, contextOf(metadata));
  }

  @GrpcMethod('WorkspaceService', 'GetClientConfig')
  getClientConfig(request: airlock.workspace.v1.GetClientConfigRequest): Promise<airlock.workspace.v1.GetClientConfigResponse> {
    return this.clientConfig.execute(request);
  }

  @GrpcMethod('WorkspaceService', 'ListImages')
  images(): airlock.workspace.v1.ListImagesResponse {
    return this.listImages.execute();
  }

  @GrpcMethod('WorkspaceService', 'SetQuota')
  setQuota(request: airlock.workspace.v1.SetQuotaRequest): Promise<airlock.workspace.v1.SetQuotaResponse> {
    return this.quotas.set(request);
  }

  @GrpcMethod('WorkspaceService', 'GetQuota')
  getQuota(request: airlock.workspace.v1.GetQuotaRequest): Promise<airlock.workspace.v1.GetQuotaResponse> {
    return this.quotas.get(request);
  }
}
