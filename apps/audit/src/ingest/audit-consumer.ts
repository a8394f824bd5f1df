import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { EventConsumer, createKafka, topicName } from '@airlock/events';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { auditConfig } from '../config';
import { IngestAuditEvent } from './ingest-audit-event.usecase';
import { kafkaCredentials } from '@airlock/config';

/** The consumer-group member feeding the audit topic to IngestAuditEvent a fetched batch at a time, offsets committed after each batch. */
@Injectable()
export class AuditConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private consumer?: EventConsumer;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof auditConfig>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly ingest: IngestAuditEvent,
  ) {}

  // After onModuleInit, so the sinks are open before the first message arrives.
  async onApplicationBootstrap(): Promise<void> {
    const topic = topicName('audit', this.config.TOPIC_PREFIX);
    const kafka = createKafka({ brokers: this.config.KAFKA_BROKERS, credentials: kafkaCredentials(this.config), clientId: 'airlock-audit', logger: this.logger });
    this.consumer = new EventConsumer(kafka, {
      groupId: this.config.AUDIT_CONSUMER_GROUP,
      topics: [topic],
      fromBeginning: true,
      logger: this.logger,
      partitionsConsumedConcurrently: this.config.AUDIT_PARTITION_CONCURRENCY,
      fetchMinBytes: this.config.AUDIT_FETCH_MIN_BYTES,
      fetchMaxWaitMs: this.config.AUDIT_FETCH_MAX_WAIT_MS,
    });
    await this.consumer.startBatch(async (messages) => {
      await this.ingest.executeBatch(messages);
    }, this.config.AUDIT_BATCH_MAX);
    this.logger.info({ topic, group: this.config.AUDIT_CONSUMER_GROUP }, 'consuming audit events');
  }

  /** Disconnecting lets the message in flight finish (and its offset commit) before the group is left. */
  async onModuleDestroy(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.stop();
  }
}
