import { createHash } from 'node:crypto';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { DurableEventProducer, createKafka, newEventId, topicName } from '@airlock/events';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import { metrics, type Logger } from '@airlock/telemetry';
import { AuditUnavailableError } from '../gateway.errors';
import type { CallerContext, Route } from '../identity/trusted-identity';
import type { gatewayConfig } from '../config';
import { kafkaCredentials } from '@airlock/config';

export type Outcome = 'success' | 'denied' | 'error' | 'cancelled';

export interface AgentChange {
  repoId: string;
  branch: string;
  changedFiles: string[];
  diffHash: string;
}

/** An agent's diff hash: SHA-256 of its answer, i.e. of the change it proposed ('' for no answer). */
export function diffHash(answer: string): string {
  return answer ? createHash('sha256').update(answer).digest('hex') : '';
}

export interface AiRequestRecord {
  caller: CallerContext | undefined;
  correlationId: string;
  endpoint: string;
  /** Request type: the `service` label of the gateway's metrics. */
  action: string;
  statusCode: number;
  latencyMs: number;
  promptTokens: number;
  completionTokens: number;
  dlpAction: string;
  outcome: Outcome;
  /** Backend and model: the ones that answered (the alternative backend, when it did), else the route chosen. */
  route?: Route;
  /** "backend", "fallback" or "cache". */
  source?: string;
  agent?: AgentChange;
  /** An MCP tool call through `/mcp/<server>` (src/mcp): its event is `mcp.tool_call` instead of `ai.request`. */
  mcp?: McpToolCallRecord;
}

export interface McpToolCallRecord {
  server: string;
  /** Empty when the request was refused before a tool was named (a server policy did not allow). */
  tool: string;
  /** SHA-256 of the arguments' canonical JSON, as the client sent them (src/mcp/json-rpc.ts). */
  argumentsHash: string;
}

const eventTypeOf = (r: AiRequestRecord) => (r.mcp ? 'mcp.tool_call' : 'ai.request');

// The gateway's metrics, for the SRE dashboards (deploy/observability).
const meter = metrics.getMeter('airlock-gateway');
const requestsTotal = meter.createCounter('ai_gateway_requests_total', { description: 'AI requests by feature and project' });
const latencySeconds = meter.createHistogram('ai_gateway_latency_seconds', { description: 'AI request latency', unit: 's' });
const tokensTotal = meter.createCounter('ai_gateway_tokens_total', { description: 'Prompt + completion tokens by project and model' });
const ttftSeconds = meter.createHistogram('ai_gateway_time_to_first_token_seconds', {
  description: 'Time from request to the first streamed token sent to the client',
  unit: 's',
  advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10] },
});
const degradedTotal = meter.createCounter('ai_gateway_degraded_total', { description: 'Answers served by the cache or an alternative backend' });

/** The time to first token of a streamed answer, by request type. */
export function recordTimeToFirstToken(service: string, ms: number): void {
  ttftSeconds.record(ms / 1000, { service });
}

/**
 * Records every AI request: metrics, the audit event and the usage event — for every outcome, including
 * failed and cancelled requests (a stream cut half-way is metered for what was sent).
 */
@Injectable()
export class AiEvents implements OnApplicationShutdown {
  private readonly producer: DurableEventProducer;
  private readonly auditTopic: string;
  private readonly usageTopic: string;
  private readonly boundMs: number;

