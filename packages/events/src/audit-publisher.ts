import { airlock } from '@airlock/contracts';
import { DurableEventProducer } from './durable-producer';
import { createKafka, type KafkaOptions } from './kafka';
import { topicName } from './topics';

export interface AuditPublisherOptions extends KafkaOptions {
  /** The local spool events wait in while the broker is unreachable. */
  spoolDir: string;
  topicPrefix?: string;
}

/**
 * A service's own audit events onto the audit topic, durable before `publish` resolves (broker or local spool).
 * `publish` never throws into the caller's request: only a failing local disk can lose an event, and that is
 * logged, because an audit record must not be what fails a user's action.
 */
export class AuditPublisher {
  private readonly producer: DurableEventProducer;
  private readonly topic: string;

  constructor(private readonly options: AuditPublisherOptions) {
    this.producer = new DurableEventProducer(createKafka(options), { spoolDir: options.spoolDir, logger: options.logger });
    this.topic = topicName('audit', options.topicPrefix);
  }

  /** `key` orders one subject's events on one partition (a workspace, a session, a repository). */
  async publish(event: airlock.events.v1.AuditEvent, key: string): Promise<void> {
    try {
      await this.producer.publish(this.topic, key, airlock.events.v1.AuditEvent.encode(event).finish());
    } catch (error) {
      this.options.logger.error({ err: String(error), event_type: event.eventType }, 'audit event could not be made durable');
    }
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}
