import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '@airlock/runtime';
import { WorkspaceAudit, type CallContext } from '../audit/workspace-audit';
import { decideAccess } from '../route/browser-access';
import type { workspaceConfig } from '../config';
import { WORKSPACE_ID_PATTERN } from '../workspaces/workspace-input';
import { WorkspaceNotFoundError } from '../workspaces/workspace.errors';
import { WorkspaceStore, type WorkspaceRow } from '../workspaces/workspace-store';
import { NotWorkspaceOwnerError } from './owner-api.errors';
import type { WorkspaceCaller } from './workspace-caller';

/**
 * One workspace as the owner API may see it: its owner's, or any of the tenant's for a tenant administrator
 * (WORKSPACE_ADMIN_ROLES, the roles that may also open any workspace of the tenant in the browser). The same
 * decision as the browser route's (route/browser-access.ts), except that a deleted workspace stays visible to
 * its owner, so the portal sees it reach `deleted`.
 */
@Injectable()
export class OwnedWorkspaces {
  constructor(
    private readonly store: WorkspaceStore,
    private readonly audit: WorkspaceAudit,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof workspaceConfig>,
  ) {}

  /**
   * The workspace, or 404 `workspace_not_found` (unknown, malformed, or another tenant's: one answer, so ids
   * cannot be probed across tenants) or 403 `not_workspace_owner` — a refusal that is audited, since trying
   * someone else's workspace ids is worth knowing about.
   */
  async find(caller: WorkspaceCaller, id: string, action: string, context: CallContext): Promise<WorkspaceRow> {
    const row = WORKSPACE_ID_PATTERN.test(id) ? await this.store.findById(id) : undefined;
    const target = row ? { tenantId: row.tenant_id, ownerUserId: row.owner_user_id, deleted: false } : undefined;
    const access = decideAccess(caller, target, this.config.WORKSPACE_ADMIN_ROLES);
    if (access.allow) return row!;
    if (access.status !== 403) throw new WorkspaceNotFoundError(id);
    await this.audit.record({
      eventType: 'workspace.lifecycle',
      action,
      outcome: 'denied',
      context,
      tenantId: caller.tenantId,
      projectId: row!.project_id,
      workspaceId: id,
      userId: row!.owner_user_id,
      endpoint: context.endpoint,
      statusCode: 403,
      target: 'not_workspace_owner',
    });
    throw new NotWorkspaceOwnerError(id);
  }
}
