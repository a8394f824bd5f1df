import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isTmuxUnder, parseRssBytes, parseStat, shellProcessUsage } from './process-usage';

/** A /proc of its own: each process a stat line, a command line and a status with VmRSS. */
function fakeProc(processes: { pid: number; ppid: number; comm?: string; argv: string[]; ticks: number; rssKb: number }[]): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'proc-'));
  for (const p of processes) {
    const dir = path.join(root, String(p.pid));
    mkdirSync(dir);
    // As the kernel names it: the executable's file name, unless the process renamed itself.
    const comm = p.comm ?? path.basename(p.argv[0]!).slice(0, 15);
    // Fields after the command: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime …
    writeFileSync(path.join(dir, 'stat'), `${p.pid} (${comm}) S ${p.ppid} 1 1 0 -1 0 0 0 0 0 ${p.ticks} 0 0 0 20 0 1 0 100 1000 50`);
    writeFileSync(path.join(dir, 'cmdline'), `${p.argv.join('\0')}\0`);
    writeFileSync(path.join(dir, 'status'), `Name:\t${comm}\nVmRSS:\t   ${p.rssKb} kB\n`);
  }
  mkdirSync(path.join(root, 'self'));
  return root;
}

describe('parseStat', () => {
  it('reads pid, ppid and CPU ticks past a command name holding spaces and parentheses', () => {
    expect(parseStat('42 (tmux: server (x)) S 1 42 42 0 -1 4194560 0 0 0 0 150 50 0 0 20 0 1 0 9 9 9')).toEqual({ pid: 42, ppid: 1, cpuTicks: 200, comm: 'tmux: server (x)' });
    expect(parseStat('garbage')).toBeUndefined();
  });
});

describe('parseRssBytes and isTmuxUnder', () => {
  it('reads VmRSS in kB, 0 without one; knows a tmux on a socket under the root', () => {
    expect(parseRssBytes('Name:\tsh\nVmRSS:\t    1024 kB\n')).toBe(1024 * 1024);
    expect(parseRssBytes('Name:\tkthreadd\n')).toBe(0);
    expect(isTmuxUnder(['/usr/bin/tmux', '-S', '/srv/term/ws1/tmux.sock', 'new-session'].join('\0'), '/srv/term')).toBe(true);
    expect(isTmuxUnder(['/usr/bin/tmux', '-S', '/srv/terminal/ws1/tmux.sock'].join('\0'), '/srv/term')).toBe(false);
    expect(isTmuxUnder(['/bin/sh', '-S', '/srv/term/x'].join('\0'), '/srv/term')).toBe(false);
  });
});

describe('shellProcessUsage', () => {
  const SERVICE = 500;
  const tmux = (socket: string) => ['/usr/bin/tmux', '-S', socket, '-f', '/srv/term/tmux.conf', 'new-session', '-d'];
  let proc: string;
  afterEach(() => rmSync(proc, { recursive: true, force: true }));

  it("sums the servers' trees under the root, not the service's own clients nor other tmux servers", () => {
    proc = fakeProc([
      { pid: 10, ppid: 1, argv: tmux('/srv/term/ws1/tmux.sock'), ticks: 100, rssKb: 4000 },
      { pid: 11, ppid: 10, argv: ['-bash'], ticks: 50, rssKb: 3000 },
      { pid: 12, ppid: 11, argv: ['vim'], ticks: 250, rssKb: 9000 },
      { pid: 20, ppid: 1, argv: tmux('/srv/term/ws2/tmux.sock'), ticks: 0, rssKb: 1000 },
      { pid: 30, ppid: SERVICE, argv: ['/usr/bin/tmux', '-S', '/srv/term/ws1/tmux.sock', '-C', 'attach'], ticks: 70, rssKb: 2000 },
      { pid: 40, ppid: 1, argv: tmux('/home/someone/tmux.sock'), ticks: 900, rssKb: 8000 },
      { pid: 41, ppid: 40, argv: ['bash'], ticks: 900, rssKb: 8000 },
    ]);
    return expect(shellProcessUsage('/srv/term', SERVICE, proc)).resolves.toEqual({ processes: 4, cpuSeconds: 4, rssBytes: 17_000 * 1024 });
  });

  it('is empty without a server', () => {
    proc = fakeProc([{ pid: 40, ppid: 1, argv: ['bash'], ticks: 9, rssKb: 9 }]);
    return expect(shellProcessUsage('/srv/term', SERVICE, proc)).resolves.toEqual({ processes: 0, cpuSeconds: 0, rssBytes: 0 });
  });
});
