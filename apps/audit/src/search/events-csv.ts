import { toCsv } from '@airlock/runtime';
import { AUDIT_FIELD_NAMES, type ChainedAuditRecord } from '../events/audit-record';

const FIELDS = Object.values(AUDIT_FIELD_NAMES);

/** Every record field in proto order, then the chain link; one record per event. */
export const EVENTS_CSV_HEADER = [...FIELDS, 'chain_id', 'chain_seq', 'chain_hash'];

/** A page of events as CSV (RFC 4180, formula cells neutralised); list fields are joined with ";". */
export function eventsCsv(records: readonly ChainedAuditRecord[]): string {
  return toCsv(
    EVENTS_CSV_HEADER,
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
