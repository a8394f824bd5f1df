import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { fakeDebianInstaller } from './fake-debian-installer';
import { CHROMIUM_PATH, chromiumArgs, ensureChromium, freshUserDataDir, KOREAN_FONT_PATH } from './index';

jest.setTimeout(15 * 60_000);

const fakeInstaller = (state: { installed: boolean; root: boolean; sudo: boolean; debian?: boolean }) =>
  fakeDebianInstaller({ provides: [CHROMIUM_PATH], ...state, version: 'Chromium 156.0.0.0 built on Debian' });

describe('ensureChromium', () => {
  it('does not install when /usr/bin/chromium exists', async () => {
    const { installer, calls } = fakeInstaller({ installed: true, root: false, sudo: false });
    await expect(ensureChromium(installer)).resolves.toBe(CHROMIUM_PATH);
    expect(calls).toEqual([]);
  });

  it('installs Debian chromium with apt-get as root, or through passwordless sudo', async () => {
    const asRoot = fakeInstaller({ installed: false, root: true, sudo: false });
    await expect(ensureChromium(asRoot.installer)).resolves.toBe(CHROMIUM_PATH);
    expect(asRoot.calls).toEqual(['root:chromium']);
    const withSudo = fakeInstaller({ installed: false, root: false, sudo: true });
    await expect(ensureChromium(withSudo.installer)).resolves.toBe(CHROMIUM_PATH);
    expect(withSudo.calls).toEqual(['sudo:chromium']);
  });

  it('installs the Korean font beside an installed Chromium when it is missing', async () => {
    const { installer, calls } = fakeDebianInstaller({
      provides: [CHROMIUM_PATH, KOREAN_FONT_PATH],
      installed: new Set([CHROMIUM_PATH]),
      root: true,
      version: 'Chromium 156.0.0.0 built on Debian',
    });
    await expect(ensureChromium(installer)).resolves.toBe(CHROMIUM_PATH);
    expect(calls).toEqual(['root:fonts-nanum']);
  });

  it('says what to run when it cannot install', async () => {
    const { installer } = fakeInstaller({ installed: false, root: false, sudo: false });
    await expect(ensureChromium(installer)).rejects.toThrow(/sudo apt-get install chromium/);
    const notDebian = fakeInstaller({ installed: false, root: true, sudo: false, debian: false });
    await expect(ensureChromium(notDebian.installer)).rejects.toThrow(/not a Debian/);
  });

  it('returns a Chromium that renders a page headless with the closed-network flags and a fresh profile', async () => {
    const bin = await ensureChromium();
    expect(bin).toBe(CHROMIUM_PATH);
    // fontconfig (what Chromium asks for a fallback font) knows a font that covers Korean.
    const { stdout: koreanFonts } = await promisify(execFile)('fc-list', [':lang=ko', 'family']);
    expect(koreanFonts).toMatch(/Nanum/);
    const profile = await freshUserDataDir('spec');
    try {
      expect(readdirSync(profile.dir)).toEqual([]);
      const { stdout } = await promisify(execFile)(bin, [...chromiumArgs({ userDataDir: profile.dir }), '--dump-dom', 'data:text/html,<p id=x>airlock</p>'], {
        timeout: 120_000,
      });
      expect(stdout).toContain('<p id="x">airlock</p>');
    } finally {
      await profile.remove();
    }
    expect(existsSync(profile.dir)).toBe(false);
  });
});
