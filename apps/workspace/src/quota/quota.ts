import { WorkspaceQuotaExceededError } from '../workspaces/workspace.errors';

export type QuotaScope = 'user' | 'project';

export interface Limits {
  maxWorkspaces: number;
  cpuMillis: number;
  memoryMib: number;
  diskGib: number;
}

/** A stored override; null fields fall back to the default. */
export type QuotaOverride = { [K in keyof Limits]: number | null };

export interface Usage {
  workspaces: number;
  cpuMillis: number;
  memoryMib: number;
  diskGib: number;
}

export type Resources = Omit<Usage, 'workspaces'>;

export function effectiveLimits(defaults: Limits, override: QuotaOverride | undefined): Limits {
  return {
    maxWorkspaces: override?.maxWorkspaces ?? defaults.maxWorkspaces,
    cpuMillis: override?.cpuMillis ?? defaults.cpuMillis,
    memoryMib: override?.memoryMib ?? defaults.memoryMib,
    diskGib: override?.diskGib ?? defaults.diskGib,
  };
}

const CHECKS = [
  { key: 'maxWorkspaces', name: 'max_workspaces', unit: 'live workspace(s)', requested: () => 1 },
  { key: 'cpuMillis', name: 'cpu_millis', unit: 'millicores', requested: (r: Resources) => r.cpuMillis },
  { key: 'memoryMib', name: 'memory_mib', unit: 'MiB of memory', requested: (r: Resources) => r.memoryMib },
  { key: 'diskGib', name: 'disk_gib', unit: 'GiB of disk', requested: (r: Resources) => r.diskGib },
] as const;

/**
 * The first quota of `scope` that admitting `requested` on top of `usage` would exceed, as the error to
 * throw (named `user.cpu_millis`, `project.max_workspaces`, …), or undefined when it fits.
 */
export function exceededQuota(scope: QuotaScope, subject: string, limits: Limits, usage: Usage, requested: Resources): WorkspaceQuotaExceededError | undefined {
  for (const check of CHECKS) {
    const inUse = check.key === 'maxWorkspaces' ? usage.workspaces : usage[check.key];
    const wanted = check.requested(requested);
    if (inUse + wanted > limits[check.key]) {
      return new WorkspaceQuotaExceededError(`${scope}.${check.name}`, limits[check.key], `${scope} ${subject} would hold ${inUse + wanted} ${check.unit}`);
    }
  }
  return undefined;
}
