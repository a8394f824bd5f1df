import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chainId, linkRecord, signDigest, type ChainHead, type DigestRecord } from '@airlock/audit-chain';
import { airlock } from '@airlock/contracts';
import { newEventId } from '@airlock/events';
import { createPool, type Pool } from '@airlock/postgres';
import { createTestDatabase, startInfra, uniquePrefix, type TestDatabase } from '@airlock/testing';
import { toAuditRecord, type ChainedAuditRecord } from '../src/events/audit-record';

jest.setTimeout(120_000);

const DAY_MS = 24 * 3600 * 1000;
const REINDEX = path.resolve(__dirname, '../dist/reindex.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The built entry point, as an operator runs it. */
function reindex(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [REINDEX, ...args], { env: { ...process.env, LOG_LEVEL: 'fatal', ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A sink file as the service writes it: records hash-chained per partition, and signed digests of the heads. */
function chainedSink(events: { daysAgo: number; partition: number }[]) {
  const heads = new Map<string, ChainHead>();
  const records: ChainedAuditRecord[] = [];
  for (const { daysAgo, partition } of events) {
    const event = airlock.events.v1.AuditEvent.fromPartial({
      eventId: newEventId(),
      eventType: 'ai.request',
      timestamp: new Date(Date.now() - daysAgo * DAY_MS).toISOString(),
      tenantId: 'tenant-r',
      userId: 'u-reindex',
      service: 'gateway',
    });
    const id = chainId('airlock.audit.v1', partition);
    const record = linkRecord(toAuditRecord(event), id, heads.get(id));
    heads.set(id, { seq: record.chain.seq, hash: record.chain.hash });
    records.push(record);
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const digest: DigestRecord = signDigest({ time: new Date().toISOString(), chains: Object.fromEntries(heads) }, undefined, privateKey);
  return { records, digest, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

describe('reindex: the audit index rebuilt from a jsonl sink file (real PostgreSQL, the built entry point)', () => {
  let db: TestDatabase;
  let pool: Pool;
  let dir: string;

  beforeAll(async () => {
    const infra = await startInfra({ components: ['postgres'] });
    db = await createTestDatabase(infra, uniquePrefix('auditreidx'));
    pool = createPool(db.url, { max: 1, password: db.password });
    dir = await mkdtemp(path.join(tmpdir(), 'audit-reindex-'));
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const indexed = async () => (await pool.query<{ event_id: string }>('SELECT event_id FROM audit_events ORDER BY event_id')).rows.map((r) => r.event_id);

  it('verifies the file and its signed digests, then indexes what the retention keeps; a second run adds nothing', async () => {
    const { records, digest, publicKeyPem } = chainedSink([
      { daysAgo: 0, partition: 0 },
      { daysAgo: 1, partition: 1 },
      { daysAgo: 0, partition: 1 },
      { daysAgo: 200, partition: 0 },
      { daysAgo: 2, partition: 0 },
    ]);
    const sink = path.join(dir, 'audit.jsonl');
    await writeFile(sink, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    await writeFile(`${sink}.digests.jsonl`, `${JSON.stringify(digest)}\n`);
    const keyFile = path.join(dir, 'digest.pub.pem');
    await writeFile(keyFile, publicKeyPem);
    const env = { ...db.env, AUDIT_INDEX_RETENTION_DAYS: '30', AUDIT_DIGEST_PUBLIC_KEY_FILE: keyFile };

    const first = await reindex([sink], env);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ verified: true, records: 5, inserted: 4, alreadyIndexed: 0, outsideRetention: 1, malformed: 0 });
    const kept = records.filter((_, i) => i !== 3);
    expect(await indexed()).toEqual(kept.map((r) => r.event_id).sort());
    const { rows } = await pool.query<{ record: ChainedAuditRecord }>('SELECT record FROM audit_events WHERE event_id = $1', [records[1]!.event_id]);
    expect(rows[0]!.record).toEqual(records[1]);

    const again = await reindex([sink], env);
    expect(JSON.parse(again.stdout)).toMatchObject({ verified: true, inserted: 0, alreadyIndexed: 4 });
  });

  it('refuses a tampered file (exit 2, nothing indexed) unless told --unverified', async () => {
    const { records } = chainedSink([
      { daysAgo: 0, partition: 0 },
      { daysAgo: 0, partition: 0 },
    ]);
    const sink = path.join(dir, 'tampered.jsonl');
    const lines = records.map((r) => JSON.stringify(r));
    lines[1] = JSON.stringify({ ...records[1], user_id: 'someone-else' });
    await writeFile(sink, `${lines.join('\n')}\n`);
    const before = await indexed();

    const refused = await reindex([sink], { ...db.env, AUDIT_INDEX_RETENTION_DAYS: '30' });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('modified at line 2');
    expect(await indexed()).toEqual(before);

    const forced = await reindex([sink, '--unverified'], { ...db.env, AUDIT_INDEX_RETENTION_DAYS: '30' });
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ verified: false, problem: { kind: 'modified', line: 2 }, inserted: 2 });
  });

  it('names a missing DATABASE_URL (exit 78) and a missing file argument (exit 64)', async () => {
    const noDb = await reindex([path.join(dir, 'audit.jsonl')], { DATABASE_URL: '' });
    expect(noDb.code).toBe(78);
    expect(noDb.stderr).toContain('config error: DATABASE_URL');
    const noFile = await reindex([], db.env);
    expect(noFile.code).toBe(64);
    expect(noFile.stderr).toContain('usage:');
  });
});
