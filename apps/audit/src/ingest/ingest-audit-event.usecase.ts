import { Inject, Injectable } from '@nestjs/common';
import { chainId, linkRecord } from '@airlock/audit-chain';
import { airlock } from '@airlock/contracts';
import { type ConsumedMessage, poisonLogFields } from '@airlock/events';
import { APP_LOGGER } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import { ChainKeeper } from '../chain/chain-keeper';
import { AuditDedup, type DedupMark } from '../dedup/audit-dedup';
import { AuditIndexWriter } from '../event-index/audit-index-writer';
import { toAuditRecord, type ChainedAuditRecord } from '../events/audit-record';
import { AuditSinks } from '../sinks/audit-sinks';
import { AuditStats } from './audit-stats';
import { DeadLetters } from './dead-letters';

type AuditEvent = airlock.events.v1.AuditEvent;
export type IngestOutcome = 'written' | 'duplicate' | 'poison';

// Printable ASCII without spaces: ULIDs and any other sane id pass, binary junk decoded as a string does not.
const EVENT_ID = /^[\x21-\x7e]{1,128}$/;

/** Records of one chain, linked and claimed, that some sinks have acknowledged: a retry reuses their seqs and skips those sinks. */
interface Pending {
  records: ChainedAuditRecord[];
  acked: Set<string>;
}

interface Fresh {
  index: number;
  message: ConsumedMessage;
  event: AuditEvent;
}

/**
 * Takes messages from the audit topic to every sink, once per event id, as the next links of their
 * partition's hash chain. A batch (one partition's fetch) is written to each sink with one write — one
 * fsync for the jsonl sink — and the chain state is persisted once. Throws when a sink fails, so the offsets
 * are not committed and Kafka redelivers. Poison messages go to the dead-letter topic before their offset
 * may be committed.
 *
 * De-duplication (AuditDedup): each id is looked up before chaining; new ids are claimed (`chain`, `seq`)
 * before the sinks are written and confirmed after. A claim this instance left unconfirmed by a crash is
 * settled against the chain head recovered at boot: at or below it, the sinks have the record.
 */
@Injectable()
export class IngestAuditEvent {
  private readonly pending = new Map<string, Pending>();
  private seeded = false;

  constructor(
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly sinks: AuditSinks,
    private readonly stats: AuditStats,
    private readonly chains: ChainKeeper,
    private readonly deadLetters: DeadLetters,
    private readonly dedup: AuditDedup,
    private readonly index: AuditIndexWriter,
  ) {}

  async execute(message: ConsumedMessage): Promise<IngestOutcome> {
    const [outcome] = await this.executeBatch([message]);
    return outcome!;
  }

  /** Messages of one partition in offset order; resolves with each one's outcome once all are durable in every sink. */
  async executeBatch(messages: readonly ConsumedMessage[]): Promise<IngestOutcome[]> {
    if (!this.seeded) {
      this.seeded = true;
      this.dedup.seed(this.chains.takeRecoveredEventIds());
    }
    const outcomes: IngestOutcome[] = [];
    const candidates: Fresh[] = [];
    const inBatch = new Set<string>();
    for (const [index, message] of messages.entries()) {
      const decoded = this.decode(message);
      if ('reason' in decoded) {
        await this.deadLetter(message, decoded.reason);
        outcomes[index] = 'poison';
      } else if (inBatch.has(decoded.event.eventId)) {
        outcomes[index] = this.duplicate();
      } else {
        inBatch.add(decoded.event.eventId);
        candidates.push({ index, message, event: decoded.event });
      }
    }
    if (candidates.length === 0) return outcomes;

    // Dropped before chaining: a redelivery must not take a seq of its own.
    const marks = await this.dedup.lookup(candidates.map((c) => c.event.eventId));
    const settled: string[] = [];
    const byChain = new Map<string, Fresh[]>();
    for (const c of candidates) {
      const mark = marks.get(c.event.eventId);
      if (this.delivered(mark)) {
        outcomes[c.index] = this.duplicate();
        if (mark?.state === 'claimed') settled.push(c.event.eventId);
        continue;
      }
      const id = chainId(c.message.topic, c.message.partition);
      const list = byChain.get(id) ?? [];
      list.push(c);
      byChain.set(id, list);
    }
    if (settled.length) await this.dedup.confirm(settled);
    for (const [id, fresh] of byChain) {
      await this.writeChain(id, fresh.map((f) => f.event));
      for (const f of fresh) {
        outcomes[f.index] = 'written';
        this.stats.consumed();
      }
    }
    return outcomes;
  }

