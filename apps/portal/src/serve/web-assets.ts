import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '@airlock/config';
import { NONCE_PLACEHOLDER } from '../config';

export type Encoding = 'br' | 'gzip' | 'identity';

/** One built file, with the compressed copies the build wrote beside it (`.br`, `.gz`). */
export interface WebFile {
  contentType: string;
  bodies: Partial<Record<Encoding, Buffer>> & { identity: Buffer };
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

const COMPRESSED = { '.br': 'br', '.gz': 'gzip' } as const satisfies Record<string, Encoding>;

/**
 * The built SPA, read once at boot and served from memory: a few hundred KB that never change while the
 * process lives (a new build is a new deployment). `assets/` holds content-hashed names only (Vite's output),
 * so each can be cached for a year; index.html is the template every page answer fills with its own nonce.
 */
export class WebAssets {
  private constructor(
    private readonly indexTemplate: string,
    private readonly files: ReadonlyMap<string, WebFile>,
  ) {}

  /** Throws a ConfigError naming PORTAL_WEB_DIR when the directory holds no build (index.html with the nonce placeholder). */
  static load(dir: string): WebAssets {
    const index = path.join(dir, 'index.html');
    if (!existsSync(index)) throw new ConfigError([{ variable: 'PORTAL_WEB_DIR', message: `no index.html in ${dir}: build the portal first` }]);
    const template = readFileSync(index, 'utf8');
    if (!template.includes(NONCE_PLACEHOLDER)) {
      throw new ConfigError([{ variable: 'PORTAL_WEB_DIR', message: `${index} has no ${NONCE_PLACEHOLDER}: not a portal build` }]);
    }
    const assetsDir = path.join(dir, 'assets');
    const files = new Map<string, WebFile>();
    for (const name of existsSync(assetsDir) ? readdirSync(assetsDir) : []) {
      const full = path.join(assetsDir, name);
      if (!statSync(full).isFile() || path.extname(name) in COMPRESSED) continue;
      const bodies: WebFile['bodies'] = { identity: readFileSync(full) };
      for (const [suffix, encoding] of Object.entries(COMPRESSED)) {
        if (existsSync(full + suffix)) bodies[encoding] = readFileSync(full + suffix);
      }
      files.set(name, { contentType: CONTENT_TYPES[path.extname(name)] ?? 'application/octet-stream', bodies });
    }
    return new WebAssets(template, files);
  }

  /** index.html with `nonce` in every place the build left the placeholder (the meta tag the SPA reads it from). */
  indexHtml(nonce: string): string {
    return this.indexTemplate.replaceAll(NONCE_PLACEHOLDER, nonce);
  }

  /** A file of assets/ by its bare name; no path (separators, dot segments) ever names one. */
  asset(name: string): WebFile | undefined {
    return this.files.get(name);
  }

}

/** The best encoding the client accepts that the file has: brotli, then gzip, else as built. */
export function chooseEncoding(file: WebFile, acceptEncoding: string | undefined): Encoding {
  const accepted = new Set(
    (acceptEncoding ?? '')
      .split(',')
      .map((part) => part.trim().split(';'))
      .filter(([, q]) => q?.trim() !== 'q=0')
      .map(([name]) => name.trim().toLowerCase()),
  );
  if (file.bodies.br && accepted.has('br')) return 'br';
  if (file.bodies.gzip && accepted.has('gzip')) return 'gzip';
  return 'identity';
}
