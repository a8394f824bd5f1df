// The extensions every local workspace of one image runs: the image's catalogued VSIX files, verified against
// their SHA-256 and installed once, with code-server's own installer, into a directory shared read-only by all
// of that image's workspaces (`--extensions-dir`), as the container image installs them into
// /opt/code-server/extensions at build time.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CatalogueExtension, CatalogueImage } from '../../catalogue/catalogue';
import { verifyExtension } from '../../catalogue/extension-allowlist';
import type { DriverLog } from '../driver';

export interface SharedExtensionsOptions {
  /** Parent of the per-image directories (the service's, not a workspace's). */
  baseDir: string;
  /** The extension store (WORKSPACE_VSIX_DIR); empty: nothing verifies, workspaces get an empty directory. */
  vsixDir: string;
  codeServerEntry: string;
  nodeBin: string;
  log?: DriverLog;
  /** Installs VSIX files into a directory; default: code-server's CLI installer. */
  installer?: (dir: string, scratch: string, files: string[]) => Promise<void>;
}

/** What the directory is built from: the image name and its catalogued VSIX files. */
export type ImageExtensions = Pick<CatalogueImage, 'image' | 'extensions'>;

const MARKER = '.airlock-installed';
const INSTALL_TIMEOUT_MS = 120_000;

function imageSegment(image: string): string {
  return image.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** Directories 0755, files 0644: readable by every workspace account, writable by none of them. */
function readOnlyTree(dir: string): void {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = lstatSync(p);
    if (st.isDirectory()) readOnlyTree(p);
    else if (st.isFile()) chmodSync(p, 0o644);
  }
  chmodSync(dir, 0o755);
}

export class SharedExtensions {
  private readonly pending = new Map<string, Promise<string>>();

  constructor(private readonly options: SharedExtensionsOptions) {}

  /**
   * The image's extensions directory, installing it on first use. Only extensions that the catalogue lists for
   * the image and whose VSIX hashes right are installed; one that does not is left out (logged), never
   * installed unverified, and the workspace still starts. Concurrent callers share one installation.
   */
  forImage(image: ImageExtensions): Promise<string> {
    const existing = this.pending.get(image.image);
    if (existing) return existing;
    const job = this.prepare(image).catch((error: unknown) => {
      this.pending.delete(image.image);
      throw error;
    });
    this.pending.set(image.image, job);
    return job;
  }

  private async verified(image: ImageExtensions): Promise<{ entry: CatalogueExtension; bytes: Buffer }[]> {
    if (image.extensions.length === 0) return [];
    if (!this.options.vsixDir) {
      this.options.log?.('warn', 'no extension store (WORKSPACE_VSIX_DIR): local workspaces start without the catalogued extensions', { image: image.image });
      return [];
    }
    const out: { entry: CatalogueExtension; bytes: Buffer }[] = [];
    for (const ext of image.extensions) {
      try {
        await verifyExtension(image, ext.id, ext.version, this.options.vsixDir);
        // Installed from this copy, hashed again: the store's file may change after the check.
        const bytes = readFileSync(path.join(this.options.vsixDir, ext.file));
        if (createHash('sha256').update(bytes).digest('hex') !== ext.sha256) throw new Error('VSIX changed while being verified');
        out.push({ entry: ext, bytes });
      } catch (error) {
        this.options.log?.('warn', 'catalogued extension left out: it does not verify', {
          image: image.image,
          extension: `${ext.id}@${ext.version}`,
          err: error instanceof Error ? error.message : String(error),
        });
      }
    }
    return out;
  }

  private async prepare(image: ImageExtensions): Promise<string> {
    const extensions = await this.verified(image);
    const pins = extensions.map((e) => `${e.entry.id}@${e.entry.version}:${e.entry.sha256}`).sort();
    const key = createHash('sha256').update([image.image, ...pins].join('\n')).digest('hex').slice(0, 16);
    const dir = path.join(this.options.baseDir, `${imageSegment(image.image)}-${key}`);
    const marker = path.join(dir, MARKER);
    if (existsSync(marker) && readFileSync(marker, 'utf8') === `${pins.join('\n')}\n`) return dir;

    mkdirSync(this.options.baseDir, { recursive: true, mode: 0o755 });
    chmodSync(this.options.baseDir, 0o755);
    // A directory without its marker is an interrupted installation: start over.
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { mode: 0o700 });
    if (extensions.length > 0) {
      const scratch = mkdtempSync(path.join(this.options.baseDir, '.install-'));
      try {
        const files = extensions.map(({ entry, bytes }) => {
          const file = path.join(scratch, entry.file);
          writeFileSync(file, bytes, { mode: 0o600 });
          return file;
        });
        const started = Date.now();
        await (this.options.installer ?? ((d, sc, f) => this.install(d, sc, f)))(dir, scratch, files);
        this.options.log?.('info', 'installed the image extensions', { image: image.image, extensions: pins.map((p) => p.split(':')[0]), ms: Date.now() - started });
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    }
    writeFileSync(marker, `${pins.join('\n')}\n`, { mode: 0o644 });
    readOnlyTree(dir);
    return dir;
  }

  /** code-server's CLI installer (`--install-extension <file.vsix>`): the layout and extensions.json it expects. */
  private install(dir: string, scratch: string, files: string[]): Promise<void> {
    const args = [this.options.codeServerEntry, '--extensions-dir', dir, '--user-data-dir', path.join(scratch, 'user-data'), ...files.flatMap((f) => ['--install-extension', f])];
    return new Promise((resolve, reject) => {
      const child = spawn(this.options.nodeBin, args, {
        cwd: scratch,
        // Nothing of the service's environment; the marketplace is unreachable (a VSIX naming dependencies fails).
        env: { PATH: `${path.dirname(this.options.nodeBin)}:/usr/bin:/bin`, HOME: scratch, EXTENSIONS_GALLERY: JSON.stringify({ serviceUrl: 'http://127.0.0.1:9/gallery' }) },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: INSTALL_TIMEOUT_MS,
      });
      let output = '';
      const keep = (chunk: Buffer) => (output = `${output}${chunk.toString('utf8')}`.slice(-2_000));
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        // code-server exits 0 even when one extension failed; it reports each one.
        const failed = /Failed Installing Extensions|not compatible|Error:/i.test(output);
        if (code === 0 && !failed) resolve();
        else reject(new Error(`code-server --install-extension failed (${signal ?? code}): ${output.trim().split('\n').slice(-3).join(' | ')}`));
      });
    });
  }
}
