import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ZERO_HASH } from '@airlock/audit-chain';
import { airlock } from '@airlock/contracts';
import type { ConsumedMessage } from '@airlock/events';
import { memoryLogger } from '@airlock/telemetry';
import { ChainKeeper, type ChainKeeperConfig } from '../chain/chain-keeper';
import type { AuditIndexWriter } from '../event-index/audit-index-writer';
import type { AuditRecord, ChainedAuditRecord } from '../events/audit-record';
import type { AuditSink } from '../sinks/audit-sink';
import type { AuditSinks } from '../sinks/audit-sinks';
import { AuditStats } from './audit-stats';
import type { DeadLetters } from './dead-letters';
import { IngestAuditEvent } from './ingest-audit-event.usecase';
import { AuditDedup, type AuditDedupConfig, type DedupMark } from '../dedup/audit-dedup';

class MemorySink implements AuditSink {
  constructor(readonly name = 'jsonl') {}
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

/** Stands in for AuditIndexWriter (PostgreSQL): keeps what it was handed, batch by batch. */
class RecordingIndex {
  batches: string[][] = [];
  add(records: readonly ChainedAuditRecord[]) {
    this.batches.push(records.map((r) => r.event_id));
  }
}

const message = (value: Uint8Array | Buffer, offset = '0', partition = 0): ConsumedMessage => ({ topic: 't', partition, offset, key: null, value: Buffer.from(value) });
const encoded = (eventId: string) => airlock.events.v1.AuditEvent.encode(airlock.events.v1.AuditEvent.fromPartial({ eventId, tenantId: 't1' })).finish();

/** What the chain keeper and de-duplication read; without REDIS_URL de-duplication is the in-process window. */
type IngestConfig = ChainKeeperConfig & AuditDedupConfig;

const ingestConfig = (dir: string, over: Partial<IngestConfig> = {}): IngestConfig => ({
  AUDIT_SINKS: [],
  AUDIT_SINK_JSONL_PATH: path.join(dir, 'audit.jsonl'),
  AUDIT_CHAIN_STATE_PATH: path.join(dir, 'chain.json'),
  AUDIT_DEDUP_WINDOW: 100,
  AUDIT_CONSUMER_GROUP: 'audit-test',
  AUDIT_DEDUP_TTL_S: 3600,
  ...over,
});

/** Chain keepers the cases opened (each holds its state journal open), closed after each case. */
const keepers: ChainKeeper[] = [];
async function openKeeper(config: IngestConfig, logger: ReturnType<typeof memoryLogger>['logger']): Promise<ChainKeeper> {
  const keeper = new ChainKeeper(config, logger);
  await keeper.onModuleInit();
  keepers.push(keeper);
  return keeper;
}

async function setup(window = 100, extra: AuditSink[] = []) {
  const sink = new MemorySink();
  const stats = new AuditStats();
  const { logger, lines } = memoryLogger('audit-test');
  const config = ingestConfig(mkdtempSync(path.join(tmpdir(), 'audit-ingest-')), { AUDIT_DEDUP_WINDOW: window });
  const chains = await openKeeper(config, logger);
  const deadLetters = { topic: 't.dlq', publish: jest.fn(async () => undefined) };
  const dedup = new AuditDedup(config, logger);
  const index = new RecordingIndex();
  const ingest = new IngestAuditEvent(logger, { all: () => [sink, ...extra] } as unknown as AuditSinks, stats, chains, deadLetters as unknown as DeadLetters, dedup, index as unknown as AuditIndexWriter);
  return { sink, stats, logLines: lines, ingest, deadLetters, chains, config, dedup, index };
}

describe('IngestAuditEvent', () => {
  afterEach(async () => {
    await Promise.all(keepers.splice(0).map((k) => k.onApplicationShutdown()));
  });

  it('writes a new event to the sinks and drops its redelivery', async () => {
    const { sink, stats, ingest } = await setup();
    expect(await ingest.execute(message(encoded('e1')))).toBe('written');
    expect(await ingest.execute(message(encoded('e1'), '1'))).toBe('duplicate');
    expect(sink.records.map((r) => r.event_id)).toEqual(['e1']);
    expect(stats.eventsConsumed).toBe(2);
    expect(stats.duplicatesDropped).toBe(1);
    expect(stats.sink('jsonl')).toEqual({ name: 'jsonl', eventsWritten: 1, lastEventId: 'e1' });
  });

  it('skips poison messages, logging only a digest of the payload', async () => {
    const { sink, stats, logLines, ingest } = await setup();
    const garbage = Buffer.from('secret=hunter2 not protobuf');
    expect(await ingest.execute(message(garbage))).toBe('poison');
    expect(await ingest.execute(message(encoded('')))).toBe('poison');
    expect(sink.records).toHaveLength(0);
    expect(stats.poisonEvents).toBe(2);
    expect(stats.eventsConsumed).toBe(0);
    const logged = JSON.stringify(logLines.filter((l) => l.level === 'warn'));
    expect(logged).toContain('poison');
    expect(logged).toContain(createHash('sha256').update(garbage).digest('hex'));
    expect(logged).not.toContain('hunter2');
  });

  it('throws when a sink fails and writes the redelivered message afterwards', async () => {
    const { sink, stats, ingest } = await setup();
    sink.failNext = true;
    await expect(ingest.execute(message(encoded('e1')))).rejects.toThrow('disk full');
    expect(await ingest.execute(message(encoded('e1')))).toBe('written');
    expect(sink.records.map((r) => r.event_id)).toEqual(['e1']);
    expect(stats.duplicatesDropped).toBe(0);
  });

  it('chains each partition separately, seq from 1, each record linked to the previous one', async () => {
    const { sink, ingest, chains } = await setup();
    await ingest.execute(message(encoded('e1'), '0', 0));
    await ingest.execute(message(encoded('e2'), '0', 1));
    await ingest.execute(message(encoded('e3'), '1', 0));
    const chained = sink.records as ChainedAuditRecord[];
    expect(chained.map((r) => [r.chain.id, r.chain.seq])).toEqual([
      ['t/0', 1],
      ['t/1', 1],
      ['t/0', 2],
    ]);
    expect(chained[0].chain.prev_hash).toBe(ZERO_HASH);
    expect(chained[2].chain.prev_hash).toBe(chained[0].chain.hash);
    expect(chains.head('t/0')).toEqual({ seq: 2, hash: chained[2].chain.hash });
  });

  it('does not give a dropped duplicate a seq', async () => {
    const { sink, ingest } = await setup();
    await ingest.execute(message(encoded('e1')));
    await ingest.execute(message(encoded('e1'), '1'));
    await ingest.execute(message(encoded('e2'), '2'));
    expect((sink.records as ChainedAuditRecord[]).map((r) => r.chain.seq)).toEqual([1, 2]);
  });

  it('retries a partly written record with the same seq, only to the sinks that do not have it', async () => {
    const second = new MemorySink('hec');
    const { sink, ingest, chains, index } = await setup(100, [second]);
    second.failNext = true;
    await expect(ingest.execute(message(encoded('e1')))).rejects.toThrow('disk full');
    expect(chains.head('t/0')).toBeUndefined();
    // The index follows the sinks: nothing is handed over until every sink has the record.
    expect(index.batches).toEqual([]);
    expect(await ingest.execute(message(encoded('e1')))).toBe('written');
    expect(index.batches).toEqual([['e1']]);
    expect(sink.records).toHaveLength(1);
    expect(second.records).toEqual(sink.records);
    expect(chains.head('t/0')?.seq).toBe(1);
  });

  it('dead-letters poison messages with their reason before the offset may be committed', async () => {
    const { ingest, deadLetters, stats } = await setup();
    const garbage = message(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]), '7');
    expect(await ingest.execute(garbage)).toBe('poison');
    expect(await ingest.execute(message(encoded(''), '8'))).toBe('poison');
    expect(deadLetters.publish.mock.calls).toEqual([
      [garbage, 'undecodable'],
      [expect.objectContaining({ offset: '8' }), 'missing_event_id'],
    ]);
    expect(stats.deadLetters).toBe(2);
  });

