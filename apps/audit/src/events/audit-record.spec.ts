import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROTO_DIR, PROTO_FILES, airlock } from '@airlock/contracts';
import { AUDIT_FIELD_NAMES, toAuditRecord } from './audit-record';

/** Field names of `message AuditEvent` in the shipped .proto, in declaration order. */
function protoFieldNames(): string[] {
  const source = readFileSync(path.join(PROTO_DIR, path.dirname(PROTO_FILES.audit), '../../events/v1/events.proto'), 'utf8');
  const body = /message AuditEvent \{([\s\S]*?)\n\}/.exec(source)?.[1] ?? '';
  return [...body.matchAll(/^\s*(?:repeated\s+)?\w+\s+(\w+)\s*=\s*\d+;/gm)].map((m) => m[1]);
}

describe('toAuditRecord', () => {
  it('maps every proto field, in proto order, to its proto name', () => {
    const names = protoFieldNames();
    expect(names.length).toBeGreaterThan(20);
    expect(Object.values(AUDIT_FIELD_NAMES)).toEqual(names);
  });

  it('produces snake_case keys carrying the values of the camelCase event', () => {
    const event = airlock.events.v1.AuditEvent.fromPartial({
      eventId: '01J00000000000000000000000',
      eventType: 'ai.request',
      timestamp: '2026-01-02T03:04:05.678Z',
      correlationId: 'corr-00000001',
      tenantId: 't1',
      statusCode: 200,
      latencyMs: 12,
      promptTokens: 5,
      dlpAction: 'mask',
      changedFiles: ['a.ts', 'b.ts'],
    });
    const record = toAuditRecord(event);
    expect(record).toMatchObject({
      event_id: '01J00000000000000000000000',
      event_type: 'ai.request',
      timestamp: '2026-01-02T03:04:05.678Z',
      correlation_id: 'corr-00000001',
      tenant_id: 't1',
      status_code: 200,
      latency_ms: 12,
      prompt_tokens: 5,
      completion_tokens: 0,
      dlp_action: 'mask',
      changed_files: ['a.ts', 'b.ts'],
      diff_hash: '',
    });
    expect(Object.keys(record).every((k) => /^[a-z]+(_[a-z]+)*$/.test(k))).toBe(true);
    expect(Object.keys(record)).toHaveLength(Object.keys(AUDIT_FIELD_NAMES).length);
  });

  it('copies repeated fields instead of sharing them with the event', () => {
    const event = airlock.events.v1.AuditEvent.fromPartial({ eventId: 'e1', changedFiles: ['a'] });
    const record = toAuditRecord(event);
    event.changedFiles.push('b');
    expect(record.changed_files).toEqual(['a']);
  });
});
