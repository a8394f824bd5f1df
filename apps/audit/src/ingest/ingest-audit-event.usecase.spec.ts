import { createHash } from 'node:crypto';
import { airlock } from '@airlock/contracts';
import type { ConsumedMessage } from '@airlock/events';
import type { AuditRecord } from '../events/audit-record';
import type { AuditSink } from '../sinks/audit-sink';
import type { AuditSinks } from '../sinks/audit-sinks';
import { AuditStats } from './audit-stats';
import { IngestAuditEvent } from './ingest-audit-event.usecase';

class MemorySink implements AuditSink {
  readonly name = 'jsonl';
  records: AuditRecord[] = [];
  failNext = false;
  async write(records: AuditRecord[]) {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('disk full');
    }
    this.records.push(...records);
  }
  async close() {}
}

const message = (value: Uint8Array | Buffer, offset = '0'): ConsumedMessage => ({ topic: 't', partition: 0, offset, key: null, value: Buffer.from(value) });
const encoded = (eventId: string) => airlock.events.v1.AuditEvent.encode(airlock.events.v1.AuditEvent.fromPartial({ eventId, tenantId: 't1' })).finish();

function setup(window = 100) {
  const sink = new MemorySink();
  const stats = new AuditStats();
  const logger = { warn: jest.fn(), info: jest.fn(), debug: jest.fn(), error: jest.fn() };
  const ingest = new IngestAuditEvent({ AUDIT_DEDUP_WINDOW: window } as never, logger as never, { all: () => [sink] } as unknown as AuditSinks, stats);
  return { sink, stats, logger, ingest };
}

describe('IngestAuditEvent', () => {
  it('writes a new event to the sinks and drops its redelivery', async () => {
    const { sink, stats, ingest } = setup();
    expect(await ingest.execute(message(encoded('e1')))).toBe('written');
    expect(await ingest.execute(message(encoded('e1'), '1'))).toBe('duplicate');
    expect(sink.records.map((r) => r.event_id)).toEqual(['e1']);
    expect(stats.eventsConsumed).toBe(2);
    expect(stats.duplicatesDropped).toBe(1);
    expect(stats.sink('jsonl')).toEqual({ name: 'jsonl', eventsWritten: 1, lastEventId: 'e1' });
  });

  it('skips poison messages, logging only a digest of the payload', async () => {
    const { sink, stats, logger, ingest } = setup();
    const garbage = Buffer.from('secret=hunter2 not protobuf');
    expect(await ingest.execute(message(garbage))).toBe('poison');
    expect(await ingest.execute(message(encoded('')))).toBe('poison');
    expect(sink.records).toHaveLength(0);
    expect(stats.poisonEvents).toBe(2);
    expect(stats.eventsConsumed).toBe(0);
    const logged = JSON.stringify(logger.warn.mock.calls);
    expect(logged).toContain(createHash('sha256').update(garbage).digest('hex'));
    expect(logged).not.toContain('hunter2');
  });

  it('throws when a sink fails and writes the redelivered message afterwards', async () => {
    const { sink, stats, ingest } = setup();
    sink.failNext = true;
    await expect(ingest.execute(message(encoded('e1')))).rejects.toThrow('disk full');
    expect(await ingest.execute(message(encoded('e1')))).toBe('written');
    expect(sink.records.map((r) => r.event_id)).toEqual(['e1']);
    expect(stats.duplicatesDropped).toBe(0);
  });
});
