import { open, readFile } from 'node:fs/promises';
import type { ChainHead } from '@airlock/audit-chain';

const HEX64 = /^[0-9a-f]{64}$/;

export type ChainHeads = Map<string, ChainHead>;

function isHead(value: unknown): value is ChainHead {
  const v = value as ChainHead | undefined;
  return !!v && Number.isSafeInteger(v.seq) && v.seq > 0 && typeof v.hash === 'string' && HEX64.test(v.hash);
}

/**
 * The heads in the state file, replayed line by line (a later line's head of a chain wins over an earlier
 * one's); undefined when it is missing or holds no readable line (the sink file then decides alone). A torn
 * line (a crash mid-append) is skipped. A state file of the old one-snapshot format is a journal of one line.
 */
export async function readChainState(file: string): Promise<ChainHeads | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const heads: ChainHeads = new Map();
  let readable = 0;
  for (const line of text.split('\n')) {
    let parsed: { chains?: Record<string, unknown> };
    try {
      parsed = JSON.parse(line) as typeof parsed;
    } catch {
      continue;
    }
    if (!parsed || typeof parsed !== 'object') continue;
    readable++;
    for (const [id, head] of Object.entries(parsed.chains ?? {})) {
      if (isHead(head)) heads.set(id, { seq: head.seq, hash: head.hash });
    }
  }
  return readable > 0 ? heads : undefined;
}

export interface SinkTail {
  /** Last record of each chain found in the scanned part of the file. */
  heads: ChainHeads;
  /** Event ids of the last records, newest first. */
  recentEventIds: string[];
}

/**
 * Reads a JSONL sink file backwards until it has `idLimit` event ids and the last record of every chain in
 * `wanted` (all chains when `wanted` is undefined, i.e. the whole file). Unparsable lines (a torn last line
 * after a crash) are skipped.
 */
export async function scanSinkTail(file: string, wanted: ReadonlySet<string> | undefined, idLimit: number): Promise<SinkTail> {
  const heads: ChainHeads = new Map();
  const recentEventIds: string[] = [];
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { heads, recentEventIds };
    throw error;
  }
  const missing = new Set(wanted ?? []);
  const done = () => wanted !== undefined && missing.size === 0 && recentEventIds.length >= idLimit;
  const take = (line: string) => {
    if (!line.trim()) return;
    let parsed: { event_id?: unknown; chain?: { id?: unknown; seq?: unknown; hash?: unknown } };
    try {
      parsed = JSON.parse(line) as typeof parsed;
    } catch {
      return;
    }
    if (typeof parsed.event_id === 'string' && recentEventIds.length < idLimit) recentEventIds.push(parsed.event_id);
    const chain = parsed.chain;
    if (chain && typeof chain.id === 'string' && !heads.has(chain.id) && isHead({ seq: chain.seq, hash: chain.hash })) {
      heads.set(chain.id, { seq: chain.seq as number, hash: chain.hash as string });
      missing.delete(chain.id);
    }
  };
  try {
    const chunkSize = 1 << 20;
    let position = (await handle.stat()).size;
    let carry = Buffer.alloc(0); // bytes of a line whose start lies in an earlier chunk
    while (position > 0 && !done()) {
      const length = Math.min(chunkSize, position);
      position -= length;
      const chunk = Buffer.alloc(length);
      await handle.read(chunk, 0, length, position);
      let buffer = Buffer.concat([chunk, carry]);
      let end = buffer.length;
      for (let i = buffer.length - 1; i >= 0 && !done(); i--) {
        if (buffer[i] !== 0x0a) continue;
        take(buffer.subarray(i + 1, end).toString('utf8'));
        end = i;
      }
      buffer = buffer.subarray(0, end);
      carry = Buffer.from(buffer);
    }
    if (position === 0 && carry.length && !done()) take(carry.toString('utf8'));
  } finally {
    await handle.close();
  }
  return { heads, recentEventIds };
}