  constructor(
    @Inject(APP_CONFIG) config: ServiceConfig<typeof gatewayConfig>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {
    this.producer = new DurableEventProducer(createKafka({ brokers: config.KAFKA_BROKERS, credentials: kafkaCredentials(config), clientId: 'airlock-gateway', logger }), {
      spoolDir: config.EVENT_SPOOL_DIR,
      logger,
      lingerMs: config.EVENT_LINGER_MS,
    });
    // Audit and usage events held on local disk while the broker is down or slow: a growing spool is the
    // early warning that "nothing is lost" is running on the disk's headroom.
    meter
      .createObservableGauge('airlock_event_spool_messages', { description: 'Audit and usage events waiting in the local spool for the broker' })
      .addCallback((result) => result.observe(this.producer.spooled));
    this.auditTopic = topicName('audit', config.TOPIC_PREFIX);
    this.usageTopic = topicName('usage', config.TOPIC_PREFIX);
    this.boundMs = config.GATEWAY_AUDIT_BOUND_MS;
  }

  private audit(r: AiRequestRecord, eventType: string): Uint8Array {
    const { caller: c, route } = r;
    return airlock.events.v1.AuditEvent.encode(
      airlock.events.v1.AuditEvent.fromPartial({
        eventId: newEventId(),
        eventType,
        timestamp: new Date().toISOString(),
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
        routeTarget: r.mcp ? `mcp:${r.mcp.server}` : route?.backend ? `${route.backend}:${route.model}${r.source === 'cache' ? ' (cache)' : ''}` : '',
        policyVersion: c?.policyVersion,
        dlpAction: r.dlpAction,
        actor: c?.userId,
        action: r.action,
        outcome: r.outcome,
        service: 'gateway',
        repoId: r.agent?.repoId,
        branch: r.agent?.branch,
        changedFiles: r.agent?.changedFiles,
        diffHash: r.agent?.diffHash,
        mcpServer: r.mcp?.server,
        mcpTool: r.mcp?.tool,
        mcpArgumentsHash: r.mcp?.argumentsHash,
      }),
    ).finish();
  }

  /**
   * Fail-closed requests only: an `ai.request.accepted` audit event made durable before a stream starts
   * (the final event follows when it ends). Throws AuditUnavailableError if not durable within the bound.
   */
  async accepted(r: AiRequestRecord): Promise<void> {
    try {
      await this.producer.publish(this.auditTopic, r.correlationId, this.audit(r, `${eventTypeOf(r)}.accepted`), { boundMs: this.boundMs });
    } catch (error) {
      throw new AuditUnavailableError(error);
    }
  }

  /**
   * With `durable`, resolves only once the audit event is durable within the bound and throws
   * AuditUnavailableError otherwise; without it, failures are logged (only a failing disk gets that far).
   */
  async record(r: AiRequestRecord, options: { durable?: boolean } = {}): Promise<void> {
    const { caller: c, route } = r;
    const service = r.action;
    requestsTotal.add(1, { service, project_id: c?.projectId ?? '', outcome: r.outcome });
    latencySeconds.record(r.latencyMs / 1000, { service });
    if (r.source && r.source !== 'backend') degradedTotal.add(1, { service, source: r.source });
    if (c && route?.model) tokensTotal.add(r.promptTokens + r.completionTokens, { project_id: c.projectId, model: route.model });

    const audit = this.producer.publish(this.auditTopic, r.correlationId, this.audit(r, eventTypeOf(r)), options.durable ? { boundMs: this.boundMs } : {});
    const sends: Promise<void>[] = [];
    if (c) {
      const usage = airlock.events.v1.UsageEvent.fromPartial({
        eventId: newEventId(),
        timestamp: new Date().toISOString(),
        correlationId: r.correlationId,
        tenantId: c.tenantId,
        projectId: c.projectId,
        workspaceId: c.workspaceId,
        userId: c.userId,
        endpoint: r.endpoint,
        model: route?.model ?? '',
        routeTarget: r.mcp ? `mcp:${r.mcp.server}` : route?.backend ? `${route.backend}:${route.model}` : '',
        promptTokens: r.promptTokens,
        completionTokens: r.completionTokens,
      });
      sends.push(this.producer.publish(this.usageTopic, r.correlationId, airlock.events.v1.UsageEvent.encode(usage).finish()));
    }
    if (options.durable) {
      void Promise.allSettled(sends).then((results) => this.logFailures(results));
      try {
        await audit;
      } catch (error) {
        throw new AuditUnavailableError(error);
      }
      return;
    }
    this.logFailures(await Promise.allSettled([audit, ...sends]));
  }

  private logFailures(results: PromiseSettledResult<void>[]): void {
    for (const result of results) {
      // Only a failing local disk gets here (a broker outage goes to the spool): logged loudly, without payload.
      if (result.status === 'rejected') this.logger.error({ err: String(result.reason), event_type: 'ai.request' }, 'event could not be made durable');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.close();
  }
}
