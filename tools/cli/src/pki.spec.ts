import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureDevPki } from './pki';

describe('ensureDevPki', () => {
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-pki-'));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates root -> intermediate -> server that openssl verifies, with the dev SANs', async () => {
    const pki = await ensureDevPki(dir);
    for (const p of Object.values(pki)) expect(path.isAbsolute(p)).toBe(true);
    expect(path.basename(pki.caCert)).toBe('ca-bundle.pem');
    expect(path.basename(pki.chain)).toBe('server.pem');
    expect(path.basename(pki.serverKey)).toBe('server-key.pem');

    const root = path.join(dir, 'root-ca.pem');
    const intermediate = path.join(dir, 'intermediate-ca.pem');
    const out = execFileSync('openssl', ['verify', '-CAfile', root, '-untrusted', intermediate, pki.chain], {
      encoding: 'utf8',
    });
    expect(out).toContain(': OK');
    // Clients trust only the root.
    expect(fs.readFileSync(pki.caCert, 'utf8')).toBe(fs.readFileSync(root, 'utf8'));

    const text = execFileSync('openssl', ['x509', '-in', pki.chain, '-noout', '-text'], { encoding: 'utf8' });
    expect(text).toMatch(/DNS:localhost/);
    expect(text).toMatch(/IP Address:127\.0\.0\.1/);
    expect(text).toMatch(/IP Address:0:0:0:0:0:0:0:1/);
    expect(text).toMatch(/TLS Web Server Authentication/);

    // The chain file is leaf + intermediate; the intermediate may only sign end-entity certificates.
    const certs = fs.readFileSync(pki.chain, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
    expect(certs).toHaveLength(2);
    const leaf = new X509Certificate(certs![0]);
    expect(leaf.ca).toBe(false);
    expect(new Date(leaf.validTo).getTime() - Date.now()).toBeGreaterThan(300 * 86_400_000);
    const intText = execFileSync('openssl', ['x509', '-in', intermediate, '-noout', '-text'], { encoding: 'utf8' });
    expect(intText).toMatch(/CA:TRUE, pathlen:0/);

    expect(fs.statSync(pki.serverKey).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dir, 'root-ca-key.pem')).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.pki-'))).toEqual([]);
  });

  it('reuses valid files on the second call', async () => {
    const files = fs.readdirSync(dir).map((f) => path.join(dir, f));
    const before = new Map(files.map((f) => [f, fs.statSync(f).mtimeMs]));
    await ensureDevPki(dir);
    for (const [f, mtime] of before) expect(fs.statSync(f).mtimeMs).toBe(mtime);
  });

  it('re-issues only the server certificate when it is too close to expiry, keeping the root', async () => {
    const root = fs.readFileSync(path.join(dir, 'root-ca.pem'), 'utf8');
    const oldLeaf = fs.readFileSync(path.join(dir, 'server.pem'), 'utf8');
    // A 1-year certificate is not valid for "more than 400 days", so it must be renewed.
    await ensureDevPki(dir, { minValidDays: 400 });
    expect(fs.readFileSync(path.join(dir, 'root-ca.pem'), 'utf8')).toBe(root);
    expect(fs.readFileSync(path.join(dir, 'server.pem'), 'utf8')).not.toBe(oldLeaf);
  });

  it('regenerates everything when a file is missing or corrupt', async () => {
    const root = fs.readFileSync(path.join(dir, 'root-ca.pem'), 'utf8');
    fs.writeFileSync(path.join(dir, 'intermediate-ca.pem'), 'garbage');
    const pki = await ensureDevPki(dir);
    expect(fs.readFileSync(path.join(dir, 'root-ca.pem'), 'utf8')).not.toBe(root);
    execFileSync('openssl', ['verify', '-CAfile', pki.caCert, '-untrusted', path.join(dir, 'intermediate-ca.pem'),
      pki.chain]);
  });
});
