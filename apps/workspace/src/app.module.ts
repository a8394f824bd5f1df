import { Module } from '@nestjs/common';
import { WorkspaceDatabase } from './database';
import { CreateWorkspace } from './workspaces/create-workspace.usecase';
import { DeleteWorkspace } from './workspaces/delete-workspace.usecase';
import { GetWorkspace } from './workspaces/get-workspace.usecase';
import { ListWorkspaces } from './workspaces/list-workspaces.usecase';
import { WorkspaceController } from './workspaces/workspace.controller';
import { WorkspaceRepository } from './workspaces/workspace.repository';

@Module({
  controllers: [WorkspaceController],
  providers: [WorkspaceDatabase, WorkspaceRepository, CreateWorkspace, GetWorkspace, ListWorkspaces, DeleteWorkspace],
})
export class AppModule {}
