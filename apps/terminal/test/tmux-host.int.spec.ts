import { spawn } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ensureTmux, eventually, TMUX_PATH } from '@airlock/testing';
import { restoreSequence } from '../src/pty/control-protocol';
import { shellProcessUsage } from '../src/pty/process-usage';
import { TmuxHost, type ShellAccount } from '../src/pty/tmux-host';

jest.setTimeout(60_000);

/** A child process of `pid` (the box's first process, which unshare forks), or undefined while there is none. */
function childOf(pid: number): number | undefined {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) return Number(name);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** The holder against the real tmux: sessions outlive their clients, and a capture rebuilds the screen. */
describe('TmuxHost (real tmux)', () => {
  // Short: the socket path must stay under 107 bytes.
  const root = mkdtempSync(path.join('/tmp', 'att-'));
  const host = new TmuxHost({ tmux: TMUX_PATH, rootDir: root, scrollbackLines: 1000 });
  const account: ShellAccount = { key: 'ws1', home: root };
  const env = { PATH: '/usr/bin:/bin', HOME: root, TERM: 'screen-256color', LANG: 'C.UTF-8' };

  beforeAll(async () => {
    await ensureTmux();
  });

  afterAll(async () => {
    await host.kill(account, 's1').catch(() => undefined);
    for (const name of ['s2', 's3', 's4', 'm1', 'm2']) await host.kill(account, name).catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  });

  it('keeps a shell across clients and replays its scrollback and cursor', async () => {
    expect(await host.list(account)).toEqual([]);
    await host.create(account, { name: 's1', shell: '/bin/sh', cols: 80, rows: 24, env });
    expect(await host.list(account)).toEqual(['s1']);

    const first = host.attach(account, 's1', false);
    await first.whenAttached();
    const seen: Buffer[] = [];
    first.on('output', (b) => seen.push(b));
    await first.input('s1', Buffer.from('for i in $(seq 1 60); do echo line-$i; done\r'));
    await eventually('the loop output', () => (Buffer.concat(seen).toString().includes('line-60') ? true : undefined));
    await first.detach();
    expect(await host.list(account)).toEqual(['s1']);

    const second = host.attach(account, 's1', false);
    await second.whenAttached();
    const capture = await second.capture('s1', 1000);
    const text = restoreSequence(capture).toString();
    expect(text).toContain('line-1\x1b[0m\r\n');
    expect(text).toContain('line-60');
    expect(capture.normal).toHaveLength(24);
    expect(capture.alternate).toBeUndefined();
    expect(capture.state.cursorY).toBe(23);
    await second.detach();
  });

  it('loses no output around a capture: what it missed comes after resume(), behind the restored screen', async () => {
    await host.create(account, { name: 's3', shell: '/bin/sh', cols: 80, rows: 24, env });
    const client = host.attach(account, 's3', false);
    await client.whenAttached();
    const seen: Buffer[] = [];
    client.on('output', (b) => seen.push(b));
    // Typed just before the capture: the shell echoes after tmux has captured, so the echo must come live.
    const typed = client.input('s3', Buffer.from('echo after-$((40+2))\r'));
    const passedBefore = seen.length;
    const capture = await client.capture('s3', 100);
    await typed;
    const restored = restoreSequence(capture).toString();
    const passedDuring = seen.length - passedBefore;
    client.resume();
    await eventually('the echo', () => (restored.includes('after-42') || Buffer.concat(seen).toString().includes('after-42') ? true : undefined));
    // Nothing is passed on between the capture and resume().
    expect(passedDuring).toBe(0);
    await client.detach();
  });

  it('stops a memory hog at the per-process limit, and the shell goes on', async () => {
    const limited = new TmuxHost({ tmux: TMUX_PATH, rootDir: root, scrollbackLines: 1000, limits: { prlimit: '/usr/bin/prlimit', memoryBytes: 128 * 1024 * 1024, cpuSeconds: 0 } });
    await limited.create(account, { name: 's4', shell: '/bin/sh', cols: 80, rows: 24, env });
    const client = limited.attach(account, 's4', false);
    await client.whenAttached();
    const seen: Buffer[] = [];
    client.on('output', (b) => seen.push(b));
    // 512 MiB asked for, 128 MiB allowed: the allocation fails (MemoryError, exit 1); a small one still works.
    await client.input('s4', Buffer.from("python3 -c 'bytearray(512 << 20)'; echo hog-exit=$?; python3 -c 'bytearray(16 << 20)'; echo small-exit=$?; grep 'Max data' /proc/self/limits\r"));
    const text = await eventually('both runs', () => {
      const t = Buffer.concat(seen).toString();
      return /small-exit=\d/.test(t) && t.includes('Max data size') ? t : undefined;
    });
    expect(text).toContain('MemoryError');
    expect(text).toMatch(/hog-exit=1\b/);
    expect(text).toMatch(/small-exit=0\b/);
    expect(text).toMatch(/Max data size\s+134217728\s+134217728/);
    await client.detach();
  });

  it('sees a full-screen program on the alternate screen', async () => {
    await host.create(account, { name: 's2', shell: '/bin/sh', cols: 80, rows: 24, env });
    const client = host.attach(account, 's2', false);
    await client.whenAttached();
    await client.input('s2', Buffer.from("printf 'before\\n'; printf '\\033[?1049h\\033[31mFULL\\033[0m'; sleep 30\r"));
    const capture = await eventually('the alternate screen', async () => {
      const c = await client.capture('s2', 1000);
      return c.alternate && Buffer.concat(c.alternate).toString().includes('FULL') ? c : undefined;
    });
    expect(Buffer.concat(capture.normal).toString()).toContain('before');
    expect(Buffer.concat(capture.alternate ?? []).toString()).toContain('\x1b[31mFULL');
    expect(restoreSequence(capture).toString()).toContain('\x1b[?1049h');
    await client.detach();
  });


  // As root, like the local driver's isolated workspaces: a box made the way the driver makes it (unshare: a pid
  // namespace and a mount namespace with its own /proc, its first process forked by unshare) stands in for a
  // workspace; the shell joins it and sees the box's processes only, while this service still drives it.
  (process.getuid?.() === 0 ? it : it.skip)("runs the shell inside the workspace's pid namespace, seeing only the workspace's processes", async () => {
    const home = mkdtempSync(path.join('/tmp', 'att-box-'));
    chownSync(home, 65534, 65534);
    const box = spawn('/usr/bin/unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', '--', '/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--', 'sleep', '600'], { stdio: 'ignore' });
    const firstProcess = await eventually('the box', () => childOf(box.pid!));
    const inBox: ShellAccount = { key: 'ws-box', uid: 65534, gid: 65534, home, namespacePid: firstProcess };
    try {
      await host.create(inBox, { name: 's5', shell: '/bin/bash', cols: 120, rows: 40, env: { ...env, HOME: home, SHELL: '/bin/bash' } });
      const client = host.attach(inBox, 's5', false);
      await client.whenAttached();
      const seen: Buffer[] = [];
      client.on('output', (b) => seen.push(b));
      await client.input('s5', Buffer.from('echo "seen=$(ls /proc | grep -c \'^[0-9]\') first=$(cat /proc/1/comm) mine=$$ test=$(test -e /proc/' + process.pid + '/stat && echo visible || echo hidden)"\r'));
      const line = await eventually('the view from inside', () => /seen=(\d+) first=(\S+) mine=(\d+) test=(\w+)/.exec(Buffer.concat(seen).toString()) ?? undefined);
      const [, count, first, shellPid, testProcess] = line;
      // Inside: the box's first process is pid 1, the shell a low pid of the box, and this test's process is not there.
      expect(first).toBe('sleep');
      expect(Number(shellPid)).toBeLessThan(100);
      expect(testProcess).toBe('hidden');
      // The box's processes only: sleep, tmux's server, bash, and the command substitutions' subshells and ls.
      expect(Number(count)).toBeLessThanOrEqual(8);
      expect(readlinkSync(`/proc/${firstProcess}/ns/pid`)).not.toBe(readlinkSync('/proc/self/ns/pid'));
      await client.detach();
      expect(await host.list(inBox)).toEqual(['s5']);
    } finally {
      await host.kill(inBox, 's5');
      // The box's first process: with it the kernel ends everything in the namespace (unshare's --kill-child does
      // not reach it once setpriv has changed its credentials).
      process.kill(firstProcess, 'SIGKILL');
      box.kill('SIGKILL');
      rmSync(home, { recursive: true, force: true });
    }
  });

  // As root (the local driver's per-user accounts): the shell runs as the workspace's account, and this service's
  // clients still reach it. nobody stands in for a workspace account: like one, its login shell is nologin.
  (process.getuid?.() === 0 ? it : it.skip)('runs the shell as the given account, which the service still drives', async () => {
    const home = mkdtempSync(path.join('/tmp', 'att-home-'));
    chownSync(home, 65534, 65534);
    const nobody: ShellAccount = { key: 'ws-nobody', uid: 65534, gid: 65534, home };
    try {
      await host.create(nobody, { name: 's3', shell: '/bin/bash', cols: 80, rows: 24, env: { ...env, HOME: home, SHELL: '/bin/bash' } });
      const client = host.attach(nobody, 's3', false);
      await client.whenAttached();
      const seen: Buffer[] = [];
      client.on('output', (b) => seen.push(b));
      await client.input('s3', Buffer.from('echo "uid=$(id -u) home=$PWD"\r'));
      await eventually('the shell as nobody', () => (Buffer.concat(seen).toString().includes(`uid=65534 home=${home}`) ? true : undefined));
      await client.detach();
    } finally {
      await host.kill(nobody, 's3');
      rmSync(home, { recursive: true, force: true });
    }
  });

  it("finds the shells' processes for the PTY metrics: the server and one shell per session, not this process's clients", async () => {
    const before = await shellProcessUsage(root);
    await host.create(account, { name: 'm1', shell: '/bin/sh', cols: 80, rows: 24, env });
    const client = host.attach(account, 'm1', false);
    await client.whenAttached();
    const one = await shellProcessUsage(root);
    // A first session starts the server too; the attached control client is this process's child and not counted.
    expect(one.processes - before.processes).toBe(before.processes === 0 ? 2 : 1);
    expect(one.rssBytes).toBeGreaterThan(before.rssBytes);
    await host.create(account, { name: 'm2', shell: '/bin/sh', cols: 80, rows: 24, env });
    expect((await shellProcessUsage(root)).processes).toBe(one.processes + 1);
    await client.detach();
    await host.kill(account, 'm2');
    await eventually('the shell gone', async () => ((await shellProcessUsage(root)).processes === one.processes ? true : undefined));
    expect((await shellProcessUsage(path.join(root, 'elsewhere'))).processes).toBe(0);
  });
});
