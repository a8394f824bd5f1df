import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type EdgeIdentity, type ServiceConfig } from '@airlock/runtime';
import type { auditConfig } from '../config';
import { ExportTooLargeError, auditIndexError } from '../errors';
import { AuditIndexStore, type IndexPosition } from '../event-index/audit-index-store';
import { eventsCsv, eventsCsvRows } from './events-csv';
import { describeSearch, parseSearchRequest, type SearchRequest } from './search-request';
import { TrailReads } from './trail-reads';

/** Rows read from the index per query while the export streams. */
const EXPORT_PAGE_ROWS = 1_000;

/**
 * GET /api/audit/v1/events?format=csv without `limit` or `cursor`: every event of the search as one CSV
 * download, streamed page by page so memory stays flat. Everything that can refuse it — the role, the
 * parameters, a search larger than AUDIT_EXPORT_MAX_ROWS, recording the read — happens before the first byte,
 * so a refusal is a clean error answer, never a cut-off file.
 */
@Injectable()
export class ExportAuditEvents {
  constructor(
    @Inject(APP_CONFIG) private readonly config: Pick<ServiceConfig<typeof auditConfig>, 'AUDIT_EXPORT_MAX_ROWS'>,
    private readonly store: AuditIndexStore,
    private readonly reads: TrailReads,
  ) {}

  async execute(caller: EdgeIdentity, query: Record<string, unknown>, correlationId: string): Promise<AsyncIterable<string>> {
    this.reads.authorize(caller);
    const request = parseSearchRequest(query);
    const search = { ...request, tenantId: caller.tenantId };
    const matched = await this.store.countUpTo(search, this.config.AUDIT_EXPORT_MAX_ROWS).catch((error: unknown) => {
      throw auditIndexError(error);
    });
    if (matched > this.config.AUDIT_EXPORT_MAX_ROWS) throw new ExportTooLargeError(this.config.AUDIT_EXPORT_MAX_ROWS);
    await this.reads.record({ caller, correlationId, eventType: 'audit.search', endpoint: '/api/audit/v1/events', action: `${describeSearch(request)} format=csv export` });
    return this.pages(search);
  }

  private async *pages(search: SearchRequest & { tenantId: string }): AsyncIterable<string> {
    yield eventsCsv([]);
    let after: IndexPosition | undefined;
    for (;;) {
      const rows = await this.store.search({ ...search, ...(after ? { after } : {}), limit: EXPORT_PAGE_ROWS });
      if (rows.length > 0) yield eventsCsvRows(rows.map((r) => r.record));
      if (rows.length < EXPORT_PAGE_ROWS) return;
      after = rows[rows.length - 1]!.position;
    }
  }
}

