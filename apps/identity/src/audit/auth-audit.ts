import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { ConfigError, kafkaCredentials } from '@airlock/config';
import { DurableEventProducer, createKafka, newEventId, topicName } from '@airlock/events';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import { currentCorrelationId, type Logger } from '@airlock/telemetry';
import type { identityConfig } from '../config';

/** Audit `event_type`s of authentication: every sign-in, refusal, logout and token change leaves a record for auditors. */
export type AuthEventType =
  | 'auth.login'
  | 'auth.login.mfa_required'
  | 'auth.logout'
  /** A login ended the user's oldest session to stay within the tenant's `maxPerUser` (evict_oldest). */
  | 'auth.session.evicted'
  | 'auth.token.issued'
  | 'auth.token.revoked'
  | 'auth.token.used_after_revoke';

export interface AuthEvent {
  type: AuthEventType;
  outcome: 'success' | 'failure' | 'denied';
  /** Machine-readable detail, e.g. the failure code or the token kind (goes to `action`). */
  action: string;
  userId?: string;
  tenantId?: string;
  projectId?: string;
  workspaceId?: string;
  clientIp?: string;
  endpoint?: string;
  statusCode?: number;
  /** When policy decided (session limits): the version it decided under. */
  policyVersion?: string;
}

/**
 * Publishes auth events to the audit topic, durably (broker ack or local spool). Without KAFKA_BROKERS
 * (dev, unit tests) the events go to the log instead — never silently nowhere.
 */
@Injectable()
export class AuthAudit implements OnModuleInit, OnApplicationShutdown {
  private producer?: DurableEventProducer;
  private readonly topic: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof identityConfig>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {
    this.topic = topicName('audit', config.TOPIC_PREFIX);
  }

  onModuleInit(): void {
    const brokers = this.config.KAFKA_BROKERS;
    if (!brokers) {
      this.logger.warn('KAFKA_BROKERS not set: auth audit events are logged, not published');
      return;
    }
    if (!this.config.EVENT_SPOOL_DIR) throw new ConfigError([{ variable: 'EVENT_SPOOL_DIR', message: 'required when KAFKA_BROKERS is set' }]);
    this.producer = new DurableEventProducer(createKafka({ brokers, credentials: kafkaCredentials(this.config), clientId: 'airlock-identity', logger: this.logger }), {
      spoolDir: this.config.EVENT_SPOOL_DIR,
      logger: this.logger,
    });
  }

  /** Never throws: an auth decision must not depend on the audit trail's health (the spool covers outages). */
  async record(event: AuthEvent): Promise<void> {
    const correlationId = currentCorrelationId() ?? '';
    const audit = airlock.events.v1.AuditEvent.fromPartial({
      eventId: newEventId(),
      eventType: event.type,
      timestamp: new Date().toISOString(),
      correlationId,
      tenantId: event.tenantId,
      projectId: event.projectId,
      workspaceId: event.workspaceId,
      userId: event.userId,
      clientIp: event.clientIp,
      endpoint: event.endpoint,
      statusCode: event.statusCode,
      policyVersion: event.policyVersion,
      actor: event.userId,
      action: event.action,
      outcome: event.outcome,
      service: 'identity',
    });
    if (!this.producer) {
      this.logger.info({ audit: airlock.events.v1.AuditEvent.toJSON(audit) }, 'audit event');
      return;
    }
    try {
      await this.producer.publish(this.topic, correlationId || audit.eventId, airlock.events.v1.AuditEvent.encode(audit).finish());
    } catch (error) {
      this.logger.error({ err: String(error), event_type: event.type }, 'audit event could not be made durable');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer?.close();
  }
}
