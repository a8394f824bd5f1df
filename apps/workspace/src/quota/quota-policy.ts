import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '@airlock/runtime';
import type { workspaceConfig } from '../config';
import type { AdmissionState } from '../workspaces/workspace-store';
import type { WorkspaceQuotaExceededError } from '../workspaces/workspace.errors';
import { effectiveLimits, exceededQuota, type Limits, type QuotaOverride, type QuotaScope, type Resources } from './quota';

/** Quota defaults from the environment, overridden per user or project by stored overrides. */
@Injectable()
export class QuotaPolicy {
  readonly defaults: Record<QuotaScope, Limits>;

  constructor(@Inject(APP_CONFIG) config: ServiceConfig<typeof workspaceConfig>) {
    this.defaults = {
      user: {
        maxWorkspaces: config.WORKSPACE_MAX_PER_USER,
        cpuMillis: config.WORKSPACE_USER_CPU_MILLIS,
        memoryMib: config.WORKSPACE_USER_MEMORY_MIB,
        diskGib: config.WORKSPACE_USER_DISK_GIB,
      },
      project: {
        maxWorkspaces: config.WORKSPACE_PROJECT_MAX_WORKSPACES,
        cpuMillis: config.WORKSPACE_PROJECT_CPU_MILLIS,
        memoryMib: config.WORKSPACE_PROJECT_MEMORY_MIB,
        diskGib: config.WORKSPACE_PROJECT_DISK_GIB,
      },
    };
  }

  effective(scope: QuotaScope, override: QuotaOverride | undefined): Limits {
    return effectiveLimits(this.defaults[scope], override);
  }

  /** The user's quotas are checked before the project's: the narrower scope is the likelier fix. */
  admit(state: Pick<AdmissionState, 'userUsage' | 'projectUsage' | 'userOverride' | 'projectOverride'>, who: { ownerUserId: string; projectId: string }, requested: Resources): WorkspaceQuotaExceededError | undefined {
    return (
      exceededQuota('user', who.ownerUserId, this.effective('user', state.userOverride), state.userUsage, requested) ??
      exceededQuota('project', who.projectId, this.effective('project', state.projectOverride), state.projectUsage, requested)
    );
  }
}
