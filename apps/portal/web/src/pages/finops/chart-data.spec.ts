import type { UsageSeriesRow } from '../../api/types';
import { MAX_CHART_GROUPS, chartData } from './chart-data';

const row = (period: string, key: string, total: number, cost: number | null = null): UsageSeriesRow => ({
  period,
  key,
  requests: 1,
  prompt_tokens: total,
  completion_tokens: 0,
  total_tokens: total,
  cost_units: cost,
});

describe('chartData', () => {
  it('puts every period on the axis and one series per group, largest first, zero where a group had nothing', () => {
    const data = chartData([row('2026-12-01', 'payments', 10), row('2026-12-01', 'lending', 30), row('2026-12-03', 'payments', 5)], 'total_tokens');
    expect(data).toEqual({
      periods: ['2026-12-01', '2026-12-03'],
      series: [
        { key: 'lending', values: [30, 0] },
        { key: 'payments', values: [10, 5] },
      ],
    });
  });

  it(`draws the ${MAX_CHART_GROUPS} largest groups and sums the rest into one "other" series`, () => {
    const rows = Array.from({ length: MAX_CHART_GROUPS + 3 }, (_, i) => row('2026-12-01', `p${i}`, 100 - i));
    const data = chartData(rows, 'total_tokens');
    expect(data.series.map((s) => s.key)).toEqual([...Array.from({ length: MAX_CHART_GROUPS }, (_, i) => `p${i}`), null]);
    expect(data.series.at(-1)!.values).toEqual([100 - MAX_CHART_GROUPS + (100 - MAX_CHART_GROUPS - 1) + (100 - MAX_CHART_GROUPS - 2)]);
  });

  it('keeps one group more than the limit as itself rather than an "other" of one', () => {
    const rows = Array.from({ length: MAX_CHART_GROUPS + 1 }, (_, i) => row('2026-12-01', `p${i}`, 10));
    expect(chartData(rows, 'total_tokens').series.every((s) => s.key !== null)).toBe(true);
  });

  it('charts requests or cost units, a missing cost as 0', () => {
    expect(chartData([row('2026-12', 'm', 10, 2.5), row('2026-12', 'n', 10)], 'cost_units').series).toEqual([
      { key: 'm', values: [2.5] },
      { key: 'n', values: [0] },
    ]);
    expect(chartData([row('2026-12', 'm', 10)], 'requests').series[0].values).toEqual([1]);
  });
});
