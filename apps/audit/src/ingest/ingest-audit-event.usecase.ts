import { Inject, Injectable } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { type ConsumedMessage, poisonLogFields } from '@airlock/events';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import { toAuditRecord } from '../events/audit-record';
import { DedupWindow } from '../events/dedup-window';
import { AuditSinks } from '../sinks/audit-sinks';
import type { auditConfig } from '../service';
import { AuditStats } from './audit-stats';

type AuditEvent = airlock.events.v1.AuditEvent;
export type IngestOutcome = 'written' | 'duplicate' | 'poison';

// Printable ASCII without spaces: ULIDs and any other sane id pass, binary junk decoded as a string does not.
const EVENT_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * Takes one message from the audit topic to every sink, once per event id within the dedup window. Throws
 * when a sink fails, so the offset is not committed and Kafka redelivers the message.
 */
@Injectable()
export class IngestAuditEvent {
  private readonly window: DedupWindow;

  constructor(
    @Inject(APP_CONFIG) config: ServiceConfig<typeof auditConfig>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly sinks: AuditSinks,
    private readonly stats: AuditStats,
  ) {
    this.window = new DedupWindow(config.AUDIT_DEDUP_WINDOW);
  }

  async execute(message: ConsumedMessage): Promise<IngestOutcome> {
    const event = this.decode(message);
    if (!event) return 'poison';

    if (this.window.seen(event.eventId)) {
      this.stats.consumed();
      this.stats.duplicate();
      return 'duplicate';
    }
    const record = toAuditRecord(event);
    for (const sink of this.sinks.all()) {
      await sink.write([record]);
      this.stats.written(sink.name, event.eventId, 1);
    }
    // Remembered only once every sink has it: a failed write must not make the redelivery look like a duplicate.
    this.window.remember(event.eventId);
    this.stats.consumed();
    return 'written';
  }

  private decode(message: ConsumedMessage): AuditEvent | undefined {
    let event: AuditEvent;
    try {
      event = airlock.events.v1.AuditEvent.decode(message.value);
    } catch {
      return this.poison(message, 'undecodable');
    }
    if (!EVENT_ID.test(event.eventId)) return this.poison(message, 'missing_event_id');
    return event;
  }

  private poison(message: ConsumedMessage, reason: string): undefined {
    this.stats.poison(reason);
    this.logger.warn(poisonLogFields(message, reason), 'skipping poison audit message');
    return undefined;
  }
}
