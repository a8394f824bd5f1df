import { Injectable } from '@nestjs/common';
import { metrics } from '@airlock/telemetry';

export interface SinkCounters {
  name: string;
  eventsWritten: number;
  lastEventId: string;
}

/** Counters since boot, served by GetSinkStatus and mirrored as OTel metrics. */
@Injectable()
export class AuditStats {
  eventsConsumed = 0;
  duplicatesDropped = 0;
  poisonEvents = 0;
  deadLetters = 0;
  private readonly sinks = new Map<string, SinkCounters>();

  private readonly meter = metrics.getMeter('airlock-audit');
  private readonly consumedCounter = this.meter.createCounter('airlock_audit_events_consumed', { description: 'Audit events taken from Kafka (duplicates included, poison excluded)' });
  private readonly duplicateCounter = this.meter.createCounter('airlock_audit_duplicates_dropped', { description: 'Redelivered audit events not written again' });
  private readonly poisonCounter = this.meter.createCounter('airlock_audit_poison_events', { description: 'Messages on the audit topic that are not valid audit events' });
  private readonly deadLetterCounter = this.meter.createCounter('airlock_audit_dead_letters_total', { description: 'Poison messages published to the audit dead-letter topic' });
  private readonly writtenCounter = this.meter.createCounter('airlock_audit_events_written', { description: 'Audit events a sink acknowledged' });
  private readonly delayHistogram = this.meter.createHistogram('airlock_audit_delivery_delay_seconds', {
    description: 'From the event timestamp to every sink having acknowledged it (the end-to-end audit delay)',
    unit: 's',
    advice: { explicitBucketBoundaries: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] },
  });
  private readonly batchHistogram = this.meter.createHistogram('airlock_audit_batch_events', {
    description: 'Events per sink write (one fetched partition batch after de-duplication)',
    advice: { explicitBucketBoundaries: [1, 10, 50, 100, 250, 500, 1000, 2000] },
  });

  consumed(): void {
    this.eventsConsumed++;
    this.consumedCounter.add(1);
  }

  duplicate(): void {
    this.duplicatesDropped++;
    this.duplicateCounter.add(1);
  }

  poison(reason: string): void {
    this.poisonEvents++;
    this.poisonCounter.add(1, { reason });
  }

  deadLettered(reason: string): void {
    this.deadLetters++;
    this.deadLetterCounter.add(1, { reason });
  }

  written(sink: string, lastEventId: string, count: number): void {
    const counters = this.sinks.get(sink) ?? { name: sink, eventsWritten: 0, lastEventId: '' };
    counters.eventsWritten += count;
    counters.lastEventId = lastEventId;
    this.sinks.set(sink, counters);
    this.writtenCounter.add(count, { sink });
  }

  /** A batch every sink has acknowledged: its size, and each event's delay since its own timestamp. */
  delivered(timestamps: readonly string[], now = Date.now()): void {
    this.batchHistogram.record(timestamps.length);
    for (const t of timestamps) {
      const at = Date.parse(t);
      if (Number.isFinite(at)) this.delayHistogram.record(Math.max(0, now - at) / 1000);
    }
  }

  sink(name: string): SinkCounters {
    return { ...(this.sinks.get(name) ?? { name, eventsWritten: 0, lastEventId: '' }) };
  }
}
