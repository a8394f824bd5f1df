import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { type ConsumedMessage, EventProducer, createKafka, topicName } from '@airlock/events';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { auditConfig } from '../config';
import { kafkaCredentials } from '@airlock/config';

/** The audit topic's dead-letter topic: `<prefix>.airlock.audit.v1.dlq`. */
export function auditDeadLetter(prefix?: string): string {
  return topicName('auditDeadLetters', prefix);
}

export const DLQ_REASON_HEADER = 'x-dlq-reason';
export const DLQ_SOURCE_HEADER = 'x-dlq-source';

/**
 * Publishes poison messages, bytes unchanged, to the dead-letter topic with the reason and their origin
 * (`topic/partition/offset`) in headers. Resolves once the broker has acknowledged on all in-sync replicas;
 * only then may the caller's offset be committed, so a poison message is never simply dropped.
 */
@Injectable()
export class DeadLetters implements OnApplicationShutdown {
  private producer?: EventProducer;
  readonly topic: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof auditConfig>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {
    this.topic = auditDeadLetter(config.TOPIC_PREFIX);
  }

  async publish(message: ConsumedMessage, reason: string): Promise<void> {
    this.producer ??= new EventProducer(createKafka({ brokers: this.config.KAFKA_BROKERS, credentials: kafkaCredentials(this.config), clientId: 'airlock-audit-dlq', logger: this.logger }));
    await this.producer.send(this.topic, message.key ?? '', message.value, {
      [DLQ_REASON_HEADER]: reason,
      [DLQ_SOURCE_HEADER]: `${message.topic}/${message.partition}/${message.offset}`,
    });
  }

  // After the consumer's onModuleDestroy: the message in flight may still need the producer.
  async onApplicationShutdown(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch((err: unknown) => this.logger.warn({ err }, 'closing the dead-letter producer failed'));
  }
}
