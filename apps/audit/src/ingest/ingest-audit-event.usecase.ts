import { Inject, Injectable } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { type ConsumedMessage, poisonLogFields } from '@airlock/events';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import { ChainKeeper } from '../chain/chain-keeper';
import { type ChainedAuditRecord, chainId } from '../chain/hash-chain';
import { toAuditRecord } from '../events/audit-record';
import { DedupWindow } from '../events/dedup-window';
import { AuditSinks } from '../sinks/audit-sinks';
import type { auditConfig } from '../service';
import { AuditStats } from './audit-stats';
import { DeadLetters } from './dead-letters';

type AuditEvent = airlock.events.v1.AuditEvent;
export type IngestOutcome = 'written' | 'duplicate' | 'poison';

// Printable ASCII without spaces: ULIDs and any other sane id pass, binary junk decoded as a string does not.
const EVENT_ID = /^[\x21-\x7e]{1,128}$/;

/** A chained record some sinks have acknowledged, kept so the retry reuses its seq and skips those sinks. */
interface Pending {
  record: ChainedAuditRecord;
  acked: Set<string>;
}

/**
 * Takes one message from the audit topic to every sink, once per event id, as the next link of its
 * partition's hash chain. Throws when a sink fails, so the offset is not committed and Kafka redelivers.
 * Poison messages go to the dead-letter topic before their offset may be committed.
 */
@Injectable()
export class IngestAuditEvent {
  private readonly window: DedupWindow;
  private readonly pending = new Map<string, Pending>();
  private seeded = false;

  constructor(
    @Inject(APP_CONFIG) config: ServiceConfig<typeof auditConfig>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly sinks: AuditSinks,
    private readonly stats: AuditStats,
    private readonly chains: ChainKeeper,
    private readonly deadLetters: DeadLetters,
  ) {
    this.window = new DedupWindow(config.AUDIT_DEDUP_WINDOW);
  }

  async execute(message: ConsumedMessage): Promise<IngestOutcome> {
    this.seedWindow();
    const decoded = this.decode(message);
    if ('reason' in decoded) {
      await this.deadLetter(message, decoded.reason);
      return 'poison';
    }
    const event = decoded.event;

    // Dropped before chaining: a redelivery must not take a seq of its own.
    if (this.window.seen(event.eventId)) {
      this.stats.consumed();
      this.stats.duplicate();
      return 'duplicate';
    }

    const id = chainId(message.topic, message.partition);
    let pending = this.pending.get(id);
    if (pending?.record.event_id !== event.eventId) {
      // Kafka redelivers a partition from its committed offset, so a different event here means the pending
      // one was never acknowledged by any sink that matters to this chain (e.g. a rebalance moved it away).
      pending = { record: this.chains.link(id, toAuditRecord(event)), acked: new Set() };
      this.pending.set(id, pending);
    }
    for (const sink of this.sinks.all()) {
      if (pending.acked.has(sink.name)) continue;
      await sink.write([pending.record]);
      pending.acked.add(sink.name);
      this.stats.written(sink.name, event.eventId, 1);
    }
    // Head moved and persisted before the offset commit; remembered only once every sink has it, so a failed
    // write is retried instead of being mistaken for a duplicate.
    await this.chains.advance(pending.record);
    this.pending.delete(id);
    this.window.remember(event.eventId);
    this.stats.consumed();
    return 'written';
  }

  /** The sink file's last event ids, so redeliveries of what was written just before a crash are dropped. */
  private seedWindow(): void {
    if (this.seeded) return;
    this.seeded = true;
    const ids = this.chains.takeRecoveredEventIds();
    for (let i = ids.length - 1; i >= 0; i--) this.window.remember(ids[i]);
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
