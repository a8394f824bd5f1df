import { Injectable } from '@nestjs/common';
import { usageStoreError } from '../errors';
import { UsageStore } from '../store/usage-store';
import type { ReportRange, ReportScope } from './report-query';

/** Most anomalies one answer lists, newest first. */
export const MAX_ANOMALIES = 500;
const DAY_MS = 86_400_000;

export interface UsageAnomaly {
  project_id: string;
  /** The anomalous UTC hour's first instant. */
  hour: string;
  current_tokens: number;
  /** The project's baseline then: the median tokens of its earlier active hours. */
  baseline_tokens: number;
  ratio: number;
  detected_at: string;
}

/**
 * `GET /api/usage/v1/reports/anomalies`: the project-hours the anomaly signal flagged (usage_anomalies) within
 * the range's UTC days, newest first.
 */
@Injectable()
export class ListUsageAnomalies {
  constructor(private readonly store: UsageStore) {}

  async execute(scope: ReportScope, range: ReportRange): Promise<{ anomalies: UsageAnomaly[]; truncated: boolean }> {
    const from = new Date(`${range.from}T00:00:00Z`);
    const to = new Date(Date.parse(`${range.to}T00:00:00Z`) + DAY_MS);
    const rows = await this.store.anomalies(scope.tenantId, scope.projectIds, from, to, MAX_ANOMALIES + 1).catch((error: unknown) => Promise.reject(usageStoreError(error)));
    return {
      anomalies: rows.slice(0, MAX_ANOMALIES).map((a) => ({
        project_id: a.projectId,
        hour: a.hour.toISOString(),
        current_tokens: a.currentTokens,
        baseline_tokens: a.baselineTokens,
        ratio: Math.round(a.ratio * 100) / 100,
        detected_at: a.detectedAt.toISOString(),
      })),
      truncated: rows.length > MAX_ANOMALIES,
    };
  }
}
