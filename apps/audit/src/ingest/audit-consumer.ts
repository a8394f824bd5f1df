import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { EventConsumer, createKafka, topicName } from '@airlock/events';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import { metrics, type Logger } from '@airlock/telemetry';
import type { auditConfig } from '../config';
import { IngestAuditEvent } from './ingest-audit-event.usecase';
import { kafkaCredentials } from '@airlock/config';

/** How often the group's lag is asked of the broker for `airlock_audit_consumer_lag_messages`. */
const LAG_INTERVAL_MS = 15_000;

/**
 * The consumer-group member feeding the audit topic to IngestAuditEvent a fetched batch at a time, offsets committed
 * after each batch. It also reports the group's lag (`airlock_audit_consumer_lag_messages`, absent until the first
 * answer and while the broker does not give one), so the audit pipeline's backlog is visible without a Kafka exporter.
 */
@Injectable()
export class AuditConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private consumer?: EventConsumer;
  private lagTimer?: NodeJS.Timeout;
  private lag?: number;

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
    metrics
      .getMeter('airlock-audit')
      .createObservableGauge('airlock_audit_consumer_lag_messages', { description: 'Audit events on the topic not yet committed by the audit consumer group' })
      .addCallback((result) => {
        if (this.lag !== undefined) result.observe(this.lag);
      });
    void this.measureLag();
    this.lagTimer = setInterval(() => void this.measureLag(), LAG_INTERVAL_MS);
    this.lagTimer.unref();
  }

  private async measureLag(): Promise<void> {
    try {
      this.lag = await this.consumer?.lag();
    } catch (error) {
      this.lag = undefined;
      this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not read the audit consumer group\'s lag');
    }
  }

  /** Disconnecting lets the message in flight finish (and its offset commit) before the group is left. */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.lagTimer);
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.stop();
  }
}
