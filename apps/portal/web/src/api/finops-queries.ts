// The FinOps console's server state (loaded with the console): the usage series, budgets and anomalies of the
// filter shown. Metering lands continuously, so the answers are asked again now and then.
import { useQuery } from '@tanstack/react-query';
import * as endpoints from './finops-endpoints';
import type { FinOpsFilter } from './types';

const REFRESH_MS = 60_000;

export const useUsageSeries = (filter: FinOpsFilter) => useQuery({ queryKey: ['finops', 'series', filter], queryFn: () => endpoints.getUsageSeries(filter), refetchInterval: REFRESH_MS });
export const useBudgetStandings = (projectId?: string) =>
  useQuery({ queryKey: ['finops', 'budgets', projectId ?? ''], queryFn: () => endpoints.getBudgetStandings(projectId), refetchInterval: REFRESH_MS });
export const useUsageAnomalies = (filter: FinOpsFilter) =>
  useQuery({ queryKey: ['finops', 'anomalies', filter.from, filter.to, filter.project_id ?? ''], queryFn: () => endpoints.listUsageAnomalies(filter), refetchInterval: REFRESH_MS });
