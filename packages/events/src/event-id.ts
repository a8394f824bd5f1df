import { createHash } from 'node:crypto';
import { encodeTime } from 'ulid';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The event id of something that already has a unique id of its own (Envoy's x-request-id for an edge
 * request): ULID-shaped — `timeMs` in the time part, so it sorts with the others — with the 80 random bits
 * taken from SHA-256 of `scope` and `key`. The same input always gives the same id, so a re-delivery of the
 * same record is the same event and the sinks' de-duplication by event id drops it; `scope` keeps ids of
 * different kinds of record apart even if their keys collide.
 */
export function derivedEventId(scope: string, key: string, timeMs: number): string {
  const digest = createHash('sha256').update(scope).update('\0').update(key).digest();
  let bits = 0n;
  for (let i = 0; i < 10; i++) bits = (bits << 8n) | BigInt(digest[i]!);
  let random = '';
  for (let i = 0; i < 16; i++) {
    random = CROCKFORD[Number(bits & 31n)] + random;
    bits >>= 5n;
  }
  const time = Math.min(Math.max(0, Math.floor(timeMs)), 2 ** 48 - 1);
  return encodeTime(time, 10) + random;
}
