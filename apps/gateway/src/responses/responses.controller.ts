import { Body, Controller, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AiExchange } from '../exchange/exchange';
import { responsesSpec } from './responses-spec';

/** The OpenAI Responses API (Codex CLI, the newer OpenAI SDKs), translated to the in-house chat backends. */
@Controller()
export class ResponsesController {
  constructor(private readonly exchange: AiExchange) {}

  @Post('/v1/responses')
  create(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    return this.exchange.run(req, res, { endpoint: '/v1/responses', requestType: 'chat' }, () => responsesSpec(body));
  }
}
