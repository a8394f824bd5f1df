// Tools taken from Debian packages (from the configured apt mirror only): installed once with apt-get, as root
// or through passwordless sudo, under the same machine-wide apt lock as aptInstall.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { aptInstall } from './apt';
import { withLock } from './lock';
import { log } from './log';
import { run } from './proc';

/** How a Debian package gets installed; replaceable so the decision logic can be tested without apt. */
export interface DebianInstaller {
  exists(file: string): boolean;
  isRoot(): boolean;
  /** True when `sudo` runs without asking for a password. */
  canSudo(): Promise<boolean>;
  installAsRoot(packages: string[]): Promise<void>;
  installWithSudo(packages: string[]): Promise<void>;
  version(binary: string): Promise<string>;
}

const aptLockWait = ['-o', 'DPkg::Lock::Timeout=300'];

export const systemInstaller: DebianInstaller = {
  exists: existsSync,
  isRoot: () => process.getuid?.() === 0,
  canSudo: () =>
    run('sudo', ['-n', 'true'], { timeoutMs: 10_000 }).then(
      () => true,
      () => false,
    ),
  installAsRoot: aptInstall,
  installWithSudo: (packages) =>
    // Same machine-wide lock as aptInstall, so a root and a sudo install never race.
    withLock(
      path.join(os.tmpdir(), 'airlock-apt.lock'),
      async () => {
        const install = ['-n', 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...aptLockWait, 'install', '-y', '-q', '--no-install-recommends', ...packages];
        try {
          await run('sudo', install, { timeoutMs: 15 * 60_000 });
        } catch {
          await run('sudo', ['-n', 'apt-get', ...aptLockWait, 'update', '-q'], { timeoutMs: 10 * 60_000 });
          await run('sudo', install, { timeoutMs: 15 * 60_000 });
        }
      },
      { what: 'apt-get' },
    ),
  version: async (binary) => {
    const { stdout, stderr } = await run(binary, ['--version'], { timeoutMs: 60_000 });
    return `${stdout}${stderr}`.trim();
  },
};

export interface DebianTool {
  /** Human name in messages, e.g. "Chromium". */
  name: string;
  /** The Debian package that provides `binaries`. */
  pkg: string;
  /** Absolute paths that must exist; with `versionPattern`, the first one is asked for its `--version`. */
  binaries: readonly string[];
  /** What `--version` must report; absent for a package of data files (a font). */
  versionPattern?: RegExp;
}

/**
 * Installs `packages` with apt-get, as root or through passwordless sudo; otherwise throws `<what> and cannot be
 * installed`, naming the command to run. `why` ends the log line (", for …").
 */
export async function installDebianPackages(packages: string[], installer: DebianInstaller, what: string, why: string): Promise<void> {
  const list = packages.join(' ');
  if (installer.isRoot()) {
    log(`installing Debian ${list} with apt-get (once${why})`);
    await installer.installAsRoot(packages);
  } else if (await installer.canSudo()) {
    log(`installing Debian ${list} with sudo apt-get (once${why})`);
    await installer.installWithSudo(packages);
  } else {
    throw new Error(`${what} and cannot be installed: not root and sudo asks for a password. Run: sudo apt-get install ${list}`);
  }
}

/**
 * Makes `tool.binaries` exist, installing `tool.pkg` with apt-get first when one is missing (as root, or
 * through passwordless sudo), then checks the first binary's `--version`. Throws saying what to run otherwise.
 */
export async function ensureDebianTool(tool: DebianTool, installer: DebianInstaller = systemInstaller): Promise<void> {
  const missing = () => tool.binaries.filter((b) => !installer.exists(b));
  if (missing().length > 0) {
    const what = `${tool.name} is missing (${missing().join(', ')})`;
    if (!installer.exists('/usr/bin/apt-get')) {
      throw new Error(`${what} and this is not a Debian/Ubuntu system: install ${tool.name} so that ${tool.binaries.join(' and ')} exist`);
    }
    await installDebianPackages([tool.pkg], installer, what, '');
    if (missing().length > 0) throw new Error(`apt-get installed ${tool.pkg} but ${missing().join(', ')} does not exist`);
  }
  if (!tool.versionPattern) return;
  const version = await installer.version(tool.binaries[0]);
  if (!tool.versionPattern.test(version)) throw new Error(`${tool.binaries[0]} --version reported "${version}", expected ${tool.name}`);
}
