import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { AuditPublisher, newEventId } from '@airlock/events';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { workspaceConfig } from '../config';
import { kafkaCredentials } from '@airlock/config';

export interface CallContext {
  /** Who asked (x-user-id metadata, or the owner API's verified caller); empty for the reconciler. */
  actor: string;
  correlationId: string;
  /** The route the action came through, when not the gRPC method's (the owner API's HTTP routes). */
  endpoint?: string;
}

export interface WorkspaceAuditRecord {
  eventType: 'workspace.lifecycle' | 'workspace.state' | 'workspace.quota_refused' | 'workspace.extension';
  action: string;
  outcome: string;
  context: CallContext;
  tenantId: string;
  projectId?: string;
  workspaceId?: string;
  userId?: string;
  endpoint?: string;
  statusCode?: number;
  /** What the action was aimed at: image, quota name, extension id@version, driver. */
  target?: string;
}

/** Publishes the workspace service's audit events (IDE session lifecycle, extension installs and refusals: what an auditor needs to reconstruct who worked where). */
@Injectable()
export class WorkspaceAudit implements OnApplicationShutdown {
  private readonly publisher: AuditPublisher;

  constructor(@Inject(APP_CONFIG) config: ServiceConfig<typeof workspaceConfig>, @Inject(APP_LOGGER) logger: Logger) {
    this.publisher = new AuditPublisher({
      brokers: config.KAFKA_BROKERS,
      credentials: kafkaCredentials(config),
      clientId: 'airlock-workspace',
      logger,
      spoolDir: config.EVENT_SPOOL_DIR,
      topicPrefix: config.TOPIC_PREFIX,
    });
  }

  /** Resolves once the event is durable (broker or local spool); never throws into the caller's request. */
  async record(r: WorkspaceAuditRecord): Promise<void> {
    const event = airlock.events.v1.AuditEvent.fromPartial({
      eventId: newEventId(),
      eventType: r.eventType,
      timestamp: new Date().toISOString(),
      correlationId: r.context.correlationId,
      tenantId: r.tenantId,
      projectId: r.projectId,
      workspaceId: r.workspaceId,
      userId: r.userId,
      endpoint: r.endpoint,
      statusCode: r.statusCode,
      routeTarget: r.target,
      actor: r.context.actor,
      action: r.action,
      outcome: r.outcome,
      service: 'workspace',
    });
    await this.publisher.publish(event, r.workspaceId || r.tenantId);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.close();
  }
}
