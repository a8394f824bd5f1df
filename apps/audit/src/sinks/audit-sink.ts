import type { AuditRecord } from '../events/audit-record';

/**
 * Where audit events end up (a file, syslog, a SIEM's HTTP collector). `write` resolves only once the
 * records are durable at the destination: the consumer commits the Kafka offset after that, so a sink that
 * resolves early can lose events.
 */
export interface AuditSink {
  readonly name: string;
  write(records: AuditRecord[]): Promise<void>;
  close(): Promise<void>;
}
