import { Body, Controller, HttpCode, Inject, Post, Req, Res, UseFilters } from '@nestjs/common';
import { APP_CONFIG, EdgeCaller, type ServiceConfig } from '@airlock/runtime';
import type { Request, Response } from 'express';
import type { gatewayConfig } from '../config';
import { AiExchange } from '../exchange/exchange';
import { callerFromEdge } from '../identity/trusted-identity';
import { resolveRoute } from '../routing/resolve-route';
import { AnthropicErrorFilter } from './anthropic-errors';
import { anthropicMessagesSpec, countTokens } from './messages-spec';

/** The Anthropic Messages API (Claude Code, the Anthropic SDKs), translated to the in-house OpenAI-compatible backends. */
@Controller()
@UseFilters(AnthropicErrorFilter)
export class AnthropicController {
  constructor(
    private readonly exchange: AiExchange,
    private readonly edge: EdgeCaller,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof gatewayConfig>,
  ) {}

  @Post('/v1/messages')
  messages(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    return this.exchange.run(req, res, { endpoint: '/v1/messages', requestType: 'chat' }, () => anthropicMessagesSpec(body));
  }

  /** The caller and the model are checked as for a message (no backend is called, nothing to audit). */
  @Post('/v1/messages/count_tokens')
  @HttpCode(200)
  async countTokens(@Req() req: Request, @Body() body: unknown): Promise<{ input_tokens: number }> {
    const caller = await callerFromEdge(req, this.edge, this.config.GATEWAY_TRUST_ALIAS_HEADER);
    const counted = countTokens(body);
    resolveRoute(caller, '/v1/messages/count_tokens', counted.model);
    return { input_tokens: counted.input_tokens };
  }
}
