import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeZip, type ZipEntry } from './zip';

/** The VS Code manifest (src/extension/manifest.json), version taken from the package's package.json. */
export interface ExtensionManifest {
  name: string;
  publisher: string;
  version: string;
  displayName: string;
  description: string;
  engines: { vscode: string };
  [key: string]: unknown;
}

export interface Vsix {
  /** `publisher.name`, as the catalogue and code-server name it. */
  id: string;
  version: string;
  /** `<publisher>.<name>-<version>.vsix` */
  file: string;
  bytes: Buffer;
  sha256: string;
}

/** The package directory (apps/vscode-airlock), from either src/pack or dist/js/pack. */
export const PACKAGE_DIR = path.resolve(__dirname, path.basename(path.dirname(__dirname)) === 'js' ? '../../..' : '../..');
export const CATALOGUE_IMAGES_DIR = path.resolve(PACKAGE_DIR, '../workspace/catalogue/images');
/** The image build's list of approved VSIX files (`<sha256>  <file>`), checked with `sha256sum -c`. */
export const IMAGE_SHA256SUMS = path.resolve(PACKAGE_DIR, '../../deploy/workspace-image/vsix/SHA256SUMS');
/** The command that rebuilds the VSIX and writes its hash into the catalogue. */
export const CATALOGUE_COMMAND = 'pnpm --filter @airlock/vscode-airlock run catalogue';

export function readManifest(packageDir = PACKAGE_DIR): ExtensionManifest {
  const pkg = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const manifest = JSON.parse(readFileSync(path.join(packageDir, 'src', 'extension', 'manifest.json'), 'utf8')) as Omit<ExtensionManifest, 'version'>;
  // Key order fixed: name, displayName, description, version, publisher, then the rest as written.
  const { name, displayName, description, publisher, ...rest } = manifest;
  return { name, displayName, description, version: pkg.version, publisher, ...rest } as ExtensionManifest;
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function contentTypes(): string {
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">',
    '<Default Extension=".js" ContentType="application/javascript"/>',
    '<Default Extension=".json" ContentType="application/json"/>',
    '<Default Extension=".vsixmanifest" ContentType="text/xml"/>',
    '</Types>',
    '',
  ].join('\n');
}

function vsixManifest(m: ExtensionManifest): string {
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<PackageManifest Version="2.0.0" xmlns="http://schemas.microsoft.com/developer/vsx-schema/2011" xmlns:d="http://schemas.microsoft.com/developer/vsx-schema-design/2011">',
    '  <Metadata>',
    `    <Identity Language="en-US" Id="${xml(m.name)}" Version="${xml(m.version)}" Publisher="${xml(m.publisher)}"/>`,
    `    <DisplayName>${xml(m.displayName)}</DisplayName>`,
    `    <Description xml:space="preserve">${xml(m.description)}</Description>`,
    '    <Categories>Other</Categories>',
    '    <Properties>',
    `      <Property Id="Microsoft.VisualStudio.Code.Engine" Value="${xml(m.engines.vscode)}"/>`,
    '      <Property Id="Microsoft.VisualStudio.Code.ExtensionDependencies" Value=""/>',
    '      <Property Id="Microsoft.VisualStudio.Code.ExtensionPack" Value=""/>',
    '      <Property Id="Microsoft.VisualStudio.Code.ExtensionKind" Value="workspace"/>',
    '    </Properties>',
    '  </Metadata>',
    '  <Installation>',
    '    <InstallationTarget Id="Microsoft.VisualStudio.Code"/>',
    '  </Installation>',
    '  <Dependencies/>',
    '  <Assets>',
    '    <Asset Type="Microsoft.VisualStudio.Code.Manifest" Path="extension/package.json" Addressable="true"/>',
    '  </Assets>',
    '</PackageManifest>',
    '',
  ].join('\n');
}

/**
 * The VSIX of the extension: `[Content_Types].xml`, `extension.vsixmanifest`, `extension/package.json` and
 * the compiled `extension/out/*.js` (`scripts` maps each output file name to its bytes).
 */
