import { Injectable } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { newEventId } from '@airlock/events';
import type { EdgeIdentity } from '@airlock/runtime';
import { AuditForbiddenError, ReadNotRecordedError } from '../errors';
import { AuditTopicPublisher } from '../events/audit-topic-publisher';

/** Roles that may read the audit trail (the default policy bundle's `api.audit.read.allow` says the same at the edge). */
export const TRAIL_READER_ROLES = ['auditor', 'security-admin'] as const;

export interface TrailRead {
  caller: EdgeIdentity;
  correlationId: string;
  eventType: 'audit.search' | 'audit.read';
  endpoint: string;
  /** What was read, without personal data: filter names and the time range, or an event id. */
  action: string;
}

/**
 * Who may read the trail, and the record that they did: every answered read is first published as an audit
 * event of its own (actor, endpoint, what was asked), durable before the answer goes out.
 */
@Injectable()
export class TrailReads {
  constructor(private readonly publisher: AuditTopicPublisher) {}

  /** Checked here as well as at the edge: a request that reached this port around Envoy still needs the role. */
  authorize(caller: EdgeIdentity): void {
    if (!caller.roles.some((role) => (TRAIL_READER_ROLES as readonly string[]).includes(role))) throw new AuditForbiddenError();
  }

  async record(read: TrailRead): Promise<void> {
    const event = airlock.events.v1.AuditEvent.fromPartial({
      eventId: newEventId(),
      eventType: read.eventType,
      timestamp: new Date().toISOString(),
      correlationId: read.correlationId,
      tenantId: read.caller.tenantId,
      userId: read.caller.userId,
      actor: read.caller.kind,
      endpoint: read.endpoint,
      action: read.action,
      outcome: 'success',
      service: 'audit',
    });
    try {
      await this.publisher.publish(event);
    } catch (error) {
      throw new ReadNotRecordedError(error);
    }
  }
}
