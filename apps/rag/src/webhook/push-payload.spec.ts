import { parsePushPayload } from './push-payload';

describe('parsePushPayload', () => {
  it('reads a GitLab push', () => {
    const body = {
      object_kind: 'push',
      ref: 'refs/heads/main',
      after: 'abc123',
      project: { git_http_url: 'https://git.acme.test/pay/core.git', git_ssh_url: 'git@git.acme.test:pay/core.git' },
      repository: { git_http_url: 'https://git.acme.test/pay/core.git', url: 'git@git.acme.test:pay/core.git' },
    };
    expect(parsePushPayload(body)).toEqual({ ref: 'refs/heads/main', after: 'abc123', urls: ['https://git.acme.test/pay/core.git', 'git@git.acme.test:pay/core.git'] });
  });

  it('reads a Gitea push', () => {
    const body = { ref: 'refs/heads/dev', after: 'def', repository: { clone_url: 'https://gitea.test/a/b.git', ssh_url: 'ssh://git@gitea.test/a/b.git' } };
    expect(parsePushPayload(body)).toEqual({ ref: 'refs/heads/dev', after: 'def', urls: ['ssh://git@gitea.test/a/b.git', 'https://gitea.test/a/b.git'] });
  });

  it('refuses what is not a push', () => {
    expect(parsePushPayload(null)).toBeUndefined();
    expect(parsePushPayload({ zen: 'hello' })).toBeUndefined();
  });
});
