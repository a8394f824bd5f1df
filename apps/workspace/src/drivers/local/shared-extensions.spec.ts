import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CatalogueImage } from '../../catalogue/catalogue';
import { SharedExtensions } from './shared-extensions';

const SHA = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
const pinned = { codeServer: { version: '4.139.1', sha256: SHA('cs') }, opencode: { version: '1.18.33', sha256: SHA('oc') } };

function setup() {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ws-shared-ext-'));
  const store = path.join(root, 'store');
  mkdirSync(store);
  writeFileSync(path.join(store, 'airlock.airlock-ai-0.1.0.vsix'), 'vsix-a');
  writeFileSync(path.join(store, 'other.tool-1.0.0.vsix'), 'vsix-b');
  const image: CatalogueImage = {
    image: 'workspace-base:2026.11.21-build1',
    ...pinned,
    extensions: [
      { id: 'airlock.airlock-ai', version: '0.1.0', sha256: SHA('vsix-a'), file: 'airlock.airlock-ai-0.1.0.vsix' },
      { id: 'other.tool', version: '1.0.0', sha256: SHA('vsix-b'), file: 'other.tool-1.0.0.vsix' },
    ],
  };
  const installs: string[][] = [];
  const logs: string[] = [];
  // Stands in for code-server's installer: unpacks each "VSIX" into <dir>/<file name without .vsix>/.
  const installer = async (dir: string, _scratch: string, files: string[]) => {
    installs.push(files.map((f) => readFileSync(f, 'utf8')));
    for (const f of files) {
      const ext = path.join(dir, path.basename(f, '.vsix'));
      mkdirSync(ext, { recursive: true, mode: 0o700 });
      writeFileSync(path.join(ext, 'package.json'), '{}', { mode: 0o600 });
    }
  };
  const shared = (vsixDir = store) =>
    new SharedExtensions({ baseDir: path.join(root, '.extensions'), vsixDir, codeServerEntry: '/nonexistent', nodeBin: process.execPath, installer, log: (_l, m, f) => logs.push(`${m} ${JSON.stringify(f)}`) });
  return { root, store, image, installs, logs, shared };
}

describe('shared per-image extensions directory (local driver)', () => {
  it('installs the verified VSIX files once, read-only to workspaces, and reuses the directory', async () => {
    const { image, installs, shared } = setup();
    const extensions = shared();
    const [a, b] = await Promise.all([extensions.forImage(image), extensions.forImage(image)]);
    expect(a).toBe(b);
    expect(installs).toEqual([['vsix-a', 'vsix-b']]);
    expect(path.basename(a)).toMatch(/^workspace-base_2026\.11\.21-build1-[a-f0-9]{16}$/);
    expect(readdirSync(a).sort()).toEqual(['.airlock-installed', 'airlock.airlock-ai-0.1.0', 'other.tool-1.0.0']);
    for (const p of [path.dirname(a), a, path.join(a, 'airlock.airlock-ai-0.1.0')]) expect(statSync(p).mode & 0o777).toBe(0o755);
    expect(statSync(path.join(a, 'airlock.airlock-ai-0.1.0', 'package.json')).mode & 0o777).toBe(0o644);
    // No scratch copies are left beside it.
    expect(readdirSync(path.dirname(a))).toEqual([path.basename(a)]);
    // A later life of the service finds the marker and installs nothing.
    await expect(shared().forImage(image)).resolves.toBe(a);
    expect(installs).toHaveLength(1);
  });

  it('leaves out a tampered or missing VSIX (never installs it unverified), in a directory of its own', async () => {
    const { image, store, installs, logs, shared } = setup();
    const full = await shared().forImage(image);
    writeFileSync(path.join(store, 'other.tool-1.0.0.vsix'), 'vsix-b+backdoor');
    const partial = await shared().forImage(image);
    expect(partial).not.toBe(full);
    expect(installs[1]).toEqual(['vsix-a']);
    expect(readdirSync(partial).sort()).toEqual(['.airlock-installed', 'airlock.airlock-ai-0.1.0']);
    expect(logs.join('\n')).toMatch(/left out.*other\.tool@1\.0\.0.*workspace_extension_hash_mismatch|left out.*other\.tool@1\.0\.0.*does not match/);
  });

  it('without an extension store, or for an image without extensions: an empty read-only directory', async () => {
    const { image, installs, logs, shared } = setup();
    const none = await shared('').forImage(image);
    expect(readdirSync(none)).toEqual(['.airlock-installed']);
    expect(statSync(none).mode & 0o777).toBe(0o755);
    expect(logs.join('\n')).toMatch(/no extension store/);
    const bare = await shared().forImage({ ...image, image: 'workspace-java:2026.11.21-build1', extensions: [] });
    expect(readdirSync(bare)).toEqual(['.airlock-installed']);
    expect(installs).toEqual([]);
  });

  it('starts over after an interrupted installation (no marker), and retries after a failed one', async () => {
    const { image, installs, shared, root } = setup();
    const dir = await shared().forImage(image);
    const { rmSync } = await import('node:fs');
    rmSync(path.join(dir, '.airlock-installed'));
    await expect(shared().forImage(image)).resolves.toBe(dir);
    expect(installs).toHaveLength(2);
    expect(existsSync(path.join(dir, '.airlock-installed'))).toBe(true);

    let fail = true;
    const flaky = new SharedExtensions({
      baseDir: path.join(root, '.extensions-flaky'),
      vsixDir: path.join(root, 'store'),
      codeServerEntry: '/nonexistent',
      nodeBin: process.execPath,
      installer: async () => {
        if (fail) throw new Error('installer failed');
      },
    });
    await expect(flaky.forImage(image)).rejects.toThrow('installer failed');
    fail = false;
    await expect(flaky.forImage(image)).resolves.toContain('.extensions-flaky');
  });
});
