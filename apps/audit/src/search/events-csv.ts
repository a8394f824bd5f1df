import { csvRecords } from '@airlock/runtime';
import { AUDIT_FIELD_NAMES, type ChainedAuditRecord } from '../events/audit-record';

const FIELDS = Object.values(AUDIT_FIELD_NAMES);

/** Every record field in proto order, then the chain link; one record per event. */
export const EVENTS_CSV_HEADER = [...FIELDS, 'chain_id', 'chain_seq', 'chain_hash'];

/** Events as CSV records without the header (RFC 4180, formula cells neutralised); list fields joined with ";". */
export function eventsCsvRows(records: readonly ChainedAuditRecord[]): string {
  return csvRecords(
    records.map((r) => {
      const row = r as unknown as Record<string, unknown>;
      const cells = FIELDS.map((name) => {
        const value = row[name];
        if (Array.isArray(value)) return value.join(';');
        return typeof value === 'number' ? value : String(value ?? '');
      });
      return [...cells, r.chain.id, r.chain.seq, r.chain.hash];
    }),
  );
}

/** A page of events as one CSV table, the header first. */
export function eventsCsv(records: readonly ChainedAuditRecord[]): string {
  return csvRecords([EVENTS_CSV_HEADER]) + eventsCsvRows(records);
}
