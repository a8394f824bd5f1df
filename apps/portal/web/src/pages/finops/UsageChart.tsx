import { useEffect, useRef } from 'react';
import type { ChartData } from './chart-data';

// Distinct hues that keep 3:1 against white (graphics contrast), in the portal's blue first.
const PALETTE = ['#1d4ed8', '#b42318', '#2b6a12', '#8a5300', '#6d28d9', '#0e7490', '#9d174d', '#4b5563'];

/**
 * A stacked bar chart of the series, drawn by ECharts (loaded on first use). The canvas is one image to
 * assistive technology, named by `label`; the numbers themselves are in the table beside it.
 */
export function UsageChart({ data, label, seriesName, periodLabel, formatValue }: { data: ChartData; label: string; seriesName: (key: string | null) => string; periodLabel: (period: string) => string; formatValue: (n: number) => string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let disposed = false;
    let dispose = () => {};
    void import('./echarts-setup').then(({ echarts }) => {
      if (disposed || !host.current) return;
      const chart = echarts.init(host.current, undefined, { renderer: 'canvas' });
      chart.setOption({
        animation: false,
        color: PALETTE,
        grid: { left: 8, right: 16, top: 48, bottom: 8, containLabel: true },
        legend: { type: 'scroll', top: 0 },
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: unknown) => formatValue(Number(v)) },
        xAxis: { type: 'category', data: data.periods.map(periodLabel) },
        yAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatValue(v) } },
        series: data.series.map((s) => ({ type: 'bar', stack: 'usage', name: seriesName(s.key), data: s.values, barMaxWidth: 56, emphasis: { focus: 'series' } })),
      });
      // The canvas has a fixed size in pixels: it follows its box (a narrower window, zoom), not only the window.
      const observer = new ResizeObserver(() => chart.resize());
      observer.observe(host.current);
      dispose = () => {
        observer.disconnect();
        chart.dispose();
      };
    });
    return () => {
      disposed = true;
      dispose();
    };
  }, [data, seriesName, periodLabel, formatValue]);
  return <div ref={host} className="finops-chart" role="img" aria-label={label} data-testid="finops-chart" />;
}
