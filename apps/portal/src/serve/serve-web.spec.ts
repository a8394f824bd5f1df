import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { ConfigError } from '@airlock/config';
import { checkHealth } from '@airlock/grpc';
import { AssertionSigner } from '@airlock/identity-assertion';
import { bootService, type RunningService } from '@airlock/runtime';
import { freePort } from '@airlock/testing';
import { NONCE_PLACEHOLDER } from '../config';
import { portalService } from '../service';

/** A build as web/vite.config.ts lays it out: index.html with the nonce placeholder, hashed assets with .br/.gz copies. */
function fakeBuild(dir: string): { script: string } {
  mkdirSync(path.join(dir, 'assets'), { recursive: true });
  const script = 'index-Ab12Cd34.js';
  writeFileSync(
    path.join(dir, 'index.html'),
    `<!doctype html><html><head><meta name="csp-nonce" content="${NONCE_PLACEHOLDER}"><script type="module" src="/assets/${script}"></script></head><body><div id="root"></div></body></html>`,
  );
  const js = Buffer.from(`console.log(${JSON.stringify('x'.repeat(2000))});`);
  writeFileSync(path.join(dir, 'assets', script), js);
  writeFileSync(path.join(dir, 'assets', `${script}.gz`), gzipSync(js));
  writeFileSync(path.join(dir, 'assets', `${script}.br`), brotliCompressSync(js));
  writeFileSync(path.join(dir, 'assets', 'logo-Zz99Yy88.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  return { script };
}

/** Free ports, and the edge's assertion key the service verifies its health API's callers with (unused here). */
async function ports() {
  const keyFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'portal-edge-')), 'assertion.pem');
  writeFileSync(keyFile, AssertionSigner.generate().publicKeyPem);
  return {
    GRPC_PORT: String(await freePort()),
    HTTP_PORT: String(await freePort()),
    METRICS_PORT: String(await freePort()),
    LOG_LEVEL: 'fatal',
    IDENTITY_ASSERTION_PUBLIC_KEY_FILE: keyFile,
  };
}

const nonceOf = (csp: string | null) => /'nonce-([^']+)'/.exec(csp ?? '')?.[1];

describe('the portal service', () => {
  let dir: string;
  let script: string;
  let service: RunningService;
  let base: string;
  const get = (p: string, headers: Record<string, string> = {}) => fetch(`${base}${p}`, { headers });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'portal-web-'));
    ({ script } = fakeBuild(dir));
    service = await bootService(portalService, { MTLS_OFF_FOR_DEVELOPMENT: 'true', ...(await ports()), PORTAL_WEB_DIR: dir });
    base = `http://${service.httpAddress}`;
  });

  afterAll(async () => {
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['/', '/tokens', '/usage', '/help', '/audit', '/policy', '/terminals', '/finops', '/fleet', '/health', '/usage/'])('serves index.html for the page %s, never cached without asking', async (page) => {
    const res = await get(page, { accept: 'text/html' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(await res.text()).toContain(`src="/assets/${script}"`);
  });

  it('gives each page answer its own nonce, in the CSP and in the page, and allows no inline script', async () => {
    const [a, b] = await Promise.all([get('/'), get('/')]);
    const csp = a.headers.get('content-security-policy')!;
    const nonce = nonceOf(csp)!;
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{24}$/);
    expect(nonceOf(b.headers.get('content-security-policy'))).not.toBe(nonce);
    const html = await a.text();
    expect(html).toContain(`<meta name="csp-nonce" content="${nonce}">`);
    expect(html).not.toContain(NONCE_PLACEHOLDER);

    const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['style-src']).toEqual(["'self'", `'nonce-${nonce}'`]);
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(directives['connect-src']).toEqual(["'self'"]);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
  });

  it('sends the hardening headers on pages, assets and errors alike', async () => {
    for (const res of [await get('/'), await get(`/assets/${script}`), await get('/assets/missing-00000000.js')]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    }
  });

  it('serves a hashed asset for a year, immutable, compressed as the client accepts', async () => {
    const plain = await get(`/assets/${script}`, { 'accept-encoding': 'identity' });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(plain.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.headers.get('vary')).toMatch(/accept-encoding/i);
    const original = await plain.text();

    // fetch() decodes bodies itself; a raw HTTP request shows what went over the wire.
    const raw = async (encoding: string) => {
      const { request } = await import('node:http');
      return new Promise<{ encoding?: string; body: Buffer }>((resolve, reject) => {
        request(`${base}/assets/${script}`, { headers: { 'accept-encoding': encoding } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
        })
          .on('error', reject)
          .end();
      });
    };
    const br = await raw('gzip, deflate, br');
    expect(br.encoding).toBe('br');
    const gz = await raw('gzip;q=1, br;q=0');
    expect(gz.encoding).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(original);
    expect(gz.body.length).toBeLessThan(original.length / 4);

    const svg = await get('/assets/logo-Zz99Yy88.svg', { 'accept-encoding': 'gzip' });
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(svg.headers.get('content-encoding')).toBeNull();
  });

  it('answers an unknown asset with the JSON envelope, and never serves a file outside assets/', async () => {
    const res = await get('/assets/index-00000000.js', { accept: 'text/html' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'asset_not_found', message: 'no such asset', correlation_id: expect.any(String), retryable: false } });
    for (const probe of ['/assets/..%2Findex.html', '/assets/%2e%2e/index.html', '/assets/']) {
      const r = await get(probe);
      expect(r.status).toBe(404);
    }
  });

  it('shows a browser the SPA (404) for any other path, and a script the JSON envelope', async () => {
    const page = await get('/no-such-page', { accept: 'text/html,application/xhtml+xml' });
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(nonceOf(page.headers.get('content-security-policy'))).toBeDefined();
    const api = await get('/no-such-page', { accept: 'application/json' });
    expect(api.status).toBe(404);
    expect(((await api.json()) as any).error.code).toBe('not_found');
  });

  it('serves grpc health for probes', async () => {
    expect(await checkHealth(service.grpcAddress, '')).toBe('SERVING');
  });

  it('refuses to boot without a build, naming PORTAL_WEB_DIR', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'portal-empty-'));
    try {
      const error = await bootService(portalService, { MTLS_OFF_FOR_DEVELOPMENT: 'true', ...(await ports()), PORTAL_WEB_DIR: empty }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([{ variable: 'PORTAL_WEB_DIR', message: expect.stringContaining('no index.html') }]);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
