import { Injectable } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { InvalidPeriodError, TenantRequiredError } from '../errors';
import { currentPeriod, isDay, isPeriod } from '../metering/period';
import { UsageStore } from '../store/usage-store';

export { InvalidPeriodError, TenantRequiredError };

/** Usage totals of a tenant for one month or day, optionally narrowed to a project, workspace, user and/or model. */
@Injectable()
export class GetUsage {
  constructor(private readonly store: UsageStore) {}

  async execute(request: airlock.usage.v1.GetUsageRequest, now: Date = new Date()): Promise<airlock.usage.v1.GetUsageResponse> {
    const tenantId = request.tenantId?.trim() ?? '';
    if (!tenantId) throw new TenantRequiredError();
    const period = request.period?.trim() || currentPeriod(now);
    if (!isPeriod(period) && !isDay(period)) throw new InvalidPeriodError();
    const totals = await this.store.totals({
      tenantId,
      projectId: request.projectId?.trim() ?? '',
      userId: request.userId?.trim() ?? '',
      workspaceId: request.workspaceId?.trim() ?? '',
      model: request.model?.trim() ?? '',
      period,
    });
    return { period, ...totals };
  }
}
