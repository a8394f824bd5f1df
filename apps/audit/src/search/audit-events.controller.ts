import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { Controller, Get, Param, Query, Req, Res, StreamableFile } from '@nestjs/common';
import { EdgeCaller } from '@airlock/runtime';
import { InvalidFormatError } from '../errors';
import { eventsCsv } from './events-csv';
import { ExportAuditEvents } from './export-audit-events.usecase';
import { GetAuditEvent, type AuditEventDetail } from './get-audit-event.usecase';
import { GetChainStatus, type ChainStatus } from './get-chain-status.usecase';
import { SearchAuditEvents, type SearchPage } from './search-audit-events.usecase';

/** The part of express's response used here (express's types are not a dependency of this package). */
interface HeaderSink {
  setHeader(name: string, value: string): unknown;
}

type Request = { headers: IncomingHttpHeaders };

const correlationOf = (headers: IncomingHttpHeaders): string => {
  const value = headers['x-correlation-id'];
  return typeof value === 'string' ? value : '';
};

/** `?format=` wins; without it `Accept: text/csv` asks for CSV (a spreadsheet's or curl's download). */
function wantsCsv(req: Request, query: Record<string, unknown>): boolean {
  const format = query.format;
  if (format === undefined) return /\btext\/csv\b/i.test(req.headers.accept ?? '');
  if (format !== 'csv' && format !== 'json') throw new InvalidFormatError();
  return format === 'csv';
}

/**
 * The audit trail behind Envoy. The caller comes only from the identity assertion policy's ext_authz signed
 * (401 `unauthenticated` without a valid one): the tenant searched is the caller's, never a parameter.
 */
@Controller('api/audit/v1')
export class AuditEventsController {
  constructor(
    private readonly search: SearchAuditEvents,
    private readonly exportEvents: ExportAuditEvents,
    private readonly getEvent: GetAuditEvent,
    private readonly chainStatus: GetChainStatus,
    private readonly edge: EdgeCaller,
  ) {}

  @Get('events')
  async list(@Req() req: Request, @Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: HeaderSink): Promise<SearchPage | string | StreamableFile> {
    const caller = await this.edge.callerFrom(req);
    const csv = wantsCsv(req, query);
    if (csv && query.limit === undefined && query.cursor === undefined) {
      // No page asked for: the whole search, streamed.
      const chunks = await this.exportEvents.execute(caller, query, correlationOf(req.headers));
      res.setHeader('cache-control', 'no-store');
      return new StreamableFile(Readable.from(chunks), { type: 'text/csv; charset=utf-8', disposition: 'attachment; filename="audit-events.csv"' });
    }
    const page = await this.search.execute(caller, query, correlationOf(req.headers), csv);
    res.setHeader('cache-control', 'no-store');
    if (!csv) return page;
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', 'attachment; filename="audit-events.csv"');
    // The CSV is one table, so the cursor of the next page travels in a header.
    if (page.next_cursor) res.setHeader('x-next-cursor', page.next_cursor);
    return eventsCsv(page.events);
  }

  @Get('events/:id')
  async one(@Req() req: Request, @Param('id') id: string, @Res({ passthrough: true }) res: HeaderSink): Promise<AuditEventDetail> {
    const caller = await this.edge.callerFrom(req);
    const detail = await this.getEvent.execute(caller, id, correlationOf(req.headers));
    res.setHeader('cache-control', 'no-store');
    return detail;
  }

  @Get('chains')
  async chains(@Req() req: Request, @Res({ passthrough: true }) res: HeaderSink): Promise<ChainStatus> {
    const caller = await this.edge.callerFrom(req);
    const status = await this.chainStatus.execute(caller, correlationOf(req.headers));
    res.setHeader('cache-control', 'no-store');
    return status;
  }
}
