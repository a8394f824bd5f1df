// ECharts from its tree-shakable entry points: only the bar chart, its grid, legend and tooltip and the canvas
// renderer. This module is imported dynamically by UsageChart, so the library loads after the console's own
// code, never with the first page.
import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export { echarts };
