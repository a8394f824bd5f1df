import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '@airlock/config';
import { AssertionError, AssertionSigner, AssertionVerifier, loadSignerFile, verifierFromConfig, type Identity, type Jwks } from './index';

const alice: Identity = { subject: 'u-alice', userId: 'u-alice', tenantId: 't-bank', projectId: '', workspaceId: '', roles: ['developer'], kind: 'user' };

describe('key files', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'identity-assertion-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the signing key once (0600) when asked, then reads the same key', async () => {
    const file = path.join(dir, 'keys', 'assertion-key.pem');
    await expect(loadSignerFile(file)).rejects.toThrow(`${file} does not exist`);
    const first = await loadSignerFile(file, { generate: true });
    expect(first).toMatchObject({ generated: true, readableByOthers: false });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = await loadSignerFile(file, { generate: true, ttlSeconds: 30 });
    expect(again.generated).toBe(false);
    expect(again.signer.kid).toBe(first.signer.kid);
    expect(again.signer.ttlSeconds).toBe(30);
    expect(readFileSync(file, 'utf8')).toContain('BEGIN PRIVATE KEY');
  });

  it('names the file when it holds no EC P-256 private key', async () => {
    const garbage = path.join(dir, 'garbage.pem');
    writeFileSync(garbage, 'not a key', { mode: 0o644 });
    await expect(loadSignerFile(garbage, { generate: true })).rejects.toThrow(`${garbage} is not a PEM EC P-256 private key`);
  });

  it('configures a verifier from exactly one of the public key file and the JWKS URL', async () => {
    const signer = AssertionSigner.generate();
    const pub = path.join(dir, 'assertion-key.pub.pem');
    writeFileSync(pub, signer.publicKeyPem);
    const fromFile = await verifierFromConfig({ IDENTITY_ASSERTION_PUBLIC_KEY_FILE: pub });
    await expect(fromFile.verify(signer.sign(alice).token)).resolves.toMatchObject({ userId: 'u-alice' });

    const problems = async (config: Parameters<typeof verifierFromConfig>[0]) => {
      const error = await verifierFromConfig(config).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).problems;
    };
    expect((await problems({})).map((p) => p.variable)).toEqual(['IDENTITY_ASSERTION_PUBLIC_KEY_FILE', 'IDENTITY_ASSERTION_JWKS_URL']);
    expect((await problems({ IDENTITY_ASSERTION_PUBLIC_KEY_FILE: pub, IDENTITY_ASSERTION_JWKS_URL: 'http://127.0.0.1:1/jwks.json' }))[0].message).toContain('both are set');
    const [missing] = await problems({ IDENTITY_ASSERTION_PUBLIC_KEY_FILE: path.join(dir, 'nope.pem') });
    expect(missing).toMatchObject({ variable: 'IDENTITY_ASSERTION_PUBLIC_KEY_FILE', message: expect.stringContaining('cannot read') });
    writeFileSync(pub, 'garbage');
    expect((await problems({ IDENTITY_ASSERTION_PUBLIC_KEY_FILE: pub }))[0].message).toContain('is not a PEM EC P-256 public key');
  });
});

describe('JWKS over HTTP', () => {
  let server: http.Server;
  let url: string;
  let served: Jwks | undefined;
  let requests = 0;

  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      requests++;
      if (!served) return void res.writeHead(503).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(served));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/policy/v1/assertion/jwks.json`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => (requests = 0));

  const code = (promise: Promise<unknown>) => promise.then(() => 'ok', (e: AssertionError) => e.code);

  it('fetches lazily, fails closed while unreachable, and picks up a rotated key', async () => {
    const before = AssertionSigner.generate();
    const after = AssertionSigner.generate();
    let now = Date.now();
    const verifier = AssertionVerifier.fromJwks(url, { now: () => now, refetchCooldownMs: 30_000 });
    expect(requests).toBe(0);

    served = undefined; // policy not up yet
    expect(await code(verifier.verify(before.sign(alice).token))).toBe('keys_unavailable');
    expect(await code(verifier.verify(before.sign(alice).token))).toBe('keys_unavailable');
    expect(requests).toBe(1); // at most one attempt a second while no key is known

    served = { keys: [{ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA', kid: 'bogus' }, ...before.jwks.keys] };
    now += 1_000;
    expect(await code(verifier.verify(before.sign(alice).token))).toBe('ok');
    expect(await code(verifier.verify(before.sign(alice).token))).toBe('ok');
    expect(requests).toBe(2);

    // Rotation: an unknown kid refetches, but not more often than the cooldown.
    served = { keys: [...after.jwks.keys] };
    now += 5_000;
    expect(await code(verifier.verify(after.sign(alice).token))).toBe('unknown_key');
    now += 30_000;
    expect(await code(verifier.verify(after.sign(alice).token))).toBe('ok');
    expect(await code(verifier.verify(before.sign(alice).token))).toBe('unknown_key');
    expect(requests).toBe(3);
  });

  it('shares one fetch among concurrent verifications', async () => {
    const signer = AssertionSigner.generate();
    served = signer.jwks;
    const verifier = AssertionVerifier.fromJwks(url);
    const results = await Promise.all(Array.from({ length: 5 }, () => verifier.verify(signer.sign(alice).token)));
    expect(results.map((r) => r.userId)).toEqual(Array(5).fill('u-alice'));
    expect(requests).toBe(1);
  });

  it('accepts only http(s) URLs', () => {
    expect(() => AssertionVerifier.fromJwks('file:///etc/passwd')).toThrow('must be http(s)');
  });
});
