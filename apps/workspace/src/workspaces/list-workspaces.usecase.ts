import { Injectable } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { requireResourceId } from './workspace-input';
import { toWorkspace } from './workspace.mapper';
import { WorkspaceStore } from './workspace-store';

/** Live (not deleted) workspaces of a tenant, all owners or one, oldest first. */
@Injectable()
export class ListWorkspaces {
  constructor(private readonly store: WorkspaceStore) {}

  async execute(request: airlock.workspace.v1.ListWorkspacesRequest): Promise<airlock.workspace.v1.ListWorkspacesResponse> {
    const tenantId = requireResourceId('tenant_id', request.tenantId);
    const ownerUserId = request.ownerUserId === '' ? undefined : requireResourceId('owner_user_id', request.ownerUserId);
    const rows = await this.store.listLive(tenantId, ownerUserId);
    return { workspaces: rows.map(toWorkspace) };
  }
}
