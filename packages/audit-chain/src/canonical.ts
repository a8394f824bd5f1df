import { createHash } from 'node:crypto';

/** prev_hash of the first record of a chain, and prev_digest_hash of the first digest. */
export const ZERO_HASH = '0'.repeat(64);

/**
 * JSON with object keys sorted at every depth and no whitespace. A verifier re-parses the sink's line and
 * re-serialises it this way, so the hash must not depend on the key order a writer happened to use.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
