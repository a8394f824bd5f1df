import { Inject, Injectable } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { type ConsumedMessage, poisonLogFields } from '@airlock/events';
import { APP_LOGGER } from '@airlock/runtime';
import { metrics, type Logger } from '@airlock/telemetry';
import { LiveCounters } from '../store/live-counters';
import { type MeteredEvent, UsageStore } from '../store/usage-store';
import { periodOf } from './period';

type UsageEvent = airlock.events.v1.UsageEvent;
export type RecordOutcome = 'recorded' | 'duplicate' | 'poison';

// Printable ASCII without spaces: ULIDs and any other sane id pass, binary junk decoded as a string does not.
const EVENT_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * Meters a batch of messages from the usage topic (one partition's fetch), exactly once per event id: the
 * events and their rollups are written in one statement that skips ids recorded before, so a redelivered
 * batch changes nothing it already counted. Throws when PostgreSQL fails, so the offsets are not committed
 * and Kafka redelivers. Poison messages are skipped, logged by digest.
 */
@Injectable()
export class RecordUsage {
  private readonly outcomes = metrics.getMeter('airlock-usage').createCounter('airlock_usage_events', {
    description: 'Usage events by outcome: recorded, duplicate, poison',
  });
  // The same labels as the gateway's token counter, but counted once per event id: summed per
  // (project_id, model) the two reconcile, so a gap between them shows lost or duplicated metering.
  private readonly tokens = metrics.getMeter('airlock-usage').createCounter('airlock_usage_tokens', {
    description: 'Metered prompt + completion tokens by project and model (exactly once per event id)',
  });
  private readonly requests = metrics.getMeter('airlock-usage').createCounter('airlock_usage_requests', {
    description: 'Metered AI requests by project and model (exactly once per event id)',
  });

  constructor(
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly store: UsageStore,
    private readonly counters: LiveCounters,
  ) {}

  /** Each message's outcome, in order, once the batch is committed to PostgreSQL. */
  async executeBatch(messages: readonly ConsumedMessage[]): Promise<RecordOutcome[]> {
    const outcomes: RecordOutcome[] = [];
    const metered: MeteredEvent[] = [];
    const index = new Map<string, number>();
    for (const [i, message] of messages.entries()) {
      const decoded = this.decode(message);
      if ('reason' in decoded) {
        outcomes[i] = this.poison(message, decoded.reason);
      } else if (index.has(decoded.event.eventId)) {
        outcomes[i] = 'duplicate'; // twice in one batch: the store takes each id once per call
      } else {
        index.set(decoded.event.eventId, i);
        metered.push(decoded);
      }
    }
    const recorded = await this.store.recordMany(metered);
    for (const { event } of metered) {
      const isNew = recorded.has(event.eventId);
      outcomes[index.get(event.eventId)!] = isNew ? 'recorded' : 'duplicate';
      if (!isNew) continue;
      const labels = { project_id: event.projectId, model: event.model };
      this.tokens.add(event.promptTokens + event.completionTokens, labels);
      this.requests.add(1, labels);
    }
    for (const outcome of outcomes) this.outcomes.add(1, { outcome });
    // Only after the commit: a crash before these lines under-counts Redis, never double-counts anything.
    const fresh = metered.filter((m) => recorded.has(m.event.eventId));
    await this.counters.add(fresh.map(({ event, period }) => ({ tenantId: event.tenantId, period, promptTokens: event.promptTokens, completionTokens: event.completionTokens })));
    await this.counters.addQuota(
      fresh.map(({ event }) => ({
        tenantId: event.tenantId,
        projectId: event.projectId,
        workspaceId: event.workspaceId,
        userId: event.userId,
        occurredAt: new Date(event.timestamp),
        tokens: event.promptTokens + event.completionTokens,
      })),
    );
    return outcomes;
  }

  private decode(message: ConsumedMessage): MeteredEvent | { reason: string } {
    let event: UsageEvent;
    try {
      event = airlock.events.v1.UsageEvent.decode(message.value);
    } catch {
      return { reason: 'undecodable' };
    }
    if (!EVENT_ID.test(event.eventId)) return { reason: 'missing_event_id' };
    if (!event.tenantId) return { reason: 'missing_tenant_id' };
    const period = periodOf(event.timestamp);
    if (!period) return { reason: 'bad_timestamp' };
    return { event, period };
  }

  private poison(message: ConsumedMessage, reason: string): 'poison' {
    this.logger.warn(poisonLogFields(message, reason), 'skipping poison usage message');
    return 'poison';
  }
}
