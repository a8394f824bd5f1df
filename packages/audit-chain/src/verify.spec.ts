import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { auditVerify, formatReport } from './verify';

// An independent writer of the format apps/audit produces (chain per topic/partition, signed digests), so
// these tests can build valid files and tamper with them.
const ZERO = '0'.repeat(64);
const sortKeys = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(sortKeys) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])])) : v;
const canonical = (v: unknown) => JSON.stringify(sortKeys(v));
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

type Rec = Record<string, unknown> & { event_id: string; chain: { id: string; seq: number; prev_hash: string; hash: string } };

function link(fields: Record<string, unknown>, id: string, head?: { seq: number; hash: string }): Rec {
  const chain = { id, seq: (head?.seq ?? 0) + 1, prev_hash: head?.hash ?? ZERO };
  const hash = sha(canonical({ ...fields, chain }));
  return { ...(fields as { event_id: string }), chain: { ...chain, hash } };
}

function rehash(record: Rec): Rec {
  const chain: Partial<Rec['chain']> = { ...record.chain };
  delete chain.hash;
  return { ...record, chain: { ...record.chain, hash: sha(canonical({ ...record, chain })) } };
}

function digest(chains: Record<string, { seq: number; hash: string }>, prev: Record<string, unknown> | undefined, key: KeyObject, time = new Date().toISOString()) {
  const unsigned = { type: 'digest', time, chains, prev_digest_hash: prev ? sha(canonical(prev)) : ZERO };
  return { ...unsigned, signature: sign(null, Buffer.from(canonical(unsigned)), key).toString('base64') };
}

const CHAIN_A = 'airlock.audit.v1/0';
const CHAIN_B = 'airlock.audit.v1/1';

/** 10 records, alternating partitions 0 and 1 (5 each), and two digests: after 6 records and after all 10. */
function fixture(key: KeyObject) {
  const heads: Record<string, { seq: number; hash: string }> = {};
  const records: Rec[] = [];
  const digests: Record<string, unknown>[] = [];
  for (let i = 0; i < 10; i++) {
    const id = i % 2 === 0 ? CHAIN_A : CHAIN_B;
    const record = link({ event_id: `01EVENT${String(i).padStart(4, '0')}`, tenant_id: 't1', changed_files: ['a.ts'], latency_ms: i }, id, heads[id]);
    heads[id] = { seq: record.chain.seq, hash: record.chain.hash };
    records.push(record);
    if (i === 5 || i === 9) digests.push(digest({ ...heads }, digests.at(-1), key));
  }
  return { records, digests };
}

const jsonl = (rows: unknown[]) => rows.map((r) => `${typeof r === 'string' ? r : JSON.stringify(r)}\n`).join('');

