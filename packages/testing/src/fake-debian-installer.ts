import type { DebianInstaller } from './debian-package';

export interface FakeDebianInstallerOptions {
  /** The binaries the package provides: present when `installed`, and after any install. */
  provides: string[];
  installed: boolean | Set<string>;
  root: boolean;
  sudo?: boolean;
  /** false: there is no apt-get (not a Debian machine). */
  debian?: boolean;
  /** What the binary prints as its version. */
  version: string;
}

/**
 * A DebianInstaller that records the installs it is asked for instead of running apt-get, for the specs of the
 * `ensure*` helpers' decisions (install or not, as root or with sudo, or say what to run).
 */
export function fakeDebianInstaller(options: FakeDebianInstallerOptions): { installer: DebianInstaller; calls: string[] } {
  const calls: string[] = [];
  const present = options.installed instanceof Set ? options.installed : new Set(options.installed ? options.provides : []);
  const install = (how: string) => async (pkgs: string[]) => {
    calls.push(`${how}:${pkgs.join(' ')}`);
    for (const file of options.provides) present.add(file);
  };
  const installer: DebianInstaller = {
    exists: (file) => (options.provides.includes(file) ? present.has(file) : options.debian !== false),
    isRoot: () => options.root,
    canSudo: async () => options.sudo ?? false,
    installAsRoot: install('root'),
    installWithSudo: install('sudo'),
    version: async () => options.version,
  };
  return { installer, calls };
}
