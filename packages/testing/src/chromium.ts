// Headless Chromium for browser tests: Debian's `chromium` package (from the configured apt mirror only; no
// browser downloads from anywhere else), driven by playwright-core through `executablePath`.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { aptInstall } from './apt';
import { withLock } from './lock';
import { log } from './log';
import { run } from './proc';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Flags for a closed network: no sandbox (containers without user namespaces), no GPU, no QUIC (UDP is
 * usually blocked), and none of the background traffic to Google services (component updates, sync,
 * field trials, first-run pings) that would hang or leak on such a network.
 */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** How ensureChromium installs the package; replaceable so the decision logic can be tested without apt. */
export interface ChromiumInstaller {
  exists(file: string): boolean;
  isRoot(): boolean;
  /** True when `sudo` runs without asking for a password. */
  canSudo(): Promise<boolean>;
  installAsRoot(packages: string[]): Promise<void>;
  installWithSudo(packages: string[]): Promise<void>;
  version(binary: string): Promise<string>;
}

const aptLockWait = ['-o', 'DPkg::Lock::Timeout=300'];

export const systemInstaller: ChromiumInstaller = {
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
    const { stdout } = await run(binary, ['--version'], { timeoutMs: 60_000 });
    return stdout.trim();
  },
};

/**
 * The path of a runnable Chromium: /usr/bin/chromium, installing Debian's `chromium` package with apt-get
 * first when it is missing (as root, or through passwordless sudo). Throws saying what to run otherwise.
 */
export async function ensureChromium(installer: ChromiumInstaller = systemInstaller): Promise<string> {
  if (!installer.exists(CHROMIUM_PATH)) {
    if (!installer.exists('/usr/bin/apt-get')) {
      throw new Error(`Chromium is missing (${CHROMIUM_PATH}) and this is not a Debian/Ubuntu system: install Chromium so that ${CHROMIUM_PATH} exists`);
    }
    if (installer.isRoot()) {
      log('installing Debian chromium with apt-get (once)');
      await installer.installAsRoot(['chromium']);
    } else if (await installer.canSudo()) {
      log('installing Debian chromium with sudo apt-get (once)');
      await installer.installWithSudo(['chromium']);
    } else {
      throw new Error(`Chromium is missing (${CHROMIUM_PATH}) and cannot be installed: not root and sudo asks for a password. Run: sudo apt-get install chromium`);
    }
    if (!installer.exists(CHROMIUM_PATH)) throw new Error(`apt-get installed chromium but ${CHROMIUM_PATH} does not exist`);
  }
  const version = await installer.version(CHROMIUM_PATH);
  if (!/chromium/i.test(version)) throw new Error(`${CHROMIUM_PATH} --version reported "${version}", expected Chromium`);
  return CHROMIUM_PATH;
}

/** An empty profile directory for one browser run (pass to launchPersistentContext or --user-data-dir). */
export async function freshUserDataDir(label = 'chromium'): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `airlock-${label}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** CHROMIUM_FLAGS plus `--user-data-dir` when given (for launching the binary directly). */
export function chromiumArgs(opts: { userDataDir?: string } = {}): string[] {
  return [...CHROMIUM_FLAGS, ...(opts.userDataDir ? [`--user-data-dir=${opts.userDataDir}`] : [])];
}
