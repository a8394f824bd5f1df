import { Inject, Injectable } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import type { WorkspaceDriver } from '../drivers/driver';
import { WORKSPACE_DRIVER } from '../reconcile/driver.provider';
import { requireWorkspaceId } from './workspace-input';
import { WorkspaceNotFoundError } from './workspace.errors';
import { toWorkspace } from './workspace.mapper';
import { WorkspaceStore } from './workspace-store';

/**
 * Where a terminal's shell runs (the terminal service's question): the workspace, and the account and home of its
 * instance (and the process its namespaces are joined through) while one runs on this driver's machine. The terminal service checks ownership with the workspace returned; this only says where.
 */
@Injectable()
export class GetShellHost {
  constructor(
    private readonly store: WorkspaceStore,
    @Inject(WORKSPACE_DRIVER) private readonly driver: WorkspaceDriver | null,
  ) {}

  async execute(request: airlock.workspace.v1.GetShellHostRequest): Promise<airlock.workspace.v1.GetShellHostResponse> {
    const id = requireWorkspaceId(request.workspaceId);
    const row = await this.store.findById(id);
    if (!row) throw new WorkspaceNotFoundError(id);
    const host = await this.driver?.shellHost?.(id);
    return {
      workspace: toWorkspace(row),
      running: host !== undefined,
      uid: host?.uid ?? 0,
      gid: host?.gid ?? 0,
      home: host?.home ?? '',
      namespacePid: host?.namespacePid ?? 0,
      shellHostAddress: host?.address ?? '',
    };
  }
}
