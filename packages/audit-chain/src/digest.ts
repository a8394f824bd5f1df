import { type KeyObject, sign } from 'node:crypto';
import { ZERO_HASH, canonicalJson, sha256Hex } from './canonical';
import type { ChainHead } from './hash-chain';

/** One line of the digest file: the head of every chain at `time`, linked to the previous digest and signed. */
export interface DigestRecord {
  type: 'digest';
  time: string;
  chains: Record<string, ChainHead>;
  prev_digest_hash: string;
  /** Base64 Ed25519 signature over the canonical JSON of the record without `signature`. */
  signature: string;
}

export function digestHash(digest: DigestRecord): string {
  return sha256Hex(canonicalJson(digest));
}

export function signDigest(fields: Omit<DigestRecord, 'type' | 'signature' | 'prev_digest_hash'>, prev: DigestRecord | undefined, key: KeyObject): DigestRecord {
  const unsigned = { type: 'digest' as const, time: fields.time, chains: fields.chains, prev_digest_hash: prev ? digestHash(prev) : ZERO_HASH };
  const signature = sign(null, Buffer.from(canonicalJson(unsigned), 'utf8'), key).toString('base64');
  return { ...unsigned, signature };
}
