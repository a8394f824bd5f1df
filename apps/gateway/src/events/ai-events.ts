import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { DurableEventProducer, createKafka, newEventId, topicName } from '@airlock/events';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import { metrics, type Logger } from '@airlock/telemetry';
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

// The gateway metrics of seed 001 appendix B, for the SRE dashboards.
const meter = metrics.getMeter('airlock-gateway');
const requestsTotal = meter.createCounter('ai_gateway_requests_total', { description: 'AI requests by feature and project' });
const latencySeconds = meter.createHistogram('ai_gateway_latency_seconds', { description: 'AI request latency', unit: 's' });
const tokensTotal = meter.createCounter('ai_gateway_tokens_total', { description: 'Prompt + completion tokens by project and model' });

/**
 * Records every AI request: metrics, the audit event (every outcome) and, for answered requests, the usage
 * event metering it.
 */
@Injectable()
export class AiEvents implements OnApplicationShutdown {
  private readonly producer: DurableEventProducer;
  private readonly auditTopic: string;
  private readonly usageTopic: string;

  constructor(
    @Inject(APP_CONFIG) config: ServiceConfig<typeof gatewayConfig>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {
    this.producer = new DurableEventProducer(createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'airlock-gateway', logger }), {
      spoolDir: config.EVENT_SPOOL_DIR,
      logger,
    });
    this.auditTopic = topicName('audit', config.TOPIC_PREFIX);
    this.usageTopic = topicName('usage', config.TOPIC_PREFIX);
  }

  async record(r: AiRequestRecord): Promise<void> {
    const timestamp = new Date().toISOString();
    const c = r.caller;
    requestsTotal.add(1, { service: r.action, project_id: c?.projectId ?? '', outcome: r.outcome });
    latencySeconds.record(r.latencyMs / 1000, { service: r.action });
    if (c) tokensTotal.add(r.promptTokens + r.completionTokens, { project_id: c.projectId, model: c.route.model });
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
    const sends = [this.producer.publish(this.auditTopic, r.correlationId, airlock.events.v1.AuditEvent.encode(audit).finish())];
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
      sends.push(this.producer.publish(this.usageTopic, r.correlationId, airlock.events.v1.UsageEvent.encode(usage).finish()));
    }
    const results = await Promise.allSettled(sends);
    for (const result of results) {
      // Only a failing local disk gets here (a broker outage goes to the spool): logged loudly, without payload.
      if (result.status === 'rejected') this.logger.error({ err: String(result.reason), event_type: 'ai.request' }, 'event could not be made durable');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.close();
  }
}
