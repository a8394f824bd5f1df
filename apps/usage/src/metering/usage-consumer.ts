import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { EventConsumer, createKafka, topicName } from '@airlock/events';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { usageConfig } from '../config';
import { RecordUsage } from './record-usage.usecase';
import { kafkaCredentials } from '@airlock/config';

/** The consumer-group member feeding the usage topic to RecordUsage a fetched batch at a time, offsets committed after each batch. */
@Injectable()
export class UsageConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private consumer?: EventConsumer;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof usageConfig>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly recordUsage: RecordUsage,
  ) {}

  // After onModuleInit, so migrations have run before the first message arrives.
  async onApplicationBootstrap(): Promise<void> {
    const topic = topicName('usage', this.config.TOPIC_PREFIX);
    const kafka = createKafka({ brokers: this.config.KAFKA_BROKERS, credentials: kafkaCredentials(this.config), clientId: 'airlock-usage', logger: this.logger });
    this.consumer = new EventConsumer(kafka, {
      groupId: this.config.USAGE_CONSUMER_GROUP,
      topics: [topic],
      fromBeginning: true,
      logger: this.logger,
      fetchMinBytes: this.config.USAGE_FETCH_MIN_BYTES,
      fetchMaxWaitMs: this.config.USAGE_FETCH_MAX_WAIT_MS,
    });
    await this.consumer.startBatch(async (messages) => {
      await this.recordUsage.executeBatch(messages);
    }, this.config.USAGE_BATCH_MAX);
    this.logger.info({ topic, group: this.config.USAGE_CONSUMER_GROUP }, 'consuming usage events');
  }

  /** Disconnecting lets the batch in flight finish (and its offset commit) before the group is left. */
  async onModuleDestroy(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.stop();
  }
}
