import { airlock } from '@airlock/contracts';
import { linkRecord } from '@airlock/audit-chain';
import { toAuditRecord } from '../events/audit-record';
import { EVENTS_CSV_HEADER, eventsCsv } from './events-csv';

describe('eventsCsv', () => {
  it('writes every field in proto order and the chain link, defusing formula cells', () => {
    const record = linkRecord(
      toAuditRecord(airlock.events.v1.AuditEvent.fromPartial({ eventId: 'e1', userId: '=HYPERLINK("http://x")', latencyMs: 12, changedFiles: ['a.ts', 'b.ts'], endpoint: '/v1/chat' })),
      'airlock.audit.v1/0',
      undefined,
    );
    const [head, row, end] = eventsCsv([record]).split('\r\n');
    expect(head).toBe(EVENTS_CSV_HEADER.join(','));
    expect(EVENTS_CSV_HEADER.slice(0, 3)).toEqual(['event_id', 'event_type', 'timestamp']);
    const cells = row!.split(',');
    expect(cells[0]).toBe('e1');
    expect(row).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(row).toContain(',12,');
    expect(row).toContain(',a.ts;b.ts,');
    expect(row!.endsWith(`,airlock.audit.v1/0,1,${record.chain.hash}`)).toBe(true);
    expect(end).toBe('');
  });
});
