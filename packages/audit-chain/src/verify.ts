import { createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ZERO_HASH, canonicalJson } from './canonical';
import { type DigestRecord, digestHash } from './digest';
import { type ChainFields, type ChainHead, recordHash } from './hash-chain';

/**
 * `tools/airlock audit verify <file>`: checks an audit JSONL sink file written by apps/audit — each
 * `topic/partition` hash chain, and optionally the signed digest file — and reports the first problem.
 * Needs no running service; uses the same canonical form and hash as the writer (./canonical, ./hash-chain).
 */

export type ProblemKind = 'modified' | 'gap' | 'reorder' | 'deleted_tail' | 'bad_signature' | 'digest_mismatch' | 'malformed_line';

export interface VerifyProblem {
  kind: ProblemKind;
  /** Which input the line number refers to. */
  file: 'sink' | 'digest';
  /** 1-based line number in that file. */
  line: number;
  chain?: string;
  message: string;
}

export interface ChainSummary {
  records: number;
  lastSeq: number;
  lastHash: string;
}

export interface VerifyReport {
  ok: boolean;
  sinkFile: string;
  /** Records checked before the first problem (all of them when ok). */
  records: number;
  chains: Record<string, ChainSummary>;
  digests?: { file: string; count: number; signaturesChecked: boolean };
  problem?: VerifyProblem;
}

export interface VerifyOptions {
  /** Ed25519 public key (PEM) of the digest signer; without it digests are checked for linkage and heads only. */
  publicKeyPem?: string;
  /** The digest file (`<sink>.digests.jsonl`). Without it a cut tail cannot be detected. */
  digestFile?: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

interface Entry {
  line: number;
  chain: ChainFields;
  computed: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isChainFields(value: unknown): value is ChainFields {
  return (
    isObject(value) &&
    typeof value.id === 'string' &&
    value.id.length > 0 &&
    Number.isSafeInteger(value.seq) &&
    (value.seq as number) > 0 &&
    typeof value.prev_hash === 'string' &&
    HEX64.test(value.prev_hash) &&
    typeof value.hash === 'string' &&
    HEX64.test(value.hash)
  );
}

function isDigest(value: unknown): value is DigestRecord {
  if (!isObject(value) || value.type !== 'digest' || typeof value.time !== 'string' || typeof value.signature !== 'string') return false;
  if (typeof value.prev_digest_hash !== 'string' || !HEX64.test(value.prev_digest_hash) || !isObject(value.chains)) return false;
  return Object.values(value.chains).every((h) => isObject(h) && Number.isSafeInteger(h.seq) && typeof h.hash === 'string' && HEX64.test(h.hash));
}

const INVALID = Symbol('invalid JSON');

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return INVALID;
  }
}

/** Lines of a file, 1-based, without the empty string after a final newline. */
function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export async function auditVerify(file: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const report: VerifyReport = { ok: true, sinkFile: file, records: 0, chains: {} };
  const fail = (problem: VerifyProblem): VerifyReport => ({ ...report, ok: false, problem });

  // The digest file is read before the sink file: the service writes a digest only after the records it
  // covers are fsynced, so a file being appended to while it is verified cannot look cut.
  const digestText = opts.digestFile ? await readFile(opts.digestFile, 'utf8') : undefined;
  // Parse first: telling a reorder from a gap needs to know whether a missing seq turns up later.
  const entries: Entry[] = [];
  const lines = splitLines(await readFile(file, 'utf8'));
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const parsed = parseJson(lines[i]);
    if (parsed === INVALID) return fail({ kind: 'malformed_line', file: 'sink', line, message: 'not valid JSON' });
    if (!isObject(parsed) || !isChainFields(parsed.chain)) {
      return fail({ kind: 'malformed_line', file: 'sink', line, message: 'no valid chain fields (chain.id, chain.seq, chain.prev_hash, chain.hash)' });
    }
    // The writer's own hash: everything but chain.hash, unknown keys included, so nothing can be added unnoticed.
    entries.push({ line, chain: parsed.chain, computed: recordHash(parsed as Parameters<typeof recordHash>[0]) });
  }
  const present = new Map<string, Set<number>>();
  for (const { chain } of entries) {
    const seqs = present.get(chain.id) ?? new Set<number>();
    seqs.add(chain.seq);
    present.set(chain.id, seqs);
  }

  // Heads as walked, plus every hash by seq for the digest comparison.
  const heads = new Map<string, ChainHead & { records: number }>();
  const hashes = new Map<string, Map<number, string>>();
  for (const { line, chain, computed } of entries) {
    const id = chain.id;
    if (computed !== chain.hash) {
      return fail({ kind: 'modified', file: 'sink', line, chain: id, message: `seq ${chain.seq}: content does not match its hash` });
    }
    const head = heads.get(id);
    const expected = (head?.seq ?? 0) + 1;
    if (chain.seq < expected) {
      return fail({ kind: 'reorder', file: 'sink', line, chain: id, message: `seq ${chain.seq} after seq ${expected - 1}` });
    }
    if (chain.seq > expected) {
      // The missing record further down means records were moved, not removed.
      const kind = present.get(id)?.has(expected) ? 'reorder' : 'gap';
      return fail({ kind, file: 'sink', line, chain: id, message: `seq ${chain.seq} where seq ${expected} was expected` });
    }
    if (chain.prev_hash !== (head?.hash ?? ZERO_HASH)) {
      return fail({ kind: 'modified', file: 'sink', line, chain: id, message: `seq ${chain.seq}: prev_hash does not match the hash of seq ${expected - 1}` });
    }
    heads.set(id, { seq: chain.seq, hash: chain.hash, records: (head?.records ?? 0) + 1 });
    const byChain = hashes.get(id) ?? new Map<number, string>();
    byChain.set(chain.seq, chain.hash);
    hashes.set(id, byChain);
    report.records++;
    report.chains[id] = { records: (head?.records ?? 0) + 1, lastSeq: chain.seq, lastHash: chain.hash };
  }

  if (!opts.digestFile || digestText === undefined) return report;
  return verifyDigests(report, hashes, opts.digestFile, digestText, opts.publicKeyPem ? createPublicKey(opts.publicKeyPem) : undefined);
}

