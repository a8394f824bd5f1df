import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { CATALOGUE_COMMAND, CATALOGUE_IMAGES_DIR, IMAGE_SHA256SUMS, PACKAGE_DIR, cataloguedEntries, packVsix, readManifest, sha256SumsWith, updateCatalogue } from './vsix';
import { readZip, writeZip } from './zip';

/** `tsc -p tsconfig.build.json`, in memory: the extension's scripts exactly as the build writes them. */
function compileExtension(): Map<string, Buffer> {
  const configFile = path.join(PACKAGE_DIR, 'tsconfig.build.json');
  const config = ts.getParsedCommandLineOfConfigFile(configFile, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(String(d.messageText)); } })!;
  const out = new Map<string, Buffer>();
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
  const emitted = program.emit(undefined, (file, text) => {
    const rel = path.relative(path.join(PACKAGE_DIR, 'dist', 'js', 'extension'), file);
    if (!rel.startsWith('..') && !rel.includes(path.sep) && rel.endsWith('.js')) out.set(rel, Buffer.from(text));
  });
  expect(emitted.diagnostics).toEqual([]);
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

describe('deterministic zip', () => {
  it('round-trips, sorts entries, and gives the same bytes for the same entries in any order', () => {
    const a = { name: 'b/x.js', data: Buffer.from('x') };
    const b = { name: 'a.json', data: Buffer.from('{}') };
    const zip = writeZip([a, b]);
    expect(writeZip([b, a]).equals(zip)).toBe(true);
    expect(readZip(zip).map((e) => [e.name, e.data.toString()])).toEqual([
      ['a.json', '{}'],
      ['b/x.js', 'x'],
    ]);
    expect(() => writeZip([a, a])).toThrow(/duplicate/);
    expect(() => writeZip([{ name: '../evil', data: Buffer.alloc(0) }])).toThrow(/relative/);
  });
});

describe('the Airlock AI VSIX', () => {
  const manifest = readManifest();
  const scripts = compileExtension();
  const vsix = packVsix(manifest, scripts);

  it('holds the VS Code manifest (publisher airlock, name airlock-ai, engine ^1.138.0) and the compiled scripts', () => {
    const entries = new Map(readZip(vsix.bytes).map((e) => [e.name, e.data]));
    expect([...entries.keys()]).toEqual(['[Content_Types].xml', 'extension.vsixmanifest', ...[...scripts.keys()].map((f) => `extension/out/${f}`), 'extension/package.json']);
    const pkg = JSON.parse(entries.get('extension/package.json')!.toString());
    expect(pkg).toMatchObject({ publisher: 'airlock', name: 'airlock-ai', version: manifest.version, engines: { vscode: '^1.138.0' }, main: './out/extension.js' });
    expect(pkg.activationEvents).toEqual(['onStartupFinished']);
    expect(Object.keys(pkg.contributes.configuration.properties).sort()).toEqual(
      ['airlock.caFile', 'airlock.gatewayUrl', 'airlock.inlineCompletion.enabled', 'airlock.projectId', 'airlock.tenantId', 'airlock.tokenFile', 'airlock.workspaceId'].sort(),
    );
    expect(pkg.contributes.commands.map((c: { command: string }) => c.command)).toContain('airlock.askSelection');
    expect(entries.get('extension.vsixmanifest')!.toString()).toContain('<Identity Language="en-US" Id="airlock-ai" Version="0.1.0" Publisher="airlock"/>');
    expect(vsix.file).toBe(`airlock.airlock-ai-${manifest.version}.vsix`);
    // No runtime dependency: the scripts require only Node built-ins and VS Code.
    const required = [...scripts.values()].flatMap((s) => [...s.toString().matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!));
    expect(required.filter((r) => !r.startsWith('node:') && !r.startsWith('./') && r !== 'vscode')).toEqual([]);
  });

  it(`is exactly what the image catalogue pins (after changing the extension run: ${CATALOGUE_COMMAND})`, () => {
    const entries = cataloguedEntries(vsix.id);
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) {
      const where = path.basename(entry.file);
      if (entry.sha256 !== vsix.sha256 || entry.version !== vsix.version) {
        throw new Error(
          `${where} pins ${vsix.id} ${entry.version || '(absent)'} sha256 ${entry.sha256 || '(absent)'}, but the sources build ${vsix.version} sha256 ${vsix.sha256}. ` +
            `Run \`${CATALOGUE_COMMAND}\` and commit the catalogue change.`,
        );
      }
    }
  });

  it(`is what the image build's vsix/SHA256SUMS lists (after changing the extension run: ${CATALOGUE_COMMAND})`, () => {
    const sums = readFileSync(IMAGE_SHA256SUMS, 'utf8');
    if (sha256SumsWith(vsix, sums) !== sums) {
      throw new Error(`deploy/workspace-image/vsix/SHA256SUMS does not list ${vsix.file} with sha256 ${vsix.sha256}. Run \`${CATALOGUE_COMMAND}\`.`);
    }
    // Other approved files keep their lines; an older build of this one is replaced.
    expect(sha256SumsWith(vsix, `${'a'.repeat(64)}  zeta.tool-1.0.0.vsix\n${'b'.repeat(64)}  ${vsix.id}-0.0.1.vsix\n`)).toBe(`${vsix.sha256}  ${vsix.file}\n${'a'.repeat(64)}  zeta.tool-1.0.0.vsix\n`);
  });

  it('the catalogue command writes the entry into every workspace-base manifest, idempotently', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-cat-'));
    for (const f of readdirSync(CATALOGUE_IMAGES_DIR)) copyFileSync(path.join(CATALOGUE_IMAGES_DIR, f), path.join(dir, f));
    writeFileSync(path.join(dir, 'workspace-base-2099.01.01-build1.yaml'), 'image: workspace-base:2099.01.01-build1\nextensions: []\n');
    mkdirSync(path.join(dir, 'sub'));
    updateCatalogue({ ...vsix, sha256: 'f'.repeat(64) }, dir);
    expect(cataloguedEntries(vsix.id, dir).map((e) => e.sha256)).toEqual(readdirSync(dir).filter((f) => f.endsWith('.yaml')).map(() => 'f'.repeat(64)));
    expect(updateCatalogue(vsix, dir).length).toBe(cataloguedEntries(vsix.id, dir).length);
    expect(updateCatalogue(vsix, dir)).toEqual([]);
    expect(readFileSync(path.join(dir, 'workspace-base-2099.01.01-build1.yaml'), 'utf8')).toBe(
      `image: workspace-base:2099.01.01-build1\nextensions:\n  - id: ${vsix.id}\n    version: ${vsix.version}\n    file: ${vsix.file}\n    sha256: ${vsix.sha256}\n`,
    );
  });
});
