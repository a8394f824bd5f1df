import { ZERO_HASH, canonicalJson, sha256Hex } from './canonical';
import { chainId, linkRecord, recordHash } from './hash-chain';

// Shaped like the audit service's records: snake_case fields, a list whose order is part of the content.
const record = (eventId: string) => ({ event_id: eventId, tenant_id: 't1', changed_files: ['b', 'a'], status_code: 0 });

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('drops undefined like JSON.stringify, so a written line and its object hash alike', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });
});

describe('linkRecord', () => {
  it('starts a chain at seq 1 after the zero hash and links each record to the previous hash', () => {
    const id = chainId('airlock.audit.v1', 2);
    expect(id).toBe('airlock.audit.v1/2');
    const first = linkRecord(record('e1'), id, undefined);
    expect(first.chain).toEqual({ id, seq: 1, prev_hash: ZERO_HASH, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const second = linkRecord(record('e2'), id, { seq: first.chain.seq, hash: first.chain.hash });
    expect(second.chain).toMatchObject({ seq: 2, prev_hash: first.chain.hash });
  });

  it('hashes the canonical JSON of the record without chain.hash, the same after a JSON round trip', () => {
    const linked = linkRecord(record('e1'), 'x/0', { seq: 41, hash: 'a'.repeat(64) });
    const { id, seq, prev_hash } = linked.chain;
    expect(linked.chain.hash).toBe(sha256Hex(canonicalJson({ ...record('e1'), chain: { id, seq, prev_hash } })));
    const reparsed = JSON.parse(JSON.stringify(linked)) as typeof linked;
    expect(recordHash(reparsed)).toBe(linked.chain.hash);
    expect(recordHash({ ...reparsed, tenant_id: 't2' })).not.toBe(linked.chain.hash);
  });
});
