import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ROUTE_HEADERS } from '@airlock/identity-assertion';
import { metrics } from '@airlock/telemetry';
import type { Request, Response } from 'express';
import { AiExchange } from '../exchange/exchange';
import { tabbyCompletionSpec, tabbyHealth } from './tabby';

const completionEvents = metrics
  .getMeter('airlock-gateway')
  .createCounter('ai_gateway_completion_events_total', { description: 'IDE completion events (view, select, dismiss): acceptance rate' });

/** Tabby's server API under /tabby (its /v1/completions clashes with OpenAI's), for the Tabby IDE extension. */
@Controller('tabby')
export class TabbyController {
  constructor(private readonly exchange: AiExchange) {}

  @Post('/v1/completions')
  completions(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    return this.exchange.run(req, res, { endpoint: '/tabby/v1/completions', requestType: 'autocomplete' }, () => tabbyCompletionSpec(body));
  }

  @Get('/v1/health')
  healthGet(@Req() req: Request) {
    return tabbyHealth(req.header(ROUTE_HEADERS.model));
  }

  @Post('/v1/health')
  @HttpCode(200)
  healthPost(@Req() req: Request) {
    return tabbyHealth(req.header(ROUTE_HEADERS.model));
  }

  /** Completion telemetry from the extension: counted (acceptance rate), never forwarded or stored. */
  @Post('/v1/events')
  @HttpCode(200)
  events(@Body() body: unknown): void {
    const type = (body as { type?: unknown } | null)?.type;
    completionEvents.add(1, { type: typeof type === 'string' && /^[a-z_]{1,32}$/.test(type) ? type : 'other' });
  }
}
