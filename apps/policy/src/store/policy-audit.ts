import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { ConfigError } from '@airlock/config';
import { DurableEventProducer, createKafka, newEventId, topicName } from '@airlock/events';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import { currentCorrelationId, type Logger } from '@airlock/telemetry';
import type { policyConfig } from '../service';

/** Audit `event_type`s of the bundle workflow (maker-checker: both steps, and refusals). */
export type PolicyEventType =
  | 'policy.draft.proposed'
  | 'policy.draft.approved'
  | 'policy.draft.rejected'
  | 'policy.draft.approval_refused'
  | 'policy.version.activated';

/** The fields of the platform's AuditEvent a workflow step fills; `actor` is the security-admin acting. */
export type PolicyEvent = Pick<airlock.events.v1.AuditEvent, 'outcome' | 'actor' | 'tenantId' | 'action' | 'endpoint' | 'statusCode'> & {
  type: PolicyEventType;
  outcome: 'success' | 'denied';
  policyVersion?: string;
};

const { AuditEvent } = airlock.events.v1;

/**
 * Publishes the bundle workflow's audit events to the audit topic, durably (broker ack or local spool).
 * Without KAFKA_BROKERS (dev, unit tests) the events go to the log instead — never silently nowhere.
 */
type Config = ServiceConfig<typeof policyConfig>;

/** The durable producer, or undefined without KAFKA_BROKERS; a spool directory is required with it. */
function durableProducer(config: Config, logger: Logger): DurableEventProducer | undefined {
  const { KAFKA_BROKERS: brokers, EVENT_SPOOL_DIR: spoolDir } = config;
  if (!brokers) return undefined;
  if (!spoolDir) throw new ConfigError([{ variable: 'EVENT_SPOOL_DIR', message: 'required when KAFKA_BROKERS is set' }]);
  return new DurableEventProducer(createKafka({ brokers, clientId: 'airlock-policy', logger }), { spoolDir, logger });
}

@Injectable()
export class PolicyAudit implements OnApplicationShutdown {
  private readonly producer?: DurableEventProducer;
  private readonly topic: string;

  constructor(@Inject(APP_CONFIG) config: Config, @Inject(APP_LOGGER) private readonly logger: Logger) {
    this.producer = durableProducer(config, logger);
    this.topic = topicName('audit', config.TOPIC_PREFIX);
  }

  /** Resolves once the event is durable; never throws (the change itself is already committed). */
  async record({ type, ...fields }: PolicyEvent): Promise<void> {
    const audit = AuditEvent.fromPartial({
      ...fields,
      eventType: type,
      userId: fields.actor,
      service: 'policy',
      eventId: newEventId(),
      timestamp: new Date().toISOString(),
      correlationId: currentCorrelationId() ?? '',
    });
    const producer = this.producer;
    if (!producer) return void this.logger.info({ audit: AuditEvent.toJSON(audit) }, 'audit event');
    await producer
      .publish(this.topic, audit.correlationId || audit.eventId, AuditEvent.encode(audit).finish())
      .catch((error: unknown) => this.logger.error({ err: String(error), event_type: type }, 'audit event could not be made durable'));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer?.close();
  }
}
