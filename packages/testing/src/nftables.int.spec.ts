import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fakeDebianInstaller } from './fake-debian-installer';
import { NFT_PATH, ensureNftables } from './index';

jest.setTimeout(15 * 60_000);

interface FakeInstallerOptions {
  installed: boolean;
  root: boolean;
  version?: string;
}

const fakeInstaller = (state: FakeInstallerOptions) =>
  fakeDebianInstaller({ provides: [NFT_PATH], installed: state.installed, root: state.root, version: state.version ?? 'nftables v1.0.6 (Lester Gooch #5)' });

describe('ensureNftables', () => {
  it('installs Debian nftables with apt-get only when nft is missing', async () => {
    const present = fakeInstaller({ installed: true, root: true });
    await expect(ensureNftables(present.installer)).resolves.toBe(NFT_PATH);
    expect(present.calls).toEqual([]);
    const missing = fakeInstaller({ installed: false, root: true });
    await expect(ensureNftables(missing.installer)).resolves.toBe(NFT_PATH);
    expect(missing.calls).toEqual(['root:nftables']);
  });

  it('says what to run when it cannot install, and refuses a binary that is not nft', async () => {
    await expect(ensureNftables(fakeInstaller({ installed: false, root: false }).installer)).rejects.toThrow(/sudo apt-get install nftables/);
    await expect(ensureNftables(fakeInstaller({ installed: true, root: true, version: 'something else 1.0' }).installer)).rejects.toThrow(/expected nftables/);
  });

  it('returns a working nft (the real package)', async () => {
    const bin = await ensureNftables();
    expect(bin).toBe(NFT_PATH);
    const { stdout } = await promisify(execFile)(bin, ['--version']);
    expect(stdout).toMatch(/^nftables v\d+\.\d+/);
  });
});
