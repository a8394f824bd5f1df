import { Inject, Injectable } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { type ConsumedMessage, poisonLogFields } from '@airlock/events';
import { APP_LOGGER } from '@airlock/runtime';
import { metrics, type Logger } from '@airlock/telemetry';
import { LiveCounters } from '../store/live-counters';
import { UsageStore } from '../store/usage-store';
import { periodOf } from './period';

type UsageEvent = airlock.events.v1.UsageEvent;
export type RecordOutcome = 'recorded' | 'duplicate' | 'poison';

// Printable ASCII without spaces: ULIDs and any other sane id pass, binary junk decoded as a string does not.
const EVENT_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * Meters one message from the usage topic, exactly once per event id: the event row and its rollup are
 * written in one transaction that does nothing for a known id. Throws when PostgreSQL fails, so the offset
 * is not committed and Kafka redelivers.
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

  async execute(message: ConsumedMessage): Promise<RecordOutcome> {
    const outcome = await this.meter(message);
    this.outcomes.add(1, { outcome });
    return outcome;
  }

  private async meter(message: ConsumedMessage): Promise<RecordOutcome> {
    let event: UsageEvent;
    try {
      event = airlock.events.v1.UsageEvent.decode(message.value);
    } catch {
      return this.poison(message, 'undecodable');
    }
    if (!EVENT_ID.test(event.eventId)) return this.poison(message, 'missing_event_id');
    if (!event.tenantId) return this.poison(message, 'missing_tenant_id');
    const period = periodOf(event.timestamp);
    if (!period) return this.poison(message, 'bad_timestamp');

    const recorded = await this.store.record(event, event.timestamp, period);
    if (!recorded) return 'duplicate';
    const labels = { project_id: event.projectId, model: event.model };
    this.tokens.add(event.promptTokens + event.completionTokens, labels);
    this.requests.add(1, labels);
    // Only after the commit: a crash before this line under-counts Redis, never double-counts anything.
    await this.counters.add({ tenantId: event.tenantId, period, promptTokens: event.promptTokens, completionTokens: event.completionTokens });
    await this.counters.addQuota({
      tenantId: event.tenantId,
      projectId: event.projectId,
      workspaceId: event.workspaceId,
      userId: event.userId,
      occurredAt: new Date(event.timestamp),
      tokens: event.promptTokens + event.completionTokens,
    });
    return 'recorded';
  }

  private poison(message: ConsumedMessage, reason: string): 'poison' {
    this.logger.warn(poisonLogFields(message, reason), 'skipping poison usage message');
    return 'poison';
  }
}
