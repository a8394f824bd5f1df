import { Injectable } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { requireResourceId } from '../workspaces/workspace-input';
import { WorkspaceInvalidArgumentError } from '../workspaces/workspace.errors';
import { WorkspaceStore } from '../workspaces/workspace-store';
import type { Limits, QuotaScope } from './quota';
import { QuotaPolicy } from './quota-policy';

const { QuotaScope: Scope } = airlock.workspace.v1;

function requireScope(scope: airlock.workspace.v1.QuotaScope): QuotaScope {
  if (scope === Scope.QUOTA_SCOPE_USER) return 'user';
  if (scope === Scope.QUOTA_SCOPE_PROJECT) return 'project';
  throw new WorkspaceInvalidArgumentError('scope', 'must be QUOTA_SCOPE_USER or QUOTA_SCOPE_PROJECT');
}

function toProto(limits: Limits): airlock.workspace.v1.QuotaLimits {
  return { maxWorkspaces: limits.maxWorkspaces, cpuMillis: limits.cpuMillis, memoryMib: limits.memoryMib, diskGib: limits.diskGib };
}

/** Per-user and per-project quota overrides, and what is in use against them. */
@Injectable()
export class QuotaAdmin {
  constructor(
    private readonly store: WorkspaceStore,
    private readonly policy: QuotaPolicy,
  ) {}

  async set(request: airlock.workspace.v1.SetQuotaRequest): Promise<airlock.workspace.v1.SetQuotaResponse> {
    const tenantId = requireResourceId('tenant_id', request.tenantId);
    const scope = requireScope(request.scope);
    const subjectId = requireResourceId('subject_id', request.subjectId);
    const l = request.limits;
    const override = { maxWorkspaces: l?.maxWorkspaces || null, cpuMillis: l?.cpuMillis || null, memoryMib: l?.memoryMib || null, diskGib: l?.diskGib || null };
    await this.store.setOverride(tenantId, scope, subjectId, override);
    return { effective: toProto(this.policy.effective(scope, override)) };
  }

  async get(request: airlock.workspace.v1.GetQuotaRequest): Promise<airlock.workspace.v1.GetQuotaResponse> {
    const tenantId = requireResourceId('tenant_id', request.tenantId);
    const scope = requireScope(request.scope);
    const subjectId = requireResourceId('subject_id', request.subjectId);
    const [override, used] = await Promise.all([this.store.getOverride(tenantId, scope, subjectId), this.store.getUsage(tenantId, scope, subjectId)]);
    return { effective: toProto(this.policy.effective(scope, override)), used: { maxWorkspaces: used.workspaces, cpuMillis: used.cpuMillis, memoryMib: used.memoryMib, diskGib: used.diskGib } };
  }
}
