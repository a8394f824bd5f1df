import { airlock } from '@airlock/contracts';
import { SIZES, sizeOf } from './sizes';
import { etagMatches, viewEtag, workspaceView } from './workspace-view';

const { WorkspaceState: S } = airlock.workspace.v1;

const workspace = (over: Partial<airlock.workspace.v1.Workspace> = {}): airlock.workspace.v1.Workspace => ({
  workspaceId: 'ws_abcdefghij0123456789',
  tenantId: 'acme',
  projectId: 'payments',
  ownerUserId: 'alice',
  image: 'workspace-base:2026.11.21-build1',
  desiredState: S.WORKSPACE_STATE_RUNNING,
  observedState: S.WORKSPACE_STATE_PROVISIONING,
  createTime: '2026-11-21T09:00:00.000Z',
  resources: { cpuMillis: 2000, memoryMib: 4096, diskGib: 20 },
  restartGeneration: 0,
  observedGeneration: 0,
  observedDetail: '',
  observeTime: '',
  updateTime: '2026-11-21T09:00:01.000Z',
  unisolated: false,
  ...over,
});

describe('the owner API view of a workspace', () => {
  it('names states in lower case, names the size, and links the browser IDE', () => {
    expect(workspaceView(workspace())).toEqual({
      id: 'ws_abcdefghij0123456789',
      project_id: 'payments',
      owner_user_id: 'alice',
      image: 'workspace-base:2026.11.21-build1',
      state: 'provisioning',
      desired_state: 'running',
      detail: null,
      resources: { cpu_millis: 2000, memory_mib: 4096, disk_gib: 20 },
      size: 'medium',
      created_at: '2026-11-21T09:00:00.000Z',
      updated_at: '2026-11-21T09:00:01.000Z',
      url: '/w/ws_abcdefghij0123456789/',
      unisolated: false,
    });
  });

  it('says when the workspace runs without the driver\'s isolation', () => {
    expect(workspaceView(workspace({ unisolated: true })).unisolated).toBe(true);
    expect(viewEtag(workspaceView(workspace({ unisolated: true })))).not.toBe(viewEtag(workspaceView(workspace())));
  });

  it('reads desired REQUESTED as running and DELETING as deleted, and keeps the driver detail', () => {
    expect(workspaceView(workspace({ desiredState: S.WORKSPACE_STATE_REQUESTED, observedState: S.WORKSPACE_STATE_REQUESTED }))).toMatchObject({ state: 'requested', desired_state: 'running' });
    expect(workspaceView(workspace({ desiredState: S.WORKSPACE_STATE_DELETING, observedState: S.WORKSPACE_STATE_DELETED }))).toMatchObject({ state: 'deleted', desired_state: 'deleted' });
    expect(workspaceView(workspace({ observedState: S.WORKSPACE_STATE_FAILED, observedDetail: 'image pull failed' }))).toMatchObject({ state: 'failed', detail: 'image pull failed' });
  });

  it('has a size only for exactly a named size', () => {
    expect(sizeOf(SIZES.small)).toBe('small');
    expect(sizeOf(SIZES.large)).toBe('large');
    expect(sizeOf({ ...SIZES.large, diskGib: 51 })).toBeNull();
    expect(workspaceView(workspace({ resources: { cpuMillis: 1500, memoryMib: 4096, diskGib: 20 } })).size).toBeNull();
  });

  it('changes its ETag exactly when the view changes; If-None-Match matches it weakly, in a list, or as *', () => {
    const etag = viewEtag(workspaceView(workspace()));
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(viewEtag(workspaceView(workspace()))).toBe(etag);
    expect(viewEtag(workspaceView(workspace({ observedState: S.WORKSPACE_STATE_RUNNING })))).not.toBe(etag);
    expect(etagMatches(etag, etag)).toBe(true);
    expect(etagMatches(`W/${etag}`, etag)).toBe(true);
    expect(etagMatches(`"other", ${etag}`, etag)).toBe(true);
    expect(etagMatches('*', etag)).toBe(true);
    expect(etagMatches('"other"', etag)).toBe(false);
    expect(etagMatches(undefined, etag)).toBe(false);
  });
});
