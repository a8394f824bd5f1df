import { Injectable } from '@nestjs/common';
import type { EdgeIdentity } from '@airlock/runtime';
import { auditIndexError } from '../errors';
import { AuditIndexStore } from '../event-index/audit-index-store';
import type { ChainedAuditRecord } from '../events/audit-record';
import { describeSearch, encodeCursor, parseSearchRequest } from './search-request';
import { TrailReads } from './trail-reads';

export interface SearchPage {
  events: ChainedAuditRecord[];
  /** Pass as `cursor` for the next page; null on the last one. */
  next_cursor: string | null;
}

/** GET /api/audit/v1/events: one page of the caller's tenant's events, oldest first; the read itself is audited. */
@Injectable()
export class SearchAuditEvents {
  constructor(
    private readonly store: AuditIndexStore,
    private readonly reads: TrailReads,
  ) {}

  /** `exported`: the page goes out as a CSV download, which the read's audit record says. */
  async execute(caller: EdgeIdentity, query: Record<string, unknown>, correlationId: string, exported = false): Promise<SearchPage> {
    this.reads.authorize(caller);
    const request = parseSearchRequest(query);
    // One row more than asked tells whether another page follows.
    const rows = await this.store.search({ ...request, tenantId: caller.tenantId, limit: request.limit + 1 }).catch((error: unknown) => {
      throw auditIndexError(error);
    });
    const page = rows.slice(0, request.limit);
    await this.reads.record({ caller, correlationId, eventType: 'audit.search', endpoint: '/api/audit/v1/events', action: `${describeSearch(request)}${exported ? ' format=csv' : ''}` });
    return { events: page.map((r) => r.record), next_cursor: rows.length > request.limit ? encodeCursor(page[page.length - 1]!.position) : null };
  }
}
