import { Injectable } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { requireWorkspaceId } from './workspace-input';
import { WorkspaceNotFoundError } from './workspace.errors';
import { toWorkspace } from './workspace.mapper';
import { WorkspaceStore } from './workspace-store';

/** One workspace by id; a deleted one is still returned (desired DELETING) until its row is purged. */
@Injectable()
export class GetWorkspace {
  constructor(private readonly store: WorkspaceStore) {}

  async execute(request: airlock.workspace.v1.GetWorkspaceRequest): Promise<airlock.workspace.v1.GetWorkspaceResponse> {
    const id = requireWorkspaceId(request.workspaceId);
    const row = await this.store.findById(id);
    if (!row) throw new WorkspaceNotFoundError(id);
    return { workspace: toWorkspace(row) };
  }
}
