import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, toCsv, type ServiceConfig } from '@airlock/runtime';
import type { usageConfig } from '../config';
import { ReportTooLargeError, usageStoreError } from '../errors';
import { UsageStore, type SeriesRow } from '../store/usage-store';
import { costRates, type CostRates } from './cost-units';
import type { GroupBy, Interval, ReportRange, ReportScope } from './report-query';

/** Most rows one answer carries; past it the caller narrows the question (400 usage_report_too_large). */
export const MAX_SERIES_ROWS = 20_000;

export interface SeriesRequest {
  scope: ReportScope;
  range: ReportRange;
  interval: Interval;
  groupBy: GroupBy;
}

interface Counts {
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost_units: number | null;
}

export interface UsageSeries {
  tenant_id: string;
  /** The one project asked about (or a project administrator's own), null for the whole tenant. */
  project_id: string | null;
  from: string;
  to: string;
  interval: Interval;
  group_by: GroupBy;
  /** Whether cost units are configured (USAGE_COST_UNITS); without, every `cost_units` is null. */
  cost_configured: boolean;
  rows: ({ period: string; key: string } & Counts)[];
  totals: Counts;
}

const counts = (r: SeriesRow): Counts => ({
  requests: r.requests,
  prompt_tokens: r.promptTokens,
  completion_tokens: r.completionTokens,
  total_tokens: r.promptTokens + r.completionTokens,
  cost_units: r.costUnits,
});

/**
 * `GET /api/usage/v1/reports/series`: tokens, requests and cost units of a tenant (or some of its projects) per
 * UTC day or month over a bounded range of days, grouped by project, user, model, workspace or tenant.
 */
@Injectable()
export class GetUsageSeries {
  private readonly rates?: CostRates;

  constructor(
    private readonly store: UsageStore,
    @Inject(APP_CONFIG) config: ServiceConfig<typeof usageConfig>,
  ) {
    this.rates = costRates(config.USAGE_COST_UNITS);
  }

  async execute(request: SeriesRequest): Promise<UsageSeries> {
    const { scope, range, interval, groupBy } = request;
    const rows = await this.store
      .series({ tenantId: scope.tenantId, projectIds: scope.projectIds, from: range.from, to: range.to, interval, groupBy, rates: this.rates, limit: MAX_SERIES_ROWS + 1 })
      .catch((error: unknown) => Promise.reject(usageStoreError(error)));
    if (rows.length > MAX_SERIES_ROWS) throw new ReportTooLargeError(MAX_SERIES_ROWS);
    const totals: Counts = { requests: 0, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cost_units: this.rates ? 0 : null };
    for (const r of rows) {
      totals.requests += r.requests;
      totals.prompt_tokens += r.promptTokens;
      totals.completion_tokens += r.completionTokens;
      totals.total_tokens += r.promptTokens + r.completionTokens;
      if (totals.cost_units !== null) totals.cost_units += r.costUnits ?? 0;
    }
    if (totals.cost_units !== null) totals.cost_units = Math.round(totals.cost_units * 10_000) / 10_000;
    return {
      tenant_id: scope.tenantId,
      project_id: scope.projectIds?.length === 1 ? scope.projectIds[0] : null,
      from: range.from,
      to: range.to,
      interval,
      group_by: groupBy,
      cost_configured: this.rates !== undefined,
      rows: rows.map((r) => ({ period: r.period, key: r.key, ...counts(r) })),
      totals,
    };
  }
}

/** The group's column is named after its dimension (`project_id`, `model`…), so the file says what it holds. */
const GROUP_HEADER: Record<GroupBy, string> = { project: 'project_id', user: 'user_id', model: 'model', workspace: 'workspace_id', tenant: 'tenant_id' };

/** One record per row, no totals record (one table a program can load); `cost_units` empty when not configured. */
export function seriesCsv(series: UsageSeries): string {
  const header = ['tenant_id', 'period', GROUP_HEADER[series.group_by], 'requests', 'prompt_tokens', 'completion_tokens', 'total_tokens', 'cost_units'];
  // Grouped by tenant the key is the tenant id: one column, not two equal ones.
  const columns = series.group_by === 'tenant' ? header.filter((_, i) => i !== 2) : header;
  return toCsv(
    columns,
    series.rows.map((r) => {
      const record = [series.tenant_id, r.period, r.key, r.requests, r.prompt_tokens, r.completion_tokens, r.total_tokens, r.cost_units ?? ''];
      return series.group_by === 'tenant' ? record.filter((_, i) => i !== 2) : record;
    }),
  );
}
