import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { kafkaCredentials } from '@airlock/config';
import { airlock } from '@airlock/contracts';
import { DurableEventProducer, createKafka, topicName } from '@airlock/events';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { auditConfig } from '../config';

type AuditConfig = ServiceConfig<typeof auditConfig>;

/** The spool of events this service makes itself: AUDIT_SPOOL_DIR, else beside the jsonl sink file. */
export function auditSpoolDir(config: AuditConfig): string {
  return config.AUDIT_SPOOL_DIR ?? `${config.AUDIT_SINK_JSONL_PATH}.spool`;
}

/**
 * Audit events this service makes itself (Envoy access-log entries, reads of the audit trail) go to the audit
 * topic through the same durable producer the other services use (broker ack or fsync'd spool), so they reach
 * the sinks by the ordinary consumer path: chained, de-duplicated, indexed.
 */
@Injectable()
export class AuditTopicPublisher implements OnApplicationShutdown {
  private readonly producer: DurableEventProducer;
  private readonly topic: string;

  constructor(
    @Inject(APP_CONFIG) config: AuditConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {
    this.producer = new DurableEventProducer(createKafka({ brokers: config.KAFKA_BROKERS, credentials: kafkaCredentials(config), clientId: 'airlock-audit-edge', logger }), {
      spoolDir: auditSpoolDir(config),
      logger,
    });
    this.topic = topicName('audit', config.TOPIC_PREFIX);
  }

  /** Resolves once the event is durable (acknowledged by the broker or in the spool). */
  async publish(event: airlock.events.v1.AuditEvent): Promise<void> {
    await this.producer.publish(this.topic, event.correlationId || event.eventId, airlock.events.v1.AuditEvent.encode(event).finish());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.close().catch((err: unknown) => this.logger.warn({ err }, 'closing the audit event producer failed'));
  }
}
