import { fakeDebianInstaller } from './fake-debian-installer';
import { TMUX_PATH, ensureTmux } from './tmux';

const fakeInstaller = (state: { installed: boolean; root: boolean }) => fakeDebianInstaller({ provides: [TMUX_PATH], installed: state.installed, root: state.root, version: 'tmux 3.3a' });

describe('ensureTmux', () => {
  it('installs Debian tmux with apt-get only when it is missing', async () => {
    const present = fakeInstaller({ installed: true, root: true });
    await expect(ensureTmux(present.installer)).resolves.toBe(TMUX_PATH);
    expect(present.calls).toEqual([]);
    const missing = fakeInstaller({ installed: false, root: true });
    await expect(ensureTmux(missing.installer)).resolves.toBe(TMUX_PATH);
    expect(missing.calls).toEqual(['root:tmux']);
  });

  it('says what to run when it cannot install', async () => {
    await expect(ensureTmux(fakeInstaller({ installed: false, root: false }).installer)).rejects.toThrow(/sudo apt-get install tmux/);
  });
});
