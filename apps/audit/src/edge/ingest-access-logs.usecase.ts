import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { airlock } from '@airlock/contracts';
import { DurableEventProducer, createKafka, topicName } from '@airlock/events';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import { metrics, type Logger } from '@airlock/telemetry';
import type { auditConfig } from '../config';
import { type HttpAccessLogEntryInput, toEdgeAuditEvent } from './access-log-entry';

type AuditConfig = ServiceConfig<typeof auditConfig>;

/** envoy.service.accesslog.v3.StreamAccessLogsMessage as the gRPC server hands it over (see access-log-entry.ts). */
export interface StreamAccessLogsMessageInput {
  identifier?: { logName?: string | null } | null;
  httpLogs?: { logEntry?: HttpAccessLogEntryInput[] | null } | null;
  tcpLogs?: { logEntry?: unknown[] | null } | null;
}

/** The spool of edge events: AUDIT_SPOOL_DIR, else beside the jsonl sink file. */
export function edgeSpoolDir(config: AuditConfig): string {
  return config.AUDIT_SPOOL_DIR ?? `${config.AUDIT_SINK_JSONL_PATH}.spool`;
}

const meter = metrics.getMeter('airlock-audit');
const entriesReceived = meter.createCounter('airlock_audit_edge_entries_total', { description: 'Envoy access-log entries received, by kind (http, tcp)' });
const entriesLost = meter.createCounter('airlock_audit_edge_events_failed_total', { description: 'Edge audit events that could not be made durable (local disk failure)' });

/**
 * Envoy's gRPC access-log stream → audit events on the audit topic, through the same durable producer the
 * services use (broker ack or fsync'd spool), so they reach the sinks by the same consumer path — chained,
 * de-duplicated, dead-lettered like every other event. Envoy's access-log protocol has no acknowledgement:
 * what Envoy buffered when the stream broke is lost on its side (its `logs_dropped` stat); once received
 * here an entry is kept. TCP entries are counted and not audited.
 */
@Injectable()
export class IngestAccessLogs implements OnApplicationShutdown {
  private readonly producer: DurableEventProducer;
  private readonly topic: string;
  private readonly open = new Set<() => void>();
  private readonly onSignal = () => this.endStreams();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AuditConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {
    this.producer = new DurableEventProducer(createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'airlock-audit-edge', logger }), {
      spoolDir: edgeSpoolDir(config),
      logger,
    });
    this.topic = topicName('audit', config.TOPIC_PREFIX);
    // runService closes the app on these signals, and the gRPC server closes first: this listener runs before.
    process.prependListener('SIGTERM', this.onSignal);
    process.prependListener('SIGINT', this.onSignal);
  }

  /**
   * Resolves with the (empty) response when Envoy ends the stream, when the stream is older than
   * AUDIT_ALS_STREAM_MAX_MS, or when the process is told to stop. Envoy never ends an access-log stream by
   * itself, and the gRPC server's graceful shutdown waits for every open call: ending streams from this side
   * keeps shutdown bounded (Envoy opens a new stream with its next flush, to whichever instance is up).
   */
  execute(messages: Observable<StreamAccessLogsMessageInput>): Promise<Record<string, never>> {
    return new Promise((resolve) => {
      let logName = '';
      const finish = () => {
        clearTimeout(timer);
        this.open.delete(finish);
        resolve({});
      };
      const timer = setTimeout(finish, this.config.AUDIT_ALS_STREAM_MAX_MS);
      timer.unref();
      this.open.add(finish);
      // Messages that still arrive after the response was sent are published too: the subscription stays.
      messages.subscribe({
        next: (message) => {
          logName = message.identifier?.logName || logName;
          const http = message.httpLogs?.logEntry ?? [];
          if (http.length) entriesReceived.add(http.length, { kind: 'http' });
          const tcp = message.tcpLogs?.logEntry?.length ?? 0;
          if (tcp) entriesReceived.add(tcp, { kind: 'tcp' });
          for (const entry of http) this.publish(entry, logName);
        },
        error: (err: unknown) => {
          this.logger.warn({ err: err instanceof Error ? err.message : String(err), log_name: logName }, 'access-log stream failed');
          finish();
        },
        complete: finish,
      });
    });
  }

  /** Ends every open access-log stream (on SIGTERM/SIGINT, before the gRPC server starts waiting for calls). */
  endStreams(): void {
    for (const finish of [...this.open]) finish();
  }

  private publish(entry: HttpAccessLogEntryInput, logName: string): void {
    const event = toEdgeAuditEvent(entry, this.config.AUDIT_EDGE_EVENT_TYPE);
    const bytes = airlock.events.v1.AuditEvent.encode(event).finish();
    this.producer.publish(this.topic, event.correlationId || event.eventId, bytes).catch((err: unknown) => {
      entriesLost.add(1);
      this.logger.error({ err: err instanceof Error ? err.message : String(err), log_name: logName, event_id: event.eventId }, 'edge audit event could not be made durable');
    });
  }

  async onApplicationShutdown(): Promise<void> {
    process.off('SIGTERM', this.onSignal);
    process.off('SIGINT', this.onSignal);
    this.endStreams();
    await this.producer.close().catch((err: unknown) => this.logger.warn({ err }, 'closing the edge event producer failed'));
  }
}
