import { createHash } from 'node:crypto';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { kafkaCredentials } from '@airlock/config';
import { airlock } from '@airlock/contracts';
import { AuditPublisher, newEventId } from '@airlock/events';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import { currentCorrelationId, type Logger } from '@airlock/telemetry';
import { requireIndexer, type Caller } from '../access/caller';
import type { ragConfig } from '../config';
import type { IndexerRequiredError } from '../errors';

export interface RagAuditRecord {
  eventType: 'rag.query' | 'rag.index';
  action: 'query' | 'register' | 'index' | 'index_documents';
  outcome: 'ok' | 'error';
  tenantId: string;
  projectId?: string;
  userId: string;
  /** The error code when the outcome is error. */
  errorCode?: string;
  /** Queries: `sha256:<hex>` of the query text. Index runs: `<from>..<to>` commits. */
  target?: string;
  repository?: string;
  branch?: string;
}

/** A query's text as the audit trail keeps it: a digest that proves what was asked when compared, never the text. */
export function queryDigest(query: string): string {
  return `sha256:${createHash('sha256').update(query, 'utf8').digest('hex')}`;
}

/** Publishes rag's audit events: who indexed what at which commit, and who asked (the question hashed). */
@Injectable()
export class RagAudit implements OnApplicationShutdown {
  private readonly publisher: AuditPublisher;

  constructor(@Inject(APP_CONFIG) config: ServiceConfig<typeof ragConfig>, @Inject(APP_LOGGER) logger: Logger) {
    this.publisher = new AuditPublisher({
      brokers: config.KAFKA_BROKERS,
      credentials: kafkaCredentials(config),
      clientId: 'airlock-rag',
      logger,
      spoolDir: config.EVENT_SPOOL_DIR,
      topicPrefix: config.TOPIC_PREFIX,
    });
  }

  /**
   * The indexer check with its refusal audited: someone without the indexer role trying to index is what an
   * auditor looks for. A request without a tenant has nobody to attribute and is refused unaudited.
   */
  async requireIndexer(caller: Caller | undefined, action: RagAuditRecord['action'], projectId: string): Promise<Caller> {
    try {
      return requireIndexer(caller);
    } catch (error) {
      if (caller?.tenantId) {
        const code = (error as IndexerRequiredError).code;
        await this.record({ eventType: 'rag.index', action, outcome: 'error', errorCode: code, tenantId: caller.tenantId, projectId, userId: caller.userId });
      }
      throw error;
    }
  }

  /** Resolves once the event is durable (broker or local spool); never throws into the caller's request. */
  async record(r: RagAuditRecord): Promise<void> {
    const event = airlock.events.v1.AuditEvent.fromPartial({
      eventId: newEventId(),
      eventType: r.eventType,
      timestamp: new Date().toISOString(),
      correlationId: currentCorrelationId() ?? '',
      tenantId: r.tenantId,
      projectId: r.projectId ?? '',
      userId: r.userId,
      actor: r.userId,
      action: r.action,
      outcome: r.errorCode ? `${r.outcome}:${r.errorCode}` : r.outcome,
      routeTarget: r.target ?? '',
      repoId: r.repository ?? '',
      branch: r.branch ?? '',
      service: 'rag',
    });
    await this.publisher.publish(event, r.projectId || r.tenantId);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.close();
  }
}
