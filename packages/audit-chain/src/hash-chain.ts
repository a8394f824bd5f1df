import { ZERO_HASH, canonicalJson, sha256Hex } from './canonical';

/** Last link of a chain: what the next record's `prev_hash` and `seq` follow from. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** Added to every record at sink time. `id` is `topic/partition`; `seq` counts from 1 within that chain. */
export interface ChainFields {
  id: string;
  seq: number;
  prev_hash: string;
  hash: string;
}

/** A record as a sink writes it: its own fields plus its link in the chain. */
export type Chained<R extends object> = R & { chain: ChainFields };

export function chainId(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

/** SHA-256 of the canonical JSON of the record with everything but `chain.hash`. */
export function recordHash<R extends { chain: Omit<ChainFields, 'hash'> & { hash?: string } }>(record: R): string {
  const chain: Partial<ChainFields> = { ...record.chain };
  delete chain.hash;
  return sha256Hex(canonicalJson({ ...record, chain }));
}

/** The record as the next link of the chain whose head is `head` (undefined: a new chain). */
export function linkRecord<R extends object>(record: R, id: string, head: ChainHead | undefined): Chained<R> {
  const unsigned = { ...record, chain: { id, seq: (head?.seq ?? 0) + 1, prev_hash: head?.hash ?? ZERO_HASH } };
  return { ...record, chain: { ...unsigned.chain, hash: recordHash(unsigned) } };
}
