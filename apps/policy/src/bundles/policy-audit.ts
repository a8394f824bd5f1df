import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { ConfigError, kafkaCredentials } from '@airlock/config';
import { DurableEventProducer, createKafka, newEventId, topicName } from '@airlock/events';
import { inTransaction } from '@airlock/postgres';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import { currentCorrelationId, type Logger } from '@airlock/telemetry';
import type { policyConfig } from '../config';
import { BundleStore, type OutboxEvent } from './bundle-store';

/** Audit `event_type`s policy publishes: the bundle workflow's (maker-checker: both steps, and refusals) and the edge's. */
export type PolicyEventType =
  | 'policy.draft.proposed'
  | 'policy.draft.approved'
  | 'policy.draft.rejected'
  | 'policy.draft.approval_refused'
  | 'policy.version.activated'
  // ext_authz refused a cookie-authenticated write another site made the browser send (CSRF).
  | 'edge.csrf_rejected'
  // ext_authz refused `/mcp/<server>` for a server the bundle does not declare or not for this caller.
  | 'mcp.server_refused';

/** The fields of the platform's AuditEvent a workflow step fills; `actor` is the security-admin acting. */
export type PolicyEvent = Pick<airlock.events.v1.AuditEvent, 'outcome' | 'actor' | 'tenantId' | 'action' | 'endpoint' | 'statusCode'> & Partial<Pick<airlock.events.v1.AuditEvent, 'clientIp'>> & {
  type: PolicyEventType;
  outcome: 'success' | 'denied';
  policyVersion?: string;
};

const { AuditEvent } = airlock.events.v1;

/**
 * The bundle workflow's audit events, published to the audit topic durably (broker ack or local spool). A step
 * that changes the store writes its event into the outbox in the same transaction, and it is relayed from
 * there (migrations/002_policy_audit_outbox.sql); an event that changes nothing (a refusal) is published at
 * once. Without KAFKA_BROKERS (dev, unit tests) the events go to the
 * log instead — never silently nowhere.
 */
type Config = ServiceConfig<typeof policyConfig>;

/** The durable producer, or undefined without KAFKA_BROKERS; a spool directory is required with it. */
function durableProducer(config: Config, logger: Logger): DurableEventProducer | undefined {
  const { KAFKA_BROKERS: brokers, EVENT_SPOOL_DIR: spoolDir } = config;
  if (!brokers) return undefined;
  if (!spoolDir) throw new ConfigError([{ variable: 'EVENT_SPOOL_DIR', message: 'required when KAFKA_BROKERS is set' }]);
  return new DurableEventProducer(createKafka({ brokers, credentials: kafkaCredentials(config), clientId: 'airlock-policy', logger }), { spoolDir, logger });
}

const RELAY_BATCH = 100;

@Injectable()
export class PolicyAudit implements OnModuleInit, OnApplicationShutdown {
  private readonly producer?: DurableEventProducer;
  private readonly topic: string;
  private timer?: NodeJS.Timeout;
  private relaying?: Promise<number>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: Config,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    /** The outbox's database; null without DATABASE_URL (no workflow, nothing to relay). */
    private readonly store: BundleStore | null,
  ) {
    this.producer = durableProducer(config, logger);
    this.topic = topicName('audit', config.TOPIC_PREFIX);
  }

  /** Events a crash left committed but unsent are sent by the next replica to look: this one, every interval. */
  onModuleInit(): void {
    if (!this.store) return;
    this.timer = setInterval(() => void this.relay(), this.config.POLICY_AUDIT_RELAY_INTERVAL_MS);
    this.timer.unref();
  }

  /** The step's event, encoded for the outbox (BundleStore writes it in the step's transaction). */
  encode({ type, ...fields }: PolicyEvent): OutboxEvent {
    const audit = AuditEvent.fromPartial({
      ...fields,
      eventType: type,
      userId: fields.actor,
      service: 'policy',
      eventId: newEventId(),
      timestamp: new Date().toISOString(),
      correlationId: currentCorrelationId() ?? '',
    });
    return { key: audit.correlationId || audit.eventId, event: AuditEvent.encode(audit).finish() };
  }

  /** A step that changed nothing (a refused approval): published at once; never throws. */
  async record(event: PolicyEvent): Promise<void> {
    const { key, event: bytes } = this.encode(event);
    await this.publish(key, bytes).catch((error: unknown) => this.logger.error({ err: String(error), event_type: event.type }, 'audit event could not be made durable'));
  }

  /**
   * Publishes what the outbox holds, oldest first, deleting each batch once it is durable; a failed publish
   * leaves the batch for the next try. Resolves to the number relayed; never throws. Re-sent events (a crash
   * between publish and delete) carry their original event id, which the audit service de-duplicates.
   */
  relay(): Promise<number> {
    const store = this.store;
    if (!store) return Promise.resolve(0);
    // One relay at a time per replica; a caller arriving meanwhile waits for it and then relays again.
    const run = async (): Promise<number> => {
      let total = 0;
      for (;;) {
        const n = await inTransaction(store.pool, async (c) => {
          const { rows } = await c.query<{ id: string; key: string; event: Buffer }>(
            'SELECT id, key, event FROM policy_audit_outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED',
            [RELAY_BATCH],
          );
          for (const row of rows) await this.publish(row.key, row.event);
          if (rows.length > 0) await c.query('DELETE FROM policy_audit_outbox WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)]);
          return rows.length;
        });
        total += n;
        if (n < RELAY_BATCH) return total;
      }
    };
    const previous = this.relaying ?? Promise.resolve(0);
    const next = previous.then(run, run).catch((error: unknown) => {
      // Unsent events stay in the outbox (42P01: migrations have not run yet).
      if ((error as { code?: string }).code !== '42P01') this.logger.warn({ err: String(error) }, 'audit outbox relay failed; retrying');
      return 0;
    });
    this.relaying = next;
    return next;
  }

  private async publish(key: string, event: Uint8Array): Promise<void> {
    if (!this.producer) return void this.logger.info({ audit: AuditEvent.toJSON(AuditEvent.decode(event)) }, 'audit event');
    await this.producer.publish(this.topic, key, event);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.relaying;
    await this.producer?.close();
  }
}
