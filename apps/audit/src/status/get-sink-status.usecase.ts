import { Inject, Injectable } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { APP_CONFIG, type ServiceConfig } from '@airlock/runtime';
import { AuditStats } from '../ingest/audit-stats';
import type { auditConfig } from '../config';

/** Counters since boot, one entry per configured sink (also before it has written anything). */
@Injectable()
export class GetSinkStatus {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof auditConfig>,
    private readonly stats: AuditStats,
  ) {}

  execute(): airlock.audit.v1.GetSinkStatusResponse {
    return {
      eventsConsumed: this.stats.eventsConsumed,
      duplicatesDropped: this.stats.duplicatesDropped,
      sinks: this.config.AUDIT_SINKS.map((name) => this.stats.sink(name)),
    };
  }
}
