import { Body, Controller, Get, Inject, Post, Req, Res } from '@nestjs/common';
import { APP_CONFIG, EdgeCaller, type ServiceConfig } from '@airlock/runtime';
import type { Request, Response } from 'express';
import { AiExchange } from '../exchange/exchange';
import { callerFromEdge } from '../identity/trusted-identity';
import type { gatewayConfig } from '../config';
import { embeddingsSpec } from '../embeddings/embeddings-spec';
import { openAiChatSpec, openAiCompletionSpec } from './openai';

/** The OpenAI-compatible surface Continue (`provider: openai`), opencode and the OpenAI SDKs call. */
@Controller()
export class OpenAiController {
  constructor(
    private readonly exchange: AiExchange,
    private readonly edge: EdgeCaller,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof gatewayConfig>,
  ) {}

  @Post('/v1/chat/completions')
  chat(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    return this.exchange.run(req, res, { endpoint: '/v1/chat/completions', requestType: 'chat' }, () => openAiChatSpec(body));
  }

  @Post('/v1/completions')
  completions(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    return this.exchange.run(req, res, { endpoint: '/v1/completions', requestType: 'autocomplete' }, () => openAiCompletionSpec(body));
  }

  @Post('/v1/embeddings')
  embeddings(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    return this.exchange.run(req, res, { endpoint: '/v1/embeddings', requestType: 'embeddings' }, () => embeddingsSpec(body));
  }

  /** Only the aliases policy lets this caller use (x-airlock-model-aliases, else the routed model). */
  @Get('/v1/models')
  async models(@Req() req: Request) {
    const caller = await callerFromEdge(req, this.edge, this.config.GATEWAY_TRUST_ALIAS_HEADER);
    const ids = [...new Set(caller.aliases.map((a) => a.alias))];
    return { object: 'list', data: ids.map((id) => ({ id, object: 'model', created: 0, owned_by: 'airlock' })) };
  }
}
