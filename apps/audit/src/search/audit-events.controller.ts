import type { IncomingHttpHeaders } from 'node:http';
import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { EdgeCaller } from '@airlock/runtime';
import { GetAuditEvent, type AuditEventDetail } from './get-audit-event.usecase';
import { SearchAuditEvents, type SearchPage } from './search-audit-events.usecase';

/** The part of express's response used here (express's types are not a dependency of this package). */
interface HeaderSink {
  setHeader(name: string, value: string): unknown;
}

const correlationOf = (headers: IncomingHttpHeaders): string => {
  const value = headers['x-correlation-id'];
  return typeof value === 'string' ? value : '';
};

/**
 * The audit trail behind Envoy. The caller comes only from the identity assertion policy's ext_authz signed
 * (401 `unauthenticated` without a valid one): the tenant searched is the caller's, never a parameter.
 */
@Controller('api/audit/v1')
export class AuditEventsController {
  constructor(
    private readonly search: SearchAuditEvents,
    private readonly getEvent: GetAuditEvent,
    private readonly edge: EdgeCaller,
  ) {}

  @Get('events')
  async list(@Req() req: { headers: IncomingHttpHeaders }, @Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: HeaderSink): Promise<SearchPage> {
    const caller = await this.edge.callerFrom(req);
    const page = await this.search.execute(caller, query, correlationOf(req.headers));
    res.setHeader('cache-control', 'no-store');
    return page;
  }

  @Get('events/:id')
  async one(@Req() req: { headers: IncomingHttpHeaders }, @Param('id') id: string, @Res({ passthrough: true }) res: HeaderSink): Promise<AuditEventDetail> {
    const caller = await this.edge.callerFrom(req);
    const detail = await this.getEvent.execute(caller, id, correlationOf(req.headers));
    res.setHeader('cache-control', 'no-store');
    return detail;
  }
}
