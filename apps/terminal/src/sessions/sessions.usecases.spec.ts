import { newSessionId, parseCreateSession, parseName, shellEnvironment } from './sessions.usecases';
import { parseShare } from './share.usecases';

describe('request parsing', () => {
  it('takes a create body with defaults and refuses bad sizes', () => {
    expect(parseCreateSession({ workspace_id: 'w1' })).toEqual({ workspaceId: 'w1', name: undefined, cols: 80, rows: 24 });
    expect(() => parseCreateSession({ workspace_id: 'w1', cols: 5 })).toThrow('cols must be');
    expect(() => parseCreateSession({})).toThrow('workspace_id is required');
  });

  it('refuses names with control characters', () => {
    expect(parseName(' deploy ')).toBe('deploy');
    expect(() => parseName('a\x1b[31m')).toThrow('printable');
  });

  it('takes a share body', () => {
    expect(parseShare({ user_id: 'bob', mode: 'read-only' })).toEqual({ userId: 'bob', mode: 'read-only' });
    expect(() => parseShare({ user_id: 'bob', mode: 'admin' })).toThrow('mode must be');
  });

  it('makes ids the routes accept and a shell environment without the service own variables', () => {
    expect(newSessionId()).toMatch(/^t_[A-Za-z0-9_-]{22}$/);
    expect(Object.keys(shellEnvironment('/home/w', 't_x', '/bin/bash')).sort()).toEqual(['AIRLOCK_TERMINAL_SESSION', 'HOME', 'LANG', 'PATH', 'SHELL', 'TERM']);
  });
});
