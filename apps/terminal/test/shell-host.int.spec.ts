import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { readMtlsMaterial, type MtlsMaterial } from '@airlock/grpc';
import { ensureTmux, eventually, freePort, TMUX_PATH, waitForTcp } from '@airlock/testing';
// The project's dev PKI (what `tools/airlock up` issues every service's certificate with), used as it is.
import { ensureWorkloadCertificates, type WorkloadCertificate } from '../../../tools/cli/src/mtls-pki';
import { restoreSequence } from '../src/pty/control-protocol';
import { Pty } from '../src/pty/pty.provider';
import { RemoteShellHost } from '../src/pty/remote-shell-host';
import { podAccountKeyOf } from '../src/workspaces/workspace-hosts';

jest.setTimeout(120_000);

const ENTRY = path.join(__dirname, '..', 'dist', 'shell-host.js');

/**
 * The Kubernetes shell host without a cluster: the built sidecar entry (dist/shell-host.js) runs as a local process
 * standing in for the workspace pod, with real tmux, and the terminal service's RemoteShellHost reaches it over
 * mTLS with certificates of the project's dev CA.
 */
describe('shell host (the workspace pod sidecar, run locally)', () => {
  const dir = mkdtempSync(path.join('/tmp', 'ash-'));
  const tmuxDir = path.join(dir, 'tmux');
  const home = path.join(dir, 'home');
  let certs: Record<string, WorkloadCertificate>;
  let foreign: WorkloadCertificate;
  let port: number;
  let sidecar: ChildProcess;
  let output = '';

  const material = (cert: WorkloadCertificate): MtlsMaterial => readMtlsMaterial(cert);
  const hostAs = (cert: WorkloadCertificate) => new RemoteShellHost({ address: `127.0.0.1:${port}`, material: material(cert), timeoutMs: 10_000 });
  const env = { PATH: '/usr/bin:/bin', HOME: home, TERM: 'screen-256color', LANG: 'C.UTF-8', SHELL: '/bin/sh' };

  /** The sidecar entry on `at` with the certificate of `workload` (the shell host's own unless told). */
  async function launch(at: number, workload = 'workspace-shell-host'): Promise<ChildProcess> {
    const child = spawn(process.execPath, [ENTRY], {
      env: {
        PATH: process.env.PATH,
        SHELL_HOST_PORT: String(at),
        SHELL_HOST_BIND: '127.0.0.1',
        SHELL_HOST_TMUX_DIR: tmuxDir,
        SHELL_HOST_HOME: home,
        SHELL_HOST_TMUX_BIN: TMUX_PATH,
        SHELL_HOST_SCROLLBACK_LINES: '1000',
        MTLS_CERT_FILE: certs[workload]!.certFile,
        MTLS_KEY_FILE: certs[workload]!.keyFile,
        MTLS_CA_FILE: certs[workload]!.caFile,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    await waitForTcp('127.0.0.1', at, 30_000);
    return child;
  }

  async function startSidecar(): Promise<void> {
    sidecar = await launch(port);
  }

  beforeAll(async () => {
    await ensureTmux();
    certs = await ensureWorkloadCertificates(path.join(dir, 'pki'), ['terminal', 'workspace-shell-host', 'gateway']);
    foreign = (await ensureWorkloadCertificates(path.join(dir, 'other-pki'), ['terminal'])).terminal!;
    port = await freePort();
    await startSidecar();
  });

  afterAll(async () => {
    sidecar?.kill('SIGKILL');
    try {
      execFileSync(TMUX_PATH, ['-S', path.join(tmuxDir, 'workspace', 'tmux.sock'), 'kill-server'], { stdio: 'ignore' });
    } catch {
      // no server left
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates, drives, restores and kills a shell for the terminal service', async () => {
    const host = hostAs(certs.terminal!);
    await host.create({ name: 's1', shell: '/bin/sh', cols: 80, rows: 24, env });
    expect(await host.list()).toEqual(['s1']);

    const client = host.attach('s1', false);
    await client.whenAttached();
    const seen: Buffer[] = [];
    client.on('output', (b) => seen.push(b));
    await client.input('s1', Buffer.from('for i in $(seq 1 30); do echo line-$i; done; echo "home=$HOME"\r'));
    await eventually('the output through the sidecar', () => (Buffer.concat(seen).toString().includes(`home=${home}`) ? true : undefined));
    const capture = await client.capture('s1', 1000);
    client.resume();
    expect(restoreSequence(capture).toString()).toContain('line-30');
    await client.detach();
    expect(await host.list()).toEqual(['s1']);

    // A read-only client (a guest's) gets the screen through the sidecar as well.
    const reader = host.attach('s1', true);
    await reader.whenAttached();
    expect(restoreSequence(await reader.capture('s1', 1000)).toString()).toContain(`home=${home}`);
    reader.resume();
    await reader.detach();

    await host.kill('s1');
    expect(await host.list()).toEqual([]);
  });

  it('keeps the shells when the sidecar itself is killed and restarted', async () => {
    const host = hostAs(certs.terminal!);
    await host.create({ name: 's2', shell: '/bin/sh', cols: 80, rows: 24, env });
    const first = host.attach('s2', false);
    await first.whenAttached();
    await first.input('s2', Buffer.from('echo before-$((6*7))\r'));
    await first.detach();

    const stopped = new Promise((resolve) => sidecar.once('exit', resolve));
    sidecar.kill('SIGKILL');
    await stopped;
    await startSidecar();

    expect(await host.list()).toEqual(['s2']);
    const again = host.attach('s2', false);
    await again.whenAttached();
    const capture = await again.capture('s2', 1000);
    again.resume();
    expect(restoreSequence(capture).toString()).toContain('before-42');
    await again.detach();
    await host.kill('s2');
  });

  it("is where the service's Pty sends a pod account's shells, at the address GetShellHost reported", async () => {
    const pty = new Pty({
      TERMINAL_TMUX_BIN: TMUX_PATH,
      TERMINAL_NSENTER_BIN: '/usr/bin/nsenter',
      TERMINAL_ROOT_DIR: path.join(dir, 'service'),
      TERMINAL_SCROLLBACK_LINES: 1000,
      TERMINAL_PRLIMIT_BIN: '/usr/bin/prlimit',
      TERMINAL_PROCESS_MEMORY_MB: 0,
      TERMINAL_PROCESS_CPU_SECONDS: 0,
      TERMINAL_WORKSPACE_DEADLINE_MS: 10_000,
      MTLS_OFF_FOR_DEVELOPMENT: false,
      MTLS_CERT_FILE: certs.terminal!.certFile,
      MTLS_KEY_FILE: certs.terminal!.keyFile,
      MTLS_CA_FILE: certs.terminal!.caFile,
    } as unknown as ConstructorParameters<typeof Pty>[0]);
    const account = { key: podAccountKeyOf('ws_pod'), home };
    pty.rememberShellHost(account.key, `127.0.0.1:${port}`);
    await pty.create(account, { name: 't_pod', shell: '/bin/sh', cols: 80, rows: 24, env });
    // Held by the pod's tmux (the sidecar's socket), not by a server of this service's root.
    expect(await hostAs(certs.terminal!).list()).toEqual(['t_pod']);
    expect(await pty.list(account)).toEqual(['t_pod']);
    const client = pty.attach(account, 't_pod', false);
    await client.whenAttached();
    const seen: Buffer[] = [];
    client.on('output', (b) => seen.push(b));
    await client.input('t_pod', Buffer.from('echo via-pty-$((40+2))\r'));
    await eventually('the shell through Pty', () => (Buffer.concat(seen).toString().includes('via-pty-42') ? true : undefined));
    await client.detach();
    await pty.kill(account, 't_pod');
    expect(await pty.list(account)).toEqual([]);
  });

  it('admits the terminal service only: another workload of the CA is refused, a certificate of another CA fails the handshake', async () => {
    await expect(hostAs(certs.gateway!).list()).rejects.toThrow(/caller_not_allowed/);
    await expect(hostAs(foreign).list()).rejects.toThrow();
    await expect(hostAs(certs.terminal!).list()).resolves.toEqual([]);
    // A server whose certificate (of the same CA) names another workload is not the shell host: the terminal refuses it.
    const otherPort = await freePort();
    const impostor = await launch(otherPort, 'gateway');
    try {
      const host = new RemoteShellHost({ address: `127.0.0.1:${otherPort}`, material: material(certs.terminal!), timeoutMs: 10_000 });
      await expect(host.list()).rejects.toThrow(/does not name workspace-shell-host/);
    } finally {
      impostor.kill('SIGKILL');
    }
    expect(output).not.toMatch(/fatal/);
  });
});