describe('auditVerify', () => {
  const signer = generateKeyPairSync('ed25519');
  const publicKeyPem = signer.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  let dir: string;
  let sinkFile: string;
  let digestFile: string;
  let records: Rec[];
  let digests: Record<string, unknown>[];

  const write = async (rows: unknown[], digestRows: unknown[] = digests) => {
    await writeFile(sinkFile, jsonl(rows));
    await writeFile(digestFile, jsonl(digestRows));
  };
  const verifyAll = () => auditVerify(sinkFile, { digestFile, publicKeyPem });

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'audit-verify-'));
    sinkFile = path.join(dir, 'audit.jsonl');
    digestFile = path.join(dir, 'audit.jsonl.digests.jsonl');
    ({ records, digests } = fixture(signer.privateKey));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts an untouched file with its digests and counts each chain', async () => {
    await write(records);
    const report = await verifyAll();
    expect(report.ok).toBe(true);
    expect(report.problem).toBeUndefined();
    expect(report.records).toBe(10);
    expect(report.chains).toEqual({
      [CHAIN_A]: { records: 5, lastSeq: 5, lastHash: records[8].chain.hash },
      [CHAIN_B]: { records: 5, lastSeq: 5, lastHash: records[9].chain.hash },
    });
    expect(report.digests).toEqual({ file: digestFile, count: 2, signaturesChecked: true });
    expect(formatReport(report)).toMatch(/^OK: 10 record\(s\) in 2 chain\(s\)/);
  });

  it('does not depend on the key order of a line', async () => {
    const reordered = records.map((r) => Object.fromEntries(Object.entries(r).reverse()));
    await write(reordered);
    expect((await verifyAll()).ok).toBe(true);
  });

  it('catches an edited field as modified, at its line', async () => {
    records[4] = { ...records[4], tenant_id: 't2' };
    await write(records);
    const report = await verifyAll();
    expect(report.problem).toMatchObject({ kind: 'modified', file: 'sink', line: 5, chain: CHAIN_A });
    expect(report.records).toBe(4);
    expect(formatReport(report)).toContain(`FAILED: modified at ${sinkFile}:5 (chain ${CHAIN_A})`);
  });

  it('catches an edited field whose own hash was recomputed, at the next link', async () => {
    records[4] = rehash({ ...records[4], tenant_id: 't2' });
    await write(records);
    expect((await verifyAll()).problem).toMatchObject({ kind: 'modified', line: 7, chain: CHAIN_A, message: expect.stringContaining('prev_hash') });
  });

  it('catches a line deleted in the middle as a gap', async () => {
    const rows = records.filter((_, i) => i !== 3); // chain B seq 2
    await write(rows);
    // Line 4 is now the record of index 4 (chain A seq 3); chain B resumes at line 5 with seq 3.
    expect((await verifyAll()).problem).toMatchObject({ kind: 'gap', file: 'sink', line: 5, chain: CHAIN_B });
  });

  it('catches two swapped lines of a chain as a reorder', async () => {
    const rows = [...records];
    [rows[2], rows[4]] = [rows[4], rows[2]]; // chain A seq 2 and 3
    await write(rows);
    expect((await verifyAll()).problem).toMatchObject({ kind: 'reorder', file: 'sink', line: 3, chain: CHAIN_A, message: 'seq 3 where seq 2 was expected' });
  });

  it('catches a cut tail only with the digest file, as deleted_tail', async () => {
    const rows = records.slice(0, 8); // chain A ends at seq 4, chain B at seq 4; the last digest says 5 and 5
    await write(rows);
    const withoutDigest = await auditVerify(sinkFile);
    expect(withoutDigest.ok).toBe(true);
    expect(formatReport(withoutDigest)).toContain('no digest file given');
    const report = await verifyAll();
    expect(report.problem).toMatchObject({ kind: 'deleted_tail', file: 'digest', line: 2, chain: CHAIN_A });
    expect(report.problem?.message).toContain('says seq 5, the sink file ends at seq 4');
  });

  it('catches a digest forged to match a cut tail as bad_signature', async () => {
    const rows = records.slice(0, 8);
    const forged = { ...digests[1], chains: { [CHAIN_A]: { seq: 4, hash: records[6].chain.hash }, [CHAIN_B]: { seq: 4, hash: records[7].chain.hash } } };
    await write(rows, [digests[0], forged]);
    expect((await verifyAll()).problem).toMatchObject({ kind: 'bad_signature', file: 'digest', line: 2 });
    // Without the public key only the linkage and the heads are checked, and the forgery passes: say so.
    const unchecked = await auditVerify(sinkFile, { digestFile });
    expect(unchecked.ok).toBe(true);
    expect(formatReport(unchecked)).toContain('signatures NOT checked');
  });

  it('catches a digest re-signed with another key as bad_signature', async () => {
    const other = generateKeyPairSync('ed25519');
    await write(records.slice(0, 8), [digests[0], digest({ [CHAIN_A]: { seq: 4, hash: records[6].chain.hash } }, digests[0], other.privateKey)]);
    expect((await verifyAll()).problem).toMatchObject({ kind: 'bad_signature', line: 2 });
  });

  it('catches a chain rewritten consistently after a digest as digest_mismatch', async () => {
    // Edit record 2 (chain A seq 2) and re-link everything after it: the chain alone verifies again.
    const heads: Record<string, { seq: number; hash: string }> = {};
    const rewritten = records.map((r) => {
      const { chain, ...fields } = r;
      const out = link(r.chain.seq === 2 && chain.id === CHAIN_A ? { ...fields, tenant_id: 'evil' } : fields, chain.id, heads[chain.id]);
      heads[chain.id] = { seq: out.chain.seq, hash: out.chain.hash };
      return out;
    });
    await write(rewritten);
    expect((await auditVerify(sinkFile)).ok).toBe(true);
    expect((await verifyAll()).problem).toMatchObject({ kind: 'digest_mismatch', file: 'digest', line: 1, chain: CHAIN_A });
  });

  it('catches a removed digest as digest_mismatch on the next one', async () => {
    await write(records, [digests[1]]);
    expect((await verifyAll()).problem).toMatchObject({ kind: 'digest_mismatch', file: 'digest', line: 1, message: expect.stringContaining('prev_digest_hash') });
  });

  it('catches a key added to the chain fields as modified', async () => {
    records[3] = { ...records[3], chain: { ...records[3].chain, note: 'x' } } as Rec;
    await write(records);
    expect((await verifyAll()).problem).toMatchObject({ kind: 'modified', line: 4, chain: CHAIN_B });
  });

  it('catches injected lines', async () => {
    // A copy of a record under another event id, chain fields left as they were.
    const copy = { ...records[2], event_id: '01INJECTED' };
    await write([...records.slice(0, 5), copy, ...records.slice(5)]);
    expect((await verifyAll()).problem).toMatchObject({ kind: 'modified', line: 6, chain: CHAIN_A });

    // A well-formed new link after chain A seq 3: the forger's line verifies, the real seq 4 (line 8) then repeats.
    const forged = link({ event_id: '01INJECTED', tenant_id: 't1' }, CHAIN_A, { seq: 3, hash: records[4].chain.hash });
    await write([...records.slice(0, 5), forged, ...records.slice(5)]);
    expect((await verifyAll()).problem).toMatchObject({ kind: 'reorder', line: 8, chain: CHAIN_A, message: 'seq 4 after seq 4' });

    // A line without chain fields at all.
    await write([...records.slice(0, 5), { event_id: '01INJECTED', tenant_id: 't1' }, ...records.slice(5)]);
    expect((await verifyAll()).problem).toMatchObject({ kind: 'malformed_line', line: 6 });
  });

  it('reports a line that is not JSON as malformed_line', async () => {
    await write([...records.slice(0, 3), '{"event_id":"torn', ...records.slice(3)]);
    expect((await verifyAll()).problem).toMatchObject({ kind: 'malformed_line', file: 'sink', line: 4 });
  });

  it('reports a chain that does not start at seq 1 as a gap', async () => {
    await write(records.slice(2), []);
    expect((await auditVerify(sinkFile)).problem).toMatchObject({ kind: 'gap', line: 1, chain: CHAIN_A, message: 'seq 2 where seq 1 was expected' });
  });

  it('reads files written with a trailing newline or without', async () => {
    await write(records);
    const text = await readFile(sinkFile, 'utf8');
    await writeFile(sinkFile, text.trimEnd());
    expect((await verifyAll()).ok).toBe(true);
  });
});
