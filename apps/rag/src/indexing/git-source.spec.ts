import { parseNameStatus, safeBranch, supportedUrl } from './git-source';

describe('git source rules', () => {
  it('accepts file, https and ssh URLs without passwords, and scp-like ssh', () => {
    expect(['file:///srv/git/pay.git', 'https://git.acme.test/pay/core.git', 'ssh://git@git.acme.test/pay/core.git', 'git@git.acme.test:pay/core.git'].map(supportedUrl)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['http://git.acme.test/a.git', 'https://bot:s3cret@git.acme.test/a.git', 'ext::sh -c touch% /tmp/x', '-uhelp', 'git@host:-oProxyCommand=x'].map(supportedUrl)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('accepts branch names only, never options or revision syntax', () => {
    expect(['main', 'release/2.1', 'feature_x-1'].map(safeBranch)).toEqual([true, true, true]);
    expect(['-f', 'a..b', 'main~1', 'x y', 'heads/', 'x.lock', ''].map(safeBranch)).toEqual([false, false, false, false, false, false, false]);
  });

  it('reads changed and deleted paths from name-status output', () => {
    expect(parseNameStatus('M\0src/a.ts\0A\0src/new file.ts\0D\0old.py\0T\0link\0')).toEqual({ changed: ['src/a.ts', 'src/new file.ts', 'link'], deleted: ['old.py'] });
    expect(parseNameStatus('')).toEqual({ changed: [], deleted: [] });
  });
});
