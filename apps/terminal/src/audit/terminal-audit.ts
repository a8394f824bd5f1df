import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { kafkaCredentials } from '@airlock/config';
import { AuditPublisher, newEventId } from '@airlock/events';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { terminalConfig } from '../config';
import type { TerminalSession } from '../sessions/session';

/** What happened to a session; `join` is a guest's attach, `attach` the owner's. */
export type TerminalAction =
  | 'create'
  | 'attach'
  | 'join'
  | 'detach'
  | 'leave'
  | 'lock'
  | 'unlock'
  | 'share'
  | 'unshare'
  | 'rename'
  | 'terminate'
  // An auditor played a session's recording; the retention deleted one.
  | 'view_recording'
  | 'delete_recording';

export interface TerminalAuditRecord {
  action: TerminalAction;
  session: Pick<TerminalSession, 'id' | 'tenantId' | 'workspaceId' | 'ownerUserId'>;
  /** Who did it; empty for the service itself (reaper, idle lock, reconcile). */
  actor: string;
  outcome?: string;
  correlationId?: string;
  /** The other party (an invited user) or the reason (ttl_expired, shell_exited, workspace_deleted). */
  target?: string;
}

/**
 * The terminal service's audit events (event type `terminal.session`): who opened, watched, shared and ended
 * which shell in which workspace. What is typed in a terminal is never part of them.
 */
@Injectable()
export class TerminalAudit implements OnApplicationShutdown {
  private readonly publisher: AuditPublisher;

  constructor(@Inject(APP_CONFIG) config: ServiceConfig<typeof terminalConfig>, @Inject(APP_LOGGER) logger: Logger) {
    this.publisher = new AuditPublisher({
      brokers: config.KAFKA_BROKERS,
      credentials: kafkaCredentials(config),
      clientId: 'airlock-terminal',
      logger,
      spoolDir: config.EVENT_SPOOL_DIR,
      topicPrefix: config.TOPIC_PREFIX,
    });
  }

  /** Resolves once the event is durable (broker or local spool); never throws into the caller. */
  async record(r: TerminalAuditRecord): Promise<void> {
    const event = airlock.events.v1.AuditEvent.fromPartial({
      eventId: newEventId(),
      eventType: 'terminal.session',
      timestamp: new Date().toISOString(),
      correlationId: r.correlationId ?? '',
      tenantId: r.session.tenantId,
      workspaceId: r.session.workspaceId,
      userId: r.session.ownerUserId,
      endpoint: `/api/terminal/v1/sessions/${r.session.id}`,
      routeTarget: r.target ?? '',
      actor: r.actor,
      action: r.action,
      outcome: r.outcome ?? 'success',
      service: 'terminal',
    });
    await this.publisher.publish(event, r.session.workspaceId);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.close();
  }
}
