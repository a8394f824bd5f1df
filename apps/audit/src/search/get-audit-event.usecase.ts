import { Injectable } from '@nestjs/common';
import { recordHash, type ChainFields } from '@airlock/audit-chain';
import type { EdgeIdentity } from '@airlock/runtime';
import { AuditEventNotFoundError, auditIndexError } from '../errors';
import { AuditIndexStore } from '../event-index/audit-index-store';
import type { ChainedAuditRecord } from '../events/audit-record';
import { TrailReads } from './trail-reads';

export interface AuditEventDetail {
  event: ChainedAuditRecord;
  /** The event's link in its partition's hash chain; `verified`: its hash matches every field as indexed. */
  chain: ChainFields & { verified: boolean };
}

/** GET /api/audit/v1/events/{id}: one event of the caller's tenant with every field and its chain link, checked. */
@Injectable()
export class GetAuditEvent {
  constructor(
    private readonly store: AuditIndexStore,
    private readonly reads: TrailReads,
  ) {}

  async execute(caller: EdgeIdentity, eventId: string, correlationId: string): Promise<AuditEventDetail> {
    this.reads.authorize(caller);
    if (!/^[\x21-\x7e]{1,128}$/.test(eventId)) throw new AuditEventNotFoundError();
    const event = await this.store.find(caller.tenantId, eventId).catch((error: unknown) => {
      throw auditIndexError(error);
    });
    if (!event) throw new AuditEventNotFoundError();
    await this.reads.record({ caller, correlationId, eventType: 'audit.read', endpoint: '/api/audit/v1/events/{id}', action: `read event_id=${eventId}` });
    return { event, chain: { ...event.chain, verified: recordHash(event) === event.chain.hash } };
  }
}
