import { GrpcStatus } from '@airlock/runtime';
import { IMAGE_PATTERN, WORKSPACE_ID_PATTERN, newWorkspaceId, requireResourceId, requireWorkspaceId, resolveImage } from './workspace-input';
import { WorkspaceInvalidArgumentError } from './workspace.errors';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('newWorkspaceId', () => {
  it('mints ws_ + 20 lowercase base32 characters', () => {
    for (let i = 0; i < 200; i++) {
      const id = newWorkspaceId();
      expect(id).toMatch(/^ws_[a-z2-7]{20}$/);
      expect(id).toMatch(WORKSPACE_ID_PATTERN);
    }
  });

  it('does not repeat', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newWorkspaceId()));
    expect(ids.size).toBe(10_000);
  });
});

describe('requireResourceId', () => {
  it.each(['acme', 'a', 'proj-1', 'user.name_2', '0abc', 'a'.repeat(63)])('accepts %s', (value) => {
    expect(requireResourceId('tenant_id', value)).toBe(value);
  });

  it.each(['Acme', '-lead', '.dot', '_under', 'has space', 'a/b', 'ä', 'a'.repeat(64), 'x;drop'])('refuses %s naming the field', (value) => {
    const error = thrown(() => requireResourceId('project_id', value));
    expect(error).toBeInstanceOf(WorkspaceInvalidArgumentError);
    expect(error).toMatchObject({ code: 'workspace_invalid_argument', field: 'project_id', grpcStatus: GrpcStatus.INVALID_ARGUMENT });
    expect((error as Error).message).toMatch(/^project_id: /);
  });

  it('says an empty id is required', () => {
    expect((thrown(() => requireResourceId('owner_user_id', '')) as Error).message).toBe('owner_user_id: is required');
  });
});

describe('requireWorkspaceId', () => {
  it('accepts minted ids', () => {
    const id = newWorkspaceId();
    expect(requireWorkspaceId(id)).toBe(id);
  });

  it.each(['', 'ws_short', 'WS_AAAAAAAAAAAAAAAAAAAA', 'ws_aaaaaaaaaaaaaaaaaaaaa', 'xx_aaaaaaaaaaaaaaaaaaaa', "ws_aaaaaaaaaaaaaaaaaa'"])('refuses %j', (value) => {
    expect(thrown(() => requireWorkspaceId(value))).toMatchObject({ code: 'workspace_invalid_argument', field: 'workspace_id' });
  });
});

describe('resolveImage', () => {
  it('falls back to the default when empty', () => {
    expect(resolveImage('', 'workspace-base:2026.11.21-build1')).toBe('workspace-base:2026.11.21-build1');
  });

  it.each([
    'workspace-base:2026.11.21-build1',
    'registry.example.com/team/workspace-base:v1',
    'localhost:5000/ws:latest',
    `ws@sha256:${'a'.repeat(64)}`,
  ])('accepts %s', (image) => {
    expect(IMAGE_PATTERN.test(image)).toBe(true);
    expect(resolveImage(image, 'unused')).toBe(image);
  });

  it.each(['UPPER:tag', 'img tag', 'img;rm -rf', 'img:', ':tag', 'img:$(x)'])('refuses %j', (image) => {
    expect(thrown(() => resolveImage(image, 'fallback'))).toMatchObject({ code: 'workspace_invalid_argument', field: 'image' });
  });
});
