import { createPublicKey, verify } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ZERO_HASH, canonicalJson, digestHash, type DigestRecord } from '@airlock/audit-chain';
import { memoryLogger } from '@airlock/telemetry';
import type { ChainKeeper } from './chain-keeper';
import { DigestWriter, digestPath, type DigestWriterConfig } from './digest-writer';

const logger = () => memoryLogger('audit-test').logger;

describe('DigestWriter', () => {
  let dir: string;
  let keyFile: string;
  let heads: Record<string, { seq: number; hash: string }>;
  const chains = { snapshot: () => ({ ...heads }) } as unknown as ChainKeeper;
  const config = (extra: Partial<DigestWriterConfig> = {}): DigestWriterConfig => ({
    AUDIT_SINK_JSONL_PATH: path.join(dir, 'audit.jsonl'),
    AUDIT_SIGNING_KEY_FILE: keyFile,
    AUDIT_GENERATE_KEY: true,
    AUDIT_DIGEST_INTERVAL_MS: 60_000,
    ...extra,
  });
  const digests = async () =>
    (await readFile(path.join(dir, 'audit.jsonl.digests.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as DigestRecord);

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'audit-digest-'));
    keyFile = path.join(dir, 'keys', 'signing.pem');
    heads = { 't/0': { seq: 3, hash: 'a'.repeat(64) } };
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('generates a 0600 key, publishes the public key, and appends signed digests linked to each other', async () => {
    const writer = new DigestWriter(config(), logger(), chains);
    await writer.onModuleInit();
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const publicKey = createPublicKey(await readFile(`${keyFile}.pub.pem`, 'utf8'));
    await writer.write();
    heads['t/1'] = { seq: 1, hash: 'b'.repeat(64) };
    await writer.onApplicationShutdown(); // the final digest
    const [first, second] = await digests();
    expect(first).toMatchObject({ type: 'digest', chains: { 't/0': { seq: 3, hash: 'a'.repeat(64) } }, prev_digest_hash: ZERO_HASH });
    expect(second.prev_digest_hash).toBe(digestHash(first));
    expect(Object.keys(second.chains).sort()).toEqual(['t/0', 't/1']);
    for (const d of [first, second]) {
      const unsigned: Partial<DigestRecord> = { ...d };
      delete unsigned.signature;
      expect(verify(null, Buffer.from(canonicalJson(unsigned)), publicKey, Buffer.from(d.signature, 'base64'))).toBe(true);
    }
  });

  it('continues the digest chain after a restart with the same key', async () => {
    const a = new DigestWriter(config(), logger(), chains);
    await a.onModuleInit();
    await a.onApplicationShutdown();
    const b = new DigestWriter(config({ AUDIT_GENERATE_KEY: false }), logger(), chains);
    await b.onModuleInit();
    await b.onApplicationShutdown();
    const [first, second] = await digests();
    expect(second.prev_digest_hash).toBe(digestHash(first));
  });

  it('refuses to start with a missing key unless asked to generate one', async () => {
    const writer = new DigestWriter(config({ AUDIT_GENERATE_KEY: false }), logger(), chains);
    await expect(writer.onModuleInit()).rejects.toThrow(/AUDIT_GENERATE_KEY=true/);
  });

  it('refuses a key that is not Ed25519', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await writeFile(path.join(dir, 'rsa.pem'), rsa);
    const writer = new DigestWriter(config({ AUDIT_SIGNING_KEY_FILE: path.join(dir, 'rsa.pem') }), logger(), chains);
    await expect(writer.onModuleInit()).rejects.toThrow(/not an Ed25519/);
  });

  it('writes nothing, with a warning, when no key file is configured', async () => {
    const log = memoryLogger('audit-test');
    const writer = new DigestWriter(config({ AUDIT_SIGNING_KEY_FILE: undefined }), log.logger, chains);
    await writer.onModuleInit();
    expect(await writer.write()).toBeUndefined();
    await writer.onApplicationShutdown();
    expect(log.lines).toContainEqual(expect.objectContaining({ level: 'warn', msg: expect.stringContaining('AUDIT_SIGNING_KEY_FILE is not set') }));
    expect(digestPath(config())).toBe(path.join(dir, 'audit.jsonl.digests.jsonl'));
  });
});
