import { Injectable } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { toCsv } from '@airlock/runtime';
import { InvalidPeriodError, ProjectRequiredError, TenantRequiredError } from '../errors';
import { isPeriod } from '../metering/period';
import { UsageStore } from '../store/usage-store';

type Report = airlock.usage.v1.GetUsageReportResponse;
type Row = airlock.usage.v1.UsageReportRow;

/** One project's usage for one calendar month, per user, workspace and model, with totals. */
@Injectable()
export class GetUsageReport {
  constructor(private readonly store: UsageStore) {}

  async execute(request: airlock.usage.v1.GetUsageReportRequest): Promise<Report> {
    const tenantId = request.tenantId?.trim() ?? '';
    if (!tenantId) throw new TenantRequiredError();
    const projectId = request.projectId?.trim() ?? '';
    if (!projectId) throw new ProjectRequiredError();
    const month = request.month?.trim() ?? '';
    if (!isPeriod(month)) throw new InvalidPeriodError('a calendar month "YYYY-MM"');
    const rows: Row[] = (await this.store.projectMonth(tenantId, projectId, month)).map((r) => ({
      ...r,
      totalTokens: r.promptTokens + r.completionTokens,
    }));
    const totals: Row = { userId: '', workspaceId: '', model: '', requests: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0 };
    for (const r of rows) {
      totals.requests += r.requests;
      totals.promptTokens += r.promptTokens;
      totals.completionTokens += r.completionTokens;
      totals.totalTokens += r.totalTokens;
    }
    return { tenantId, projectId, month, rows, totals };
  }
}

const counts = (r: Row) => ({ requests: r.requests, prompt_tokens: r.promptTokens, completion_tokens: r.completionTokens, total_tokens: r.totalTokens });

/** The HTTP JSON form: snake_case like the CSV header. */
export function reportJson(report: Report) {
  return {
    tenant_id: report.tenantId,
    project_id: report.projectId,
    month: report.month,
    rows: report.rows.map((r) => ({ user_id: r.userId, workspace_id: r.workspaceId, model: r.model, ...counts(r) })),
    totals: counts(report.totals!),
  };
}

export const REPORT_CSV_HEADER = ['tenant_id', 'project_id', 'month', 'user_id', 'workspace_id', 'model', 'requests', 'prompt_tokens', 'completion_tokens', 'total_tokens'];

/** One record per row and no totals record, so the file stays one table a program can load. */
export function reportCsv(report: Report): string {
  return toCsv(
    REPORT_CSV_HEADER,
    report.rows.map((r) => [report.tenantId, report.projectId, report.month, r.userId, r.workspaceId, r.model, r.requests, r.promptTokens, r.completionTokens, r.totalTokens]),
  );
}
