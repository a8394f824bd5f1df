import os from 'node:os';
import path from 'node:path';
import { withLock } from './lock';
import { run } from './proc';

let updated = false;

/**
 * `apt-get install -y --no-install-recommends <packages>` (root only), serialized through a lock of ours
 * and dpkg's own lock timeout; runs `apt-get update` first only when the install cannot find a package.
 */
export async function aptInstall(packages: string[]): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error(`missing Debian package(s) ${packages.join(' ')}: install them (sudo apt-get install ${packages.join(' ')})`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const lockWait = ['-o', 'DPkg::Lock::Timeout=300'];
  const install = (): Promise<unknown> =>
    run('apt-get', [...lockWait, 'install', '-y', '-q', '--no-install-recommends', ...packages], { env, timeoutMs: 15 * 60_000 });
  // apt is machine-wide, so is this lock (not under the state dir).
  await withLock(path.join(os.tmpdir(), 'airlock-apt.lock'), async () => {
    try {
      await install();
    } catch (error) {
      if (updated) throw error;
      await run('apt-get', [...lockWait, 'update', '-q'], { env, timeoutMs: 10 * 60_000 });
      updated = true;
      await install();
    }
  }, { what: 'apt-get' });
}
