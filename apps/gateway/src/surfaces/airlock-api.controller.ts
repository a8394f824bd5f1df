import { Body, Controller, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AiExchange } from '../exchange/exchange';
import { airlockAgentSpec, airlockAutocompleteSpec, airlockChatSpec, ragIndexSpec, ragQuerySpec } from './airlock-api';

/** Airlock's own AI endpoints (the OpenAI and Tabby surfaces serve clients built for those APIs). */
@Controller()
export class AirlockApiController {
  constructor(private readonly exchange: AiExchange) {}

  @Post('/v1/chat')
  chat(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    return this.exchange.run(req, res, { endpoint: '/v1/chat', requestType: 'chat' }, () => airlockChatSpec(body));
  }

  @Post('/v1/agent')
  agent(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    return this.exchange.run(req, res, { endpoint: '/v1/agent', requestType: 'agent' }, () => airlockAgentSpec(body));
  }

  @Post('/v1/autocomplete')
  autocomplete(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    return this.exchange.run(req, res, { endpoint: '/v1/autocomplete', requestType: 'autocomplete' }, () => airlockAutocompleteSpec(body));
  }

  @Post('/v1/rag/query')
  ragQuery(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    return this.exchange.run(req, res, { endpoint: '/v1/rag/query', requestType: 'rag' }, () => ragQuerySpec(body));
  }

  @Post('/v1/rag/index')
  ragIndex(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    return this.exchange.run(req, res, { endpoint: '/v1/rag/index', requestType: 'rag' }, () => ragIndexSpec(body));
  }
}
