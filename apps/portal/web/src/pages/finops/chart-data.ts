import type { UsageSeriesRow } from '../../api/types';

export const METRICS = ['total_tokens', 'requests', 'cost_units'] as const;
export type Metric = (typeof METRICS)[number];

/** Groups drawn one by one; the rest are summed into one "other" series, so the chart stays readable. */
export const MAX_CHART_GROUPS = 7;

export interface ChartData {
  /** Every period of the rows, in order. */
  periods: string[];
  /** One series per group, largest first, then "other" when there were more; `key` null for "other". */
  series: { key: string | null; values: number[] }[];
}

const valueOf = (row: UsageSeriesRow, metric: Metric) => row[metric] ?? 0;

/**
 * The series answer pivoted for a stacked chart: periods along the axis, one series per group (the
 * MAX_CHART_GROUPS largest by the metric over the whole range), the rest as one "other" series.
 */
export function chartData(rows: readonly UsageSeriesRow[], metric: Metric): ChartData {
  const periods = [...new Set(rows.map((r) => r.period))].sort();
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.key, (totals.get(r.key) ?? 0) + valueOf(r, metric));
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([key]) => key);
  const shown = ranked.length > MAX_CHART_GROUPS + 1 ? ranked.slice(0, MAX_CHART_GROUPS) : ranked;
  const index = new Map(periods.map((p, i) => [p, i]));
  const series = shown.map((key) => ({ key: key as string | null, values: periods.map(() => 0) }));
  const byKey = new Map(series.map((s) => [s.key, s]));
  const other = shown.length < ranked.length ? { key: null, values: periods.map(() => 0) } : undefined;
  for (const r of rows) {
    const target = byKey.get(r.key) ?? other;
    if (target) target.values[index.get(r.period)!] += valueOf(r, metric);
  }
  return { periods, series: other ? [...series, other] : series };
}