function verifyDigests(report: VerifyReport, hashes: Map<string, Map<number, string>>, digestFile: string, text: string, publicKey: KeyObject | undefined): VerifyReport {
  const digests = { file: digestFile, count: 0, signaturesChecked: publicKey !== undefined };
  const fail = (problem: VerifyProblem): VerifyReport => ({ ...report, digests, ok: false, problem });
  const lines = splitLines(text);
  let prevHash = ZERO_HASH;
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const parsed = parseJson(lines[i]);
    if (parsed === INVALID) return fail({ kind: 'malformed_line', file: 'digest', line, message: 'not valid JSON' });
    if (!isDigest(parsed)) return fail({ kind: 'malformed_line', file: 'digest', line, message: 'not a digest record' });
    const { signature, ...unsigned } = parsed;
    if (publicKey && !verifySignature(null, Buffer.from(canonicalJson(unsigned), 'utf8'), publicKey, Buffer.from(signature, 'base64'))) {
      return fail({ kind: 'bad_signature', file: 'digest', line, message: `digest of ${parsed.time}: signature does not verify with the given public key` });
    }
    if (parsed.prev_digest_hash !== prevHash) {
      return fail({ kind: 'digest_mismatch', file: 'digest', line, message: `digest of ${parsed.time}: prev_digest_hash does not match the previous digest (one was removed or altered)` });
    }
    prevHash = digestHash(parsed);
    for (const [id, head] of Object.entries(parsed.chains)) {
      const last = report.chains[id]?.lastSeq ?? 0;
      if (head.seq > last) {
        return fail({ kind: 'deleted_tail', file: 'digest', line, chain: id, message: `digest of ${parsed.time} says seq ${head.seq}, the sink file ends at seq ${last}` });
      }
      if (hashes.get(id)?.get(head.seq) !== head.hash) {
        return fail({ kind: 'digest_mismatch', file: 'digest', line, chain: id, message: `digest of ${parsed.time}: hash of seq ${head.seq} differs from the sink file's (the chain was rewritten)` });
      }
    }
    digests.count++;
  }
  return { ...report, digests };
}

export function formatReport(report: VerifyReport): string {
  const out: string[] = [];
  if (report.problem) {
    const p = report.problem;
    const where = p.file === 'sink' ? report.sinkFile : (report.digests?.file ?? 'digest file');
    out.push(`FAILED: ${p.kind} at ${where}:${p.line}${p.chain ? ` (chain ${p.chain})` : ''}: ${p.message}`);
    out.push(`${report.records} record(s) verified before it`);
  } else {
    out.push(`OK: ${report.records} record(s) in ${Object.keys(report.chains).length} chain(s) in ${report.sinkFile}`);
  }
  for (const [id, chain] of Object.entries(report.chains).sort(([a], [b]) => a.localeCompare(b))) {
    out.push(`  ${id}: ${chain.records} record(s), last seq ${chain.lastSeq}, last hash ${chain.lastHash}`);
  }
  if (report.digests) {
    const signed = report.digests.signaturesChecked ? 'signatures verified' : 'signatures NOT checked (no public key given)';
    out.push(`  digests: ${report.digests.count} checked in ${report.digests.file}, ${signed}`);
  } else if (report.ok) {
    out.push('  no digest file given: a cut tail would not be detected');
  }
  return out.join('\n');
}