  it('throws (so nothing is committed) when the dead-letter topic cannot be written', async () => {
    const { ingest, deadLetters, stats } = await setup();
    deadLetters.publish.mockRejectedValueOnce(new Error('broker down'));
    await expect(ingest.execute(message(Buffer.from([0xff])))).rejects.toThrow('broker down');
    expect(stats.deadLetters).toBe(0);
    expect(await ingest.execute(message(Buffer.from([0xff])))).toBe('poison');
    expect(stats.deadLetters).toBe(1);
  });

  it('drops redeliveries of what the sink file already holds after a restart, and continues the chain', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'audit-ingest-restart-'));
    const sinkFile = path.join(dir, 'audit.jsonl');
    const first = await setup();
    await first.ingest.execute(message(encoded('e1')));
    writeFileSync(sinkFile, first.sink.records.map((r) => `${JSON.stringify(r)}\n`).join(''));

    const { logger } = memoryLogger('audit-test');
    const config = ingestConfig(dir, { AUDIT_SINKS: ['jsonl'], AUDIT_SINK_JSONL_PATH: sinkFile, AUDIT_CHAIN_STATE_PATH: undefined });
    const chains = await openKeeper(config, logger);
    const sink = new MemorySink();
    const stats = new AuditStats();
    const dedup = new AuditDedup(config, logger);
    const ingest = new IngestAuditEvent(logger, { all: () => [sink] } as unknown as AuditSinks, stats, chains, {} as DeadLetters, dedup, new RecordingIndex() as unknown as AuditIndexWriter);
    expect(await ingest.execute(message(encoded('e1')))).toBe('duplicate');
    expect(await ingest.execute(message(encoded('e2'), '1'))).toBe('written');
    expect((sink.records[0] as ChainedAuditRecord).chain).toMatchObject({ seq: 2, prev_hash: (first.sink.records[0] as ChainedAuditRecord).chain.hash });
  });

  it('writes a batch to each sink in one write, drops repeats within it, and chains it in offset order', async () => {
    const second = new MemorySink('hec');
    const writes: number[] = [];
    const write = second.write.bind(second);
    second.write = async (records) => {
      writes.push(records.length);
      await write(records);
    };
    const { ingest, chains } = await setup(100, [second]);
    const outcomes = await ingest.executeBatch([message(encoded('a'), '0'), message(encoded('b'), '1'), message(encoded('a'), '2'), message(encoded('c'), '3')]);
    expect(outcomes).toEqual(['written', 'written', 'duplicate', 'written']);
    expect(writes).toEqual([3]);
    expect((second.records as ChainedAuditRecord[]).map((r) => [r.event_id, r.chain.seq])).toEqual([['a', 1], ['b', 2], ['c', 3]]);
    expect(chains.head('t/0')?.seq).toBe(3);
  });

  it('settles a claim left by a crash against the chain head: at or below it is a duplicate, above it is written again', async () => {
    const { sink, ingest, chains, dedup } = await setup();
    await ingest.execute(message(encoded('e1')));
    const marks = new Map<string, DedupMark>([
      ['e1', { state: 'claimed', instance: dedup.instance, chain: 't/0', seq: 1 }],
      ['e2', { state: 'claimed', instance: dedup.instance, chain: 't/0', seq: 2 }],
      ['e3', { state: 'claimed', instance: 'another-instance', chain: 't/0', seq: 1 }],
    ]);
    jest.spyOn(dedup, 'lookup').mockImplementation(async (ids) => new Map(ids.filter((id) => marks.has(id)).map((id) => [id, marks.get(id)!])));
    const confirm = jest.spyOn(dedup, 'confirm');
    expect(await ingest.executeBatch([message(encoded('e1'), '1'), message(encoded('e2'), '2'), message(encoded('e3'), '3')])).toEqual(['duplicate', 'written', 'written']);
    expect(sink.records.map((r) => r.event_id)).toEqual(['e1', 'e2', 'e3']);
    expect(confirm.mock.calls).toEqual([[['e1']], [['e2', 'e3']]]);
    expect(chains.head('t/0')?.seq).toBe(3);
  });
});
