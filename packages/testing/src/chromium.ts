// Headless Chromium for browser tests: Debian's `chromium` package (from the configured apt mirror only; no
// browser downloads from anywhere else), driven by playwright-core through `executablePath`.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureDebianTool, systemInstaller, type DebianInstaller } from './debian-package';

export const CHROMIUM_PATH = '/usr/bin/chromium';
/** A font with Hangul glyphs, from Debian's `fonts-nanum` (10 MB; the Noto CJK package is five times that). */
export const KOREAN_FONT_PATH = '/usr/share/fonts/truetype/nanum/NanumGothic.ttf';

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

/**
 * The path of a runnable Chromium: /usr/bin/chromium, installing Debian's `chromium` package with apt-get
 * first when it is missing (as root, or through passwordless sudo), and a Korean font beside it: Debian's
 * Chromium depends on no CJK font, and without one every Korean page (and its screenshot) shows empty boxes.
 * Throws saying what to run otherwise.
 */
export async function ensureChromium(installer: DebianInstaller = systemInstaller): Promise<string> {
  await ensureDebianTool({ name: 'Chromium', pkg: 'chromium', binaries: [CHROMIUM_PATH], versionPattern: /chromium/i }, installer);
  await ensureDebianTool({ name: 'A Korean font', pkg: 'fonts-nanum', binaries: [KOREAN_FONT_PATH] }, installer);
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
