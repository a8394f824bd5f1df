import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { EventProducer, createKafka, newEventId, topicName } from '@airlock/events';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { CallerContext } from '../identity/trusted-identity';
import type { gatewayConfig } from '../service';

export interface AiRequestRecord {
  caller: CallerContext | undefined;
  correlationId: string;
  endpoint: string;
  action: string;
  statusCode: number;
  latencyMs: number;
  promptTokens: number;
  completionTokens: number;
  dlpAction: string;
  outcome: 'success' | 'denied' | 'error';
}

/** Emits the audit event of every AI request and, for answered ones, the usage event metering it. */
@Injectable()
export class AiEvents implements OnModuleDestroy {
  private readonly producer: EventProducer;
  private readonly auditTopic: string;
  private readonly usageTopic: string;

  constructor(
    @Inject(APP_CONFIG) config: ServiceConfig<typeof gatewayConfig>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {
    this.producer = new EventProducer(createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'airlock-gateway', logger }));
    this.auditTopic = topicName('audit', config.TOPIC_PREFIX);
    this.usageTopic = topicName('usage', config.TOPIC_PREFIX);
  }

  async record(r: AiRequestRecord): Promise<void> {
    const timestamp = new Date().toISOString();
    const c = r.caller;
    const routeTarget = c ? `${c.route.backend}:${c.route.model}` : '';
    const audit = airlock.events.v1.AuditEvent.fromPartial({
      eventId: newEventId(),
      eventType: 'ai.request',
      timestamp,
      correlationId: r.correlationId,
      tenantId: c?.tenantId,
      projectId: c?.projectId,
      workspaceId: c?.workspaceId,
      userId: c?.userId,
      clientIp: c?.clientIp,
      endpoint: r.endpoint,
      statusCode: r.statusCode,
      latencyMs: r.latencyMs,
      promptTokens: r.promptTokens,
      completionTokens: r.completionTokens,
      routeTarget,
      policyVersion: c?.policyVersion,
      dlpAction: r.dlpAction,
      actor: c?.userId,
      action: r.action,
      outcome: r.outcome,
      service: 'gateway',
    });
    const sends = [this.producer.send(this.auditTopic, r.correlationId, airlock.events.v1.AuditEvent.encode(audit).finish())];
    if (c && r.outcome === 'success') {
      const usage = airlock.events.v1.UsageEvent.fromPartial({
        eventId: newEventId(),
        timestamp,
        correlationId: r.correlationId,
        tenantId: c.tenantId,
        projectId: c.projectId,
        workspaceId: c.workspaceId,
        userId: c.userId,
        endpoint: r.endpoint,
        model: c.route.model,
        routeTarget,
        promptTokens: r.promptTokens,
        completionTokens: r.completionTokens,
      });
      sends.push(this.producer.send(this.usageTopic, r.correlationId, airlock.events.v1.UsageEvent.encode(usage).finish()));
    }
    const results = await Promise.allSettled(sends);
    for (const result of results) {
      // A durable local spool for broker outages comes with the audit pipeline; until then a failed send is
      // logged loudly (without payload) and the request still answers.
      if (result.status === 'rejected') this.logger.error({ err: String(result.reason), event_type: 'ai.request' }, 'event not delivered to kafka');
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.producer.disconnect();
  }
}
