import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { DurableEventProducer, createKafka, topicName } from '@airlock/events';
import { APP_CONFIG, APP_LOGGER, ServiceStopping, type ServiceConfig } from '@airlock/runtime';
import { metrics, type Logger } from '@airlock/telemetry';
import type { auditConfig } from '../config';
import { type HttpAccessLogEntryInput, toEdgeAuditEvent } from './access-log-entry';
import { kafkaCredentials } from '@airlock/config';

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
/** The client stream of one StreamAccessLogs call as grpc-js hands it over (ServerReadableStream). */
export interface AccessLogStream {
  on(event: 'data', listener: (message: StreamAccessLogsMessageInput) => void): this;
  on(event: 'end', listener: () => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
}

/** The call's unary answer (grpc-js `sendUnaryData`). */
export type AccessLogAnswer = (error: null, response: Record<string, never>) => void;

@Injectable()
export class IngestAccessLogs implements OnApplicationShutdown {
  private readonly producer: DurableEventProducer;
  private readonly topic: string;
  private readonly open = new Set<() => void>();
  private readonly unsubscribe: () => void;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AuditConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    stopping: ServiceStopping,
  ) {
    this.producer = new DurableEventProducer(createKafka({ brokers: config.KAFKA_BROKERS, credentials: kafkaCredentials(config), clientId: 'airlock-audit-edge', logger }), {
      spoolDir: edgeSpoolDir(config),
      logger,
    });
    this.topic = topicName('audit', config.TOPIC_PREFIX);
    this.unsubscribe = stopping.onStop(() => this.endStreams());
  }

  /**
   * Consumes one access-log stream as it arrives, for as long as Envoy keeps it open; answers when Envoy ends
   * it or when the service stops (a graceful shutdown waits for open calls, and Envoy never ends the stream
   * itself; it opens a new one with its next flush, to whichever instance is up). Nothing else ends it: what
   * Envoy writes while a stream is being ended from this side is lost (the protocol has no acknowledgement),
   * and Nest's buffered stream handler replayed every entry of a stream once more when its handler answered.
   */
  execute(stream: AccessLogStream, answer: AccessLogAnswer): void {
    let logName = '';
    let answered = false;
    const finish = () => {
      this.open.delete(finish);
      if (answered) return;
      answered = true;
      answer(null, {});
    };
    this.open.add(finish);
    stream.on('data', (message) => {
      logName = message.identifier?.logName || logName;
      const http = message.httpLogs?.logEntry ?? [];
      if (http.length) entriesReceived.add(http.length, { kind: 'http' });
      const tcp = message.tcpLogs?.logEntry?.length ?? 0;
      if (tcp) entriesReceived.add(tcp, { kind: 'tcp' });
      for (const entry of http) this.publish(entry, logName);
    });
    stream.on('end', finish);
    stream.on('error', (err) => {
      // Envoy went away (restart, reconnect): its next flush opens a new stream.
      this.logger.warn({ err: err.message, log_name: logName }, 'access-log stream failed');
      this.open.delete(finish);
      answered = true;
    });
  }

  /** Ends every open access-log stream (when the service stops, before the gRPC server waits for calls). */
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
    this.unsubscribe();
    this.endStreams();
    await this.producer.close().catch((err: unknown) => this.logger.warn({ err }, 'closing the edge event producer failed'));
  }
}
