import type { IncomingHttpHeaders } from 'node:http';
import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { EdgeCaller } from '@airlock/runtime';
import { InvalidFormatError, OtherTenantError } from '../errors';
import { GetUsageReport, reportCsv, reportJson } from './get-usage-report.usecase';

/** The part of express's response used here (express's types are not a dependency of this package). */
interface HeaderSink {
  setHeader(name: string, value: string): unknown;
}

const first = (value: unknown): string => (typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : '');
// The project id ends up in a header; anything outside this set would need quoting there.
const filenameSafe = (value: string) => value.replace(/[^A-Za-z0-9._-]/g, '_');

/**
 * Usage reports behind Envoy. The principal comes only from the identity assertion policy's ext_authz signed
 * (401 `unauthenticated` without a valid one), so the tenant is the caller's, never a parameter, and a
 * request that reached this port around Envoy names no tenant at all.
 */
@Controller('api/usage/v1')
export class ReportsApiController {
  constructor(
    private readonly getReport: GetUsageReport,
    private readonly edge: EdgeCaller,
  ) {}

  @Get('reports')
  async report(
    @Req() req: { headers: IncomingHttpHeaders },
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) res: HeaderSink,
  ): Promise<unknown> {
    const { tenantId } = await this.edge.callerFrom(req);
    const askedTenant = first(query.tenant_id);
    if (askedTenant && askedTenant !== tenantId) throw new OtherTenantError();
    const format = first(query.format) || 'json';
    if (format !== 'csv' && format !== 'json') throw new InvalidFormatError();
    const report = await this.getReport.execute({ tenantId, projectId: first(query.project_id), month: first(query.month) });
    res.setHeader('cache-control', 'no-store');
    if (format === 'json') return reportJson(report);
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="usage-${filenameSafe(report.projectId)}-${report.month}.csv"`);
    return reportCsv(report);
  }
}
