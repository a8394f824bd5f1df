import { limitedShell, tmuxCommandFor, type ShellAccount } from './tmux-host';

describe('limitedShell', () => {
  it('puts the shell behind prlimit with the limits that are set, and runs it bare without any', () => {
    expect(limitedShell('/bin/bash', { prlimit: '/usr/bin/prlimit', memoryBytes: 1024, cpuSeconds: 60 })).toEqual(['/usr/bin/prlimit', '--data=1024', '--cpu=60', '--', '/bin/bash']);
    expect(limitedShell('/bin/bash', { prlimit: '/usr/bin/prlimit', memoryBytes: 1024, cpuSeconds: 0 })).toEqual(['/usr/bin/prlimit', '--data=1024', '--', '/bin/bash']);
    expect(limitedShell('/bin/bash', { prlimit: '/usr/bin/prlimit', memoryBytes: 0, cpuSeconds: 0 })).toEqual(['/bin/bash']);
    expect(limitedShell('/bin/bash', undefined)).toEqual(['/bin/bash']);
  });
});

describe('tmuxCommandFor', () => {
  const tools = { tmux: '/usr/bin/tmux', nsenter: '/usr/bin/nsenter' };
  const account = (extra: Partial<ShellAccount> = {}): ShellAccount => ({ key: 'w-1', home: '/srv/w/home', ...extra });

  it("joins the workspace's pid and mount namespaces first, then drops to its account, then runs tmux", () => {
    expect(tmuxCommandFor(account({ uid: 2001, gid: 2002, namespacePid: 4242 }), tools, ['-S', 'sock', 'new-session'])).toEqual({
      command: '/usr/bin/nsenter',
      args: ['--target=4242', '--pid', '--mount', '--', '/usr/bin/setpriv', '--reuid=2001', '--regid=2002', '--clear-groups', '--no-new-privs', '--', '/usr/bin/tmux', '-S', 'sock', 'new-session'],
    });
  });

  it('only drops to the account when the workspace has no namespaces of its own, and runs tmux bare as the service user', () => {
    expect(tmuxCommandFor(account({ uid: 2001 }), tools, ['ls'])).toEqual({
      command: '/usr/bin/setpriv',
      args: ['--reuid=2001', '--regid=2001', '--clear-groups', '--no-new-privs', '--', '/usr/bin/tmux', 'ls'],
    });
    expect(tmuxCommandFor(account(), tools, ['ls'])).toEqual({ command: '/usr/bin/tmux', args: ['ls'] });
    expect(tmuxCommandFor(account({ namespacePid: 7 }), tools, ['ls'])).toEqual({ command: '/usr/bin/nsenter', args: ['--target=7', '--pid', '--mount', '--', '/usr/bin/tmux', 'ls'] });
  });
});