  private duplicate(): IngestOutcome {
    this.stats.consumed();
    this.stats.duplicate();
    return 'duplicate';
  }

  private delivered(mark: DedupMark | undefined): boolean {
    if (!mark) return false;
    if (mark.state === 'done') return true;
    // Another instance's unfinished claim cannot be checked against its sinks: written again (at least once).
    if (mark.instance !== this.dedup.instance) return false;
    return (this.chains.head(mark.chain)?.seq ?? 0) >= mark.seq;
  }

  private async writeChain(id: string, events: AuditEvent[]): Promise<void> {
    let rest = events;
    const pending = this.pending.get(id);
    if (pending) {
      const k = Math.min(pending.records.length, events.length);
      if (pending.records.slice(0, k).every((r, i) => r.event_id === events[i]!.eventId)) {
        // The retry of a batch some sinks took: same records, same seqs, only to the sinks that lack them.
        const later = pending.records.slice(k);
        await this.complete(id, { records: pending.records.slice(0, k), acked: pending.acked });
        if (later.length) this.pending.set(id, { records: later, acked: new Set(pending.acked) });
        rest = events.slice(k);
      } else {
        // Kafka redelivers a partition from its committed offset, so different events here mean the pending
        // ones were never acknowledged by every sink (e.g. a rebalance moved the partition away and back).
        this.pending.delete(id);
      }
    }
    if (rest.length === 0) return;
    const records: ChainedAuditRecord[] = [];
    let head = this.chains.head(id);
    for (const event of rest) {
      const record = linkRecord(toAuditRecord(event), id, head);
      records.push(record);
      head = { seq: record.chain.seq, hash: record.chain.hash };
    }
    await this.dedup.claim(records.map((r) => ({ eventId: r.event_id, chain: id, seq: r.chain.seq })));
    await this.complete(id, { records, acked: new Set() });
  }

  private async complete(id: string, pending: Pending): Promise<void> {
    this.pending.set(id, pending);
    const last = pending.records[pending.records.length - 1]!.event_id;
    for (const sink of this.sinks.all()) {
      if (pending.acked.has(sink.name)) continue;
      await sink.write(pending.records);
      pending.acked.add(sink.name);
      this.stats.written(sink.name, last, pending.records.length);
    }
    // Head moved and persisted before the offset commit; confirmed only once every sink has the records, so a
    // failed write is retried instead of being mistaken for a duplicate.
    await this.chains.advanceAll(pending.records);
    this.pending.delete(id);
    this.stats.delivered(pending.records.map((r) => r.timestamp));
    // Queued, never awaited: the index follows the sinks and must not hold up or fail their delivery.
    this.index.add(pending.records);
    await this.dedup.confirm(pending.records.map((r) => r.event_id));
  }

  private decode(message: ConsumedMessage): { event: AuditEvent } | { reason: string } {
    let event: AuditEvent;
    try {
      event = airlock.events.v1.AuditEvent.decode(message.value);
    } catch {
      return { reason: 'undecodable' };
    }
    if (!EVENT_ID.test(event.eventId)) return { reason: 'missing_event_id' };
    return { event };
  }

  private async deadLetter(message: ConsumedMessage, reason: string): Promise<void> {
    const fields = poisonLogFields(message, reason);
    try {
      await this.deadLetters.publish(message, reason);
    } catch (error) {
      // Not committed: Kafka redelivers the message and the dead-lettering is tried again.
      this.logger.error({ ...fields, err: error instanceof Error ? error.message : String(error) }, 'could not dead-letter poison audit message');
      throw error;
    }
    this.stats.poison(reason);
    this.stats.deadLettered(reason);
    this.logger.warn({ ...fields, dead_letter_topic: this.deadLetters.topic }, 'poison audit message sent to the dead-letter topic');
  }
}
