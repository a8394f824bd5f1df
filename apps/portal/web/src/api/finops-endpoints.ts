// The usage reports the FinOps console calls; apart from endpoints.ts so that they load with the console, not
// with the first page.
import { request, requestJson } from './client';
import type { BudgetStandings, FinOpsFilter, UsageAnomalies, UsageSeries } from './types';

const REPORTS = '/api/usage/v1/reports';

/** The query string of the parameters given (an empty project means every project the caller may read). */
function query(values: Record<string, string | undefined>): string {
  return new URLSearchParams(Object.entries(values).filter((entry): entry is [string, string] => Boolean(entry[1]))).toString();
}

export const getUsageSeries = (filter: FinOpsFilter) => requestJson<UsageSeries>(`${REPORTS}/series?${query({ ...filter })}`);
export const getBudgetStandings = (projectId?: string) => requestJson<BudgetStandings>(`${REPORTS}/budgets?${query({ project_id: projectId })}`);
export const listUsageAnomalies = (filter: Pick<FinOpsFilter, 'from' | 'to' | 'project_id'>) =>
  requestJson<UsageAnomalies>(`${REPORTS}/anomalies?${query({ from: filter.from, to: filter.to, project_id: filter.project_id })}`);
/** The same series as CSV, for a download. */
export const exportUsageSeriesCsv = async (filter: FinOpsFilter): Promise<Blob> => (await request(`${REPORTS}/series?${query({ ...filter, format: 'csv' })}`)).blob();
