// The code-server installer: catalogue pin, hash verification before anything runs, cached install.
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { codeServerDir, currentCodeServerPin, ensureCodeServer } from './code-server';

jest.setTimeout(30 * 60_000);

describe('code-server installer', () => {
  it('takes the pin of the catalogue’s current image', () => {
    const pin = currentCodeServerPin();
    expect(pin.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pin.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a tarball whose SHA-256 differs from the pin, and installs nothing', async () => {
    const state = mkdtempSync(path.join(os.tmpdir(), 'airlock-cs-state-'));
    const previous = process.env.AIRLOCK_STATE_DIR;
    process.env.AIRLOCK_STATE_DIR = state;
    try {
      const pin = { ...currentCodeServerPin(), sha256: 'ab'.repeat(32) };
      await expect(ensureCodeServer(pin)).rejects.toThrow(/does not match the catalogue's/);
      expect(existsSync(codeServerDir(pin.version))).toBe(false);
      expect(existsSync(`${codeServerDir(pin.version)}.partial`)).toBe(false);
    } finally {
      if (previous === undefined) delete process.env.AIRLOCK_STATE_DIR;
      else process.env.AIRLOCK_STATE_DIR = previous;
      rmSync(state, { recursive: true, force: true });
    }
  });

  it('installs once at the pin (a one-time build) and answers from the cache afterwards', async () => {
    const first = await ensureCodeServer();
    expect(existsSync(first.entry)).toBe(true);
    expect(first.entry.startsWith(codeServerDir(first.version))).toBe(true);
    // Cached: the stamp answers (same install, same recorded one-time cost), nothing is rebuilt.
    expect(await ensureCodeServer()).toEqual(first);
  });
});