export function packVsix(manifest: ExtensionManifest, scripts: ReadonlyMap<string, Buffer>): Vsix {
  if (!scripts.has('extension.js')) throw new Error('vsix: extension.js (the manifest main) is missing');
  const entries: ZipEntry[] = [
    { name: '[Content_Types].xml', data: Buffer.from(contentTypes()) },
    { name: 'extension.vsixmanifest', data: Buffer.from(vsixManifest(manifest)) },
    { name: 'extension/package.json', data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) },
    ...[...scripts].map(([name, data]) => ({ name: `extension/out/${name}`, data })),
  ];
  const bytes = writeZip(entries);
  return {
    id: `${manifest.publisher}.${manifest.name}`,
    version: manifest.version,
    file: `${manifest.publisher}.${manifest.name}-${manifest.version}.vsix`,
    bytes,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}

/** The extension's compiled scripts as `tsc -p tsconfig.build.json` wrote them (dist/js/extension). */
export function compiledScripts(packageDir = PACKAGE_DIR): Map<string, Buffer> {
  const dir = path.join(packageDir, 'dist', 'js', 'extension');
  return new Map(
    readdirSync(dir)
      .filter((f) => f.endsWith('.js'))
      .sort()
      .map((f) => [f, readFileSync(path.join(dir, f))]),
  );
}

export interface CatalogueEntry {
  file: string;
  id: string;
  version: string;
  sha256: string;
}

const imageFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => /^workspace-base-.*\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));

function entryPattern(id: string): RegExp {
  const quoted = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // The entry as the `catalogue` command writes it: id, version, file, sha256 on consecutive lines.
  return new RegExp(`^(\\s*- id: ${quoted}\\n\\s+version: )(\\S+)(\\n\\s+file: )(\\S+)(\\n\\s+sha256: )(\\S+)$`, 'm');
}

/** The entry of extension `id` in every workspace-base image manifest (undefined fields where it is absent). */
export function cataloguedEntries(id: string, dir = CATALOGUE_IMAGES_DIR): CatalogueEntry[] {
  return imageFiles(dir).map((file) => {
    const m = entryPattern(id).exec(readFileSync(file, 'utf8'));
    return { file, id, version: m?.[2] ?? '', sha256: m?.[6] ?? '' };
  });
}

/**
 * Writes the VSIX's version, file name and SHA-256 into every workspace-base image manifest, adding the entry
 * where it is missing (an empty `extensions: []` included). Returns the files it changed.
 */
export function updateCatalogue(vsix: Vsix, dir = CATALOGUE_IMAGES_DIR): string[] {
  const changed: string[] = [];
  const block = `  - id: ${vsix.id}\n    version: ${vsix.version}\n    file: ${vsix.file}\n    sha256: ${vsix.sha256}`;
  for (const file of imageFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    let next: string;
    if (entryPattern(vsix.id).test(text)) {
      next = text.replace(entryPattern(vsix.id), (_all, a: string, _v, b: string, _f, c: string) => `${a}${vsix.version}${b}${vsix.file}${c}${vsix.sha256}`);
    } else if (/^extensions: \[\][ \t]*$/m.test(text)) {
      next = text.replace(/^extensions: \[\][ \t]*$/m, `extensions:\n${block}`);
    } else if (/^extensions:[ \t]*$/m.test(text)) {
      next = text.replace(/^extensions:[ \t]*$/m, `extensions:\n${block}`);
    } else {
      next = `${text.replace(/\n*$/, '\n')}extensions:\n${block}\n`;
    }
    if (next !== text) {
      writeFileSync(file, next);
      changed.push(file);
    }
  }
  return changed;
}

/** The lines of a SHA256SUMS file other than this extension's, plus its current one, sorted by file name. */
export function sha256SumsWith(vsix: Vsix, current: string): string {
  const prefix = vsix.file.slice(0, vsix.file.length - `${vsix.version}.vsix`.length);
  const others = current.split('\n').filter((line) => line.trim() !== '' && !line.split(/\s+/)[1]?.startsWith(prefix));
  const lines = [...others, `${vsix.sha256}  ${vsix.file}`].sort((a, b) => (a.split(/\s+/)[1]! < b.split(/\s+/)[1]! ? -1 : 1));
  return `${lines.join('\n')}\n`;
}

/** Writes this extension's line into the image build's SHA256SUMS; true when the file changed. */
export function updateSha256Sums(vsix: Vsix, file = IMAGE_SHA256SUMS): boolean {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const next = sha256SumsWith(vsix, current);
  if (next === current) return false;
  writeFileSync(file, next);
  return true;
}
