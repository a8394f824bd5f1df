import { Injectable } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { InvalidArgumentError } from '@airlock/runtime';
import { currentPeriod, isPeriod } from '../metering/period';
import { UsageStore } from '../store/usage-store';

export class TenantRequiredError extends InvalidArgumentError {
  constructor() {
    super('usage_tenant_required', 'tenant_id is required');
  }
}

export class InvalidPeriodError extends InvalidArgumentError {
  constructor() {
    super('usage_invalid_period', 'period must be a calendar month "YYYY-MM"');
  }
}

/** Usage totals of a tenant for one month, optionally narrowed to a project and/or a user. */
@Injectable()
export class GetUsage {
  constructor(private readonly store: UsageStore) {}

  async execute(request: airlock.usage.v1.GetUsageRequest, now: Date = new Date()): Promise<airlock.usage.v1.GetUsageResponse> {
    const tenantId = request.tenantId?.trim() ?? '';
    if (!tenantId) throw new TenantRequiredError();
    const period = request.period?.trim() || currentPeriod(now);
    if (!isPeriod(period)) throw new InvalidPeriodError();
    const totals = await this.store.totals({
      tenantId,
      projectId: request.projectId?.trim() ?? '',
      userId: request.userId?.trim() ?? '',
      period,
    });
    return { period, ...totals };
  }
}
