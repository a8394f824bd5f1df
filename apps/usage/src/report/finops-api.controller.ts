import type { IncomingHttpHeaders } from 'node:http';
import { Controller, Get, Header, Query, Req, Res } from '@nestjs/common';
import { EdgeCaller } from '@airlock/runtime';
import { InvalidFormatError } from '../errors';
import { GetBudgetStanding, type BudgetStandings } from './get-budget-standing.usecase';
import { GetUsageSeries, seriesCsv, type UsageSeries } from './get-usage-series.usecase';
import { ListUsageAnomalies } from './list-anomalies.usecase';
import { GROUP_BY, INTERVALS, choiceOf, firstQueryValue, reportRangeOf, reportScopeOf } from './report-query';

/** The part of express's response used here (express's types are not a dependency of this package). */
interface HeaderSink {
  setHeader(name: string, value: string): unknown;
}

type Request = { headers: IncomingHttpHeaders };

/**
 * The FinOps console's reports behind Envoy: usage over time, budgets and what is left, anomalies. The caller
 * and its tenant come only from the identity assertion (401 without one); which projects it may read from its
 * roles (report-query.ts). Which roles reach these routes at all is policy's decision at the edge.
 */
@Controller('api/usage/v1/reports')
export class FinOpsReportsController {
  constructor(
    private readonly edge: EdgeCaller,
    private readonly getSeries: GetUsageSeries,
    private readonly getBudgets: GetBudgetStanding,
    private readonly listAnomalies: ListUsageAnomalies,
  ) {}

  @Get('series')
  async series(@Req() req: Request, @Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: HeaderSink): Promise<UsageSeries | string> {
    const scope = reportScopeOf(await this.edge.callerFrom(req), query);
    const format = firstQueryValue(query.format) || 'json';
    if (format !== 'csv' && format !== 'json') throw new InvalidFormatError();
    const series = await this.getSeries.execute({ scope, range: reportRangeOf(query), interval: choiceOf(query, 'interval', INTERVALS), groupBy: choiceOf(query, 'group_by', GROUP_BY) });
    res.setHeader('cache-control', 'no-store');
    if (format === 'json') return series;
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="usage-${series.group_by}-${series.from}-${series.to}.csv"`);
    return seriesCsv(series);
  }

  @Get('budgets')
  @Header('cache-control', 'no-store')
  async budgets(@Req() req: Request, @Query() query: Record<string, unknown>): Promise<BudgetStandings> {
    return this.getBudgets.execute(reportScopeOf(await this.edge.callerFrom(req), query));
  }

  @Get('anomalies')
  @Header('cache-control', 'no-store')
  async anomalies(@Req() req: Request, @Query() query: Record<string, unknown>) {
    const scope = reportScopeOf(await this.edge.callerFrom(req), query);
    return this.listAnomalies.execute(scope, reportRangeOf(query));
  }
}
