import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { airlock } from '@airlock/contracts';
import { CreateWorkspace } from './create-workspace.usecase';
import { DeleteWorkspace } from './delete-workspace.usecase';
import { GetWorkspace } from './get-workspace.usecase';
import { ListWorkspaces } from './list-workspaces.usecase';

@Controller()
export class WorkspaceController {
  constructor(
    private readonly createWorkspace: CreateWorkspace,
    private readonly getWorkspace: GetWorkspace,
    private readonly listWorkspaces: ListWorkspaces,
    private readonly deleteWorkspace: DeleteWorkspace,
  ) {}

  @GrpcMethod('WorkspaceService', 'CreateWorkspace')
  create(request: airlock.workspace.v1.CreateWorkspaceRequest): Promise<airlock.workspace.v1.CreateWorkspaceResponse> {
    return this.createWorkspace.execute(request);
  }

  @GrpcMethod('WorkspaceService', 'GetWorkspace')
  get(request: airlock.workspace.v1.GetWorkspaceRequest): Promise<airlock.workspace.v1.GetWorkspaceResponse> {
    return this.getWorkspace.execute(request);
  }

  @GrpcMethod('WorkspaceService', 'ListWorkspaces')
  list(request: airlock.workspace.v1.ListWorkspacesRequest): Promise<airlock.workspace.v1.ListWorkspacesResponse> {
    return this.listWorkspaces.execute(request);
  }

  @GrpcMethod('WorkspaceService', 'DeleteWorkspace')
  delete(request: airlock.workspace.v1.DeleteWorkspaceRequest): Promise<airlock.workspace.v1.DeleteWorkspaceResponse> {
    return this.deleteWorkspace.execute(request);
  }
}
