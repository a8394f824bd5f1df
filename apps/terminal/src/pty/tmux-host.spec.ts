import { limitedShell } from './tmux-host';

describe('limitedShell', () => {
  it('puts the shell behind prlimit with the limits that are set, and runs it bare without any', () => {
    expect(limitedShell('/bin/bash', { prlimit: '/usr/bin/prlimit', memoryBytes: 1024, cpuSeconds: 60 })).toEqual(['/usr/bin/prlimit', '--data=1024', '--cpu=60', '--', '/bin/bash']);
    expect(limitedShell('/bin/bash', { prlimit: '/usr/bin/prlimit', memoryBytes: 1024, cpuSeconds: 0 })).toEqual(['/usr/bin/prlimit', '--data=1024', '--', '/bin/bash']);
    expect(limitedShell('/bin/bash', { prlimit: '/usr/bin/prlimit', memoryBytes: 0, cpuSeconds: 0 })).toEqual(['/bin/bash']);
    expect(limitedShell('/bin/bash', undefined)).toEqual(['/bin/bash']);
  });
});
