import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { calculateJwkThumbprint } from 'jose';
import { ConfigError } from '@airlock/config';
import { createLogger } from '@airlock/telemetry';
import { loadSigningKey } from './signing-key';

const logger = createLogger('identity-test', 'silent');

describe('loadSigningKey', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-identity-key-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const problem = async (promise: Promise<unknown>) => {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems[0];
  };

  it('generates a P-256 key with mode 0600 when allowed, and reads the same key back', async () => {
    const file = path.join(dir, 'nested', 'signing.pem');
    const first = await loadSigningKey(file, true, logger);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain('-----BEGIN PRIVATE KEY-----');
    const again = await loadSigningKey(file, true, logger);
    expect(again.kid).toBe(first.kid);
    expect(first.kid).toBe(await calculateJwkThumbprint(first.publicJwk, 'sha256'));
    expect(first.jwks.keys).toEqual([expect.objectContaining({ kty: 'EC', crv: 'P-256', kid: first.kid, alg: 'ES256', use: 'sig' })]);
    expect(first.jwks.keys[0]).not.toHaveProperty('d');
  });

  it('refuses to start without a key file unless generation is allowed, naming the variable', async () => {
    const p = await problem(loadSigningKey(path.join(dir, 'missing.pem'), false, logger));
    expect(p.variable).toBe('IDENTITY_SIGNING_KEY_FILE');
    expect(p.message).toContain('IDENTITY_GENERATE_KEY');
  });

  it('refuses a file that is not an EC P-256 PKCS#8 key', async () => {
    const garbage = path.join(dir, 'garbage.pem');
    writeFileSync(garbage, 'not a key', { mode: 0o600 });
    expect((await problem(loadSigningKey(garbage, true, logger))).variable).toBe('IDENTITY_SIGNING_KEY_FILE');

    const rsa = path.join(dir, 'rsa.pem');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    writeFileSync(rsa, privateKey, { mode: 0o600 });
    expect((await problem(loadSigningKey(rsa, false, logger))).message).toContain('P-256');
  });
});
