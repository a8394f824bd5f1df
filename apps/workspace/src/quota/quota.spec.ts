import { GrpcStatus } from '@airlock/runtime';
import { effectiveLimits, exceededQuota } from './quota';

const limits = { maxWorkspaces: 2, cpuMillis: 4000, memoryMib: 8192, diskGib: 50 };
const none = { workspaces: 0, cpuMillis: 0, memoryMib: 0, diskGib: 0 };
const size = { cpuMillis: 2000, memoryMib: 4096, diskGib: 20 };

describe('quotas', () => {
  it('admit what fits exactly', () => {
    expect(exceededQuota('user', 'alice', limits, { workspaces: 1, cpuMillis: 2000, memoryMib: 4096, diskGib: 30 }, size)).toBeUndefined();
  });

  it.each([
    [{ ...none, workspaces: 2 }, size, 'user.max_workspaces'],
    [none, { ...size, cpuMillis: 4001 }, 'user.cpu_millis'],
    [{ ...none, memoryMib: 6000 }, size, 'user.memory_mib'],
    [{ ...none, diskGib: 31 }, size, 'user.disk_gib'],
  ])('name the quota a creation would exceed (%#)', (usage, requested, quota) => {
    const error = exceededQuota('user', 'alice', limits, usage, requested)!;
    expect(error).toMatchObject({ code: 'workspace_quota_exceeded', quota, grpcStatus: GrpcStatus.RESOURCE_EXHAUSTED, httpStatus: 429 });
    expect(error.message).toMatch(new RegExp(`^quota ${quota.replace('.', '\\.')} exceeded: user alice would hold \\d+ .+ \\(limit \\d+\\)$`));
  });

  it('prefix project quotas with project.', () => {
    expect(exceededQuota('project', 'payments', { ...limits, maxWorkspaces: 0 }, none, size)!.quota).toBe('project.max_workspaces');
  });

  it('overrides replace only the limits they set', () => {
    expect(effectiveLimits(limits, { maxWorkspaces: 5, cpuMillis: null, memoryMib: null, diskGib: 100 })).toEqual({ ...limits, maxWorkspaces: 5, diskGib: 100 });
    expect(effectiveLimits(limits, undefined)).toEqual(limits);
  });
});
