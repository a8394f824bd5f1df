import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { CatalogueError, ImageCatalogue, canaryBucket, pullReference, type CatalogueImage } from './catalogue';
import { verifyExtension } from './extension-allowlist';

const SHA = (s: string) => createHash('sha256').update(s).digest('hex');
const pinned = { codeServer: { version: '4.139.1', sha256: SHA('cs') }, opencode: { version: '1.18.33', sha256: SHA('oc') } };
const base1: CatalogueImage = { image: 'workspace-base:2026.11.21-build1', ...pinned, extensions: [] };
const base2: CatalogueImage = {
  image: 'workspace-base:2026.12.01-build2',
  ...pinned,
  extensions: [{ id: 'continue.continue', version: '1.2.3', sha256: SHA('vsix-bytes'), file: 'continue.continue-1.2.3.vsix' }],
};

describe('image catalogue', () => {
  it('loads the catalogue shipped in the repository', () => {
    const shipped = ImageCatalogue.load(path.join(__dirname, '../../catalogue'));
    expect(shipped.current).toMatch(/^workspace-base:\d{4}\.\d{2}\.\d{2}-build\d+$/);
    expect(shipped.find(shipped.current)!.codeServer.sha256).toMatch(/^[a-f0-9]{64}$/);
  });

  it('loads index.yaml + images/*.yaml and refuses malformed manifests naming the file and field', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ws-cat-'));
    mkdirSync(path.join(dir, 'images'));
    writeFileSync(path.join(dir, 'index.yaml'), stringify({ current: base1.image, canary: base2.image }));
    writeFileSync(path.join(dir, 'images', 'a.yaml'), stringify(base1));
    writeFileSync(path.join(dir, 'images', 'b.yaml'), stringify(base2));
    const catalogue = ImageCatalogue.load(dir);
    expect(catalogue.images.map((i) => i.image)).toEqual([base1.image, base2.image]);
    expect(catalogue.canary).toBe(base2.image);

    writeFileSync(path.join(dir, 'images', 'b.yaml'), stringify({ ...base2, codeServer: { version: '4.139.1', sha256: 'abc' } }));
    expect(() => ImageCatalogue.load(dir)).toThrow(/b\.yaml: codeServer\.sha256: expected a lowercase hex SHA-256/);
    writeFileSync(path.join(dir, 'images', 'b.yaml'), stringify({ ...base2, image: 'workspace-base:latest' }));
    expect(() => ImageCatalogue.load(dir)).toThrow(/image: expected workspace-<name>:YYYY.MM.DD-buildN/);
  });

  it('refuses an index naming an uncatalogued image, and duplicate pins', () => {
    expect(() => new ImageCatalogue([base1], base2.image, undefined)).toThrow(CatalogueError);
    expect(() => new ImageCatalogue([base1, base1], base1.image, undefined)).toThrow(/catalogued twice/);
    expect(() => new ImageCatalogue([{ ...base2, extensions: [base2.extensions[0], base2.extensions[0]] }], base2.image, undefined)).toThrow(/twice/);
  });

  it('gives new workspaces the current image, or the canary to a stable share of users', () => {
    const catalogue = new ImageCatalogue([base1, base2], base1.image, base2.image);
    const users = Array.from({ length: 2000 }, (_, i) => `user-${i}`);
    expect(users.every((u) => catalogue.imageFor('acme', u, 0) === base1.image)).toBe(true);
    expect(users.every((u) => catalogue.imageFor('acme', u, 100) === base2.image)).toBe(true);
    const canaries = users.filter((u) => catalogue.imageFor('acme', u, 10) === base2.image);
    expect(canaries.length).toBeGreaterThan(120);
    expect(canaries.length).toBeLessThan(280);
    // Deterministic per user, and a larger share keeps everyone already in it.
    expect(users.filter((u) => catalogue.imageFor('acme', u, 10) === base2.image)).toEqual(canaries);
    for (const u of canaries) expect(catalogue.imageFor('acme', u, 20)).toBe(base2.image);
    expect(canaryBucket('acme', 'alice')).toBe(canaryBucket('acme', 'alice'));
    expect(new ImageCatalogue([base1], base1.image, undefined).imageFor('acme', 'alice', 100)).toBe(base1.image);
  });

  it('builds the pull reference from the registry prefix and the pinned digest', () => {
    expect(pullReference(base1, '')).toBe(base1.image);
    expect(pullReference(base1, 'registry.internal/airlock/')).toBe(`registry.internal/airlock/${base1.image}`);
    const digest = `sha256:${SHA('img')}`;
    expect(pullReference({ ...base1, digest }, 'r.internal')).toBe(`r.internal/${base1.image}@${digest}`);
  });
});

describe('VSIX allowlist', () => {
  const store = mkdtempSync(path.join(os.tmpdir(), 'ws-vsix-'));
  writeFileSync(path.join(store, 'continue.continue-1.2.3.vsix'), 'vsix-bytes');

  it('admits a catalogued extension whose file matches its SHA-256', async () => {
    await expect(verifyExtension(base2, 'continue.continue', '', store)).resolves.toEqual(base2.extensions[0]);
    await expect(verifyExtension(base2, 'continue.continue', '1.2.3', store)).resolves.toEqual(base2.extensions[0]);
  });

  it('refuses an extension the image does not catalogue, or another version', async () => {
    await expect(verifyExtension(base2, 'evil.miner', '', store)).rejects.toMatchObject({ code: 'workspace_extension_not_allowed' });
    await expect(verifyExtension(base1, 'continue.continue', '', store)).rejects.toMatchObject({ code: 'workspace_extension_not_allowed' });
    await expect(verifyExtension(base2, 'continue.continue', '9.9.9', store)).rejects.toMatchObject({ code: 'workspace_extension_not_allowed' });
  });

  it('refuses a tampered file, and one it cannot read', async () => {
    const tampered = mkdtempSync(path.join(os.tmpdir(), 'ws-vsix-'));
    writeFileSync(path.join(tampered, 'continue.continue-1.2.3.vsix'), 'vsix-bytes+backdoor');
    await expect(verifyExtension(base2, 'continue.continue', '', tampered)).rejects.toMatchObject({ code: 'workspace_extension_hash_mismatch' });
    await expect(verifyExtension(base2, 'continue.continue', '', mkdtempSync(path.join(os.tmpdir(), 'ws-vsix-')))).rejects.toMatchObject({
      code: 'workspace_extension_unavailable',
    });
    await expect(verifyExtension(base2, 'continue.continue', '', '')).rejects.toMatchObject({ code: 'workspace_extension_unavailable' });
  });
});
