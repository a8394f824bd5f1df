import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PtyUnavailableError } from '../errors';
import { Pty, isPodAccount } from './pty.provider';

interface PtyOptions {
  rootDir: string;
  mtlsOff?: boolean;
}

/** A Pty on a scratch root; only the settings it reads. */
const ptyWith = ({ rootDir, mtlsOff = false }: PtyOptions) =>
  new Pty({
    TERMINAL_TMUX_BIN: '/usr/bin/tmux',
    TERMINAL_NSENTER_BIN: '/usr/bin/nsenter',
    TERMINAL_ROOT_DIR: rootDir,
    TERMINAL_SCROLLBACK_LINES: 1000,
    TERMINAL_PRLIMIT_BIN: '/usr/bin/prlimit',
    TERMINAL_PROCESS_MEMORY_MB: 0,
    TERMINAL_PROCESS_CPU_SECONDS: 0,
    TERMINAL_WORKSPACE_DEADLINE_MS: 2000,
    MTLS_OFF_FOR_DEVELOPMENT: mtlsOff,
  } as unknown as ConstructorParameters<typeof Pty>[0]);

describe('Pty: local tmux or a workspace pod shell host', () => {
  const rootDir = mkdtempSync(path.join(os.tmpdir(), 'pty-'));
  afterAll(() => rmSync(rootDir, { recursive: true, force: true }));

  it('tells pod accounts from local ones by their key', () => {
    expect(isPodAccount('p-0123456789abcdef')).toBe(true);
    expect(isPodAccount('w-0123456789abcdef')).toBe(false);
  });

  it("reaches a pod account's shells only while the workspace service reports its shell host", () => {
    const pty = ptyWith({ rootDir });
    expect(pty.reachable('w-1')).toBe(true);
    expect(pty.reachable('p-1')).toBe(false);
    expect(() => pty.attach({ key: 'p-1', home: '/home/coder' }, 't_1', false)).toThrow(PtyUnavailableError);
    pty.rememberShellHost('p-1', '10.244.0.7:7400');
    expect(pty.reachable('p-1')).toBe(true);
    pty.rememberShellHost('p-1', undefined);
    expect(pty.reachable('p-1')).toBe(false);
  });

  it('refuses a pod shell without mTLS: the sidecar admits only this service by its certificate', async () => {
    const pty = ptyWith({ rootDir, mtlsOff: true });
    pty.rememberShellHost('p-2', '10.244.0.8:7400');
    const refused = await pty.list({ key: 'p-2', home: '/home/coder' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(PtyUnavailableError);
    expect(String((refused as PtyUnavailableError).cause)).toMatch(/needs mTLS/);
  });
});
