import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, APP_LOGGER, ServiceStopping, type ServiceConfig } from '@airlock/runtime';
import { metrics, type Logger } from '@airlock/telemetry';
import type { auditConfig } from '../config';
import { AuditTopicPublisher } from '../events/audit-topic-publisher';
import { type HttpAccessLogEntryInput, toEdgeAuditEvent } from './access-log-entry';

type AuditConfig = ServiceConfig<typeof auditConfig>;

/** envoy.service.accesslog.v3.StreamAccessLogsMessage as the gRPC server hands it over (see access-log-entry.ts). */
export interface StreamAccessLogsMessageInput {
  identifier?: { logName?: string | null } | null;
  httpLogs?: { logEntry?: HttpAccessLogEntryInput[] | null } | null;
  tcpLogs?: { logEntry?: unknown[] | null } | null;
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
  private readonly open = new Set<() => void>();
  private readonly unsubscribe: () => void;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AuditConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly publisher: AuditTopicPublisher,
    stopping: ServiceStopping,
  ) {
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
    this.publisher.publish(event).catch((err: unknown) => {
      entriesLost.add(1);
      this.logger.error({ err: err instanceof Error ? err.message : String(err), log_name: logName, event_id: event.eventId }, 'edge audit event could not be made durable');
    });
  }

  onApplicationShutdown(): void {
    this.unsubscribe();
    this.endStreams();
  }
}
