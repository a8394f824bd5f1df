import { Module } from '@nestjs/common';
import { AnthropicController } from './anthropic/anthropic.controller';
import { BackendsController } from './backends/backends.controller';
import { DlpGuard } from './dlp/dlp-guard';
import { AiEvents } from './events/ai-events';
import { AiExchange } from './exchange/exchange';
import { McpController } from './mcp/mcp.controller';
import { McpGateway } from './mcp/mcp-gateway';
import { BackendPool } from './routing/backend-pool';
import { ModelRouter } from './routing/model-router';
import { ResponseCache } from './routing/response-cache';
import { ResponsesController } from './responses/responses.controller';
import { AirlockApiController } from './surfaces/airlock-api.controller';
import { OpenAiController } from './surfaces/openai.controller';
import { TabbyController } from './surfaces/tabby.controller';

@Module({
  controllers: [OpenAiController, AirlockApiController, TabbyController, BackendsController, AnthropicController, ResponsesController, McpController],
  providers: [AiExchange, DlpGuard, BackendPool, ModelRouter, ResponseCache, AiEvents, McpGateway],
})
export class AppModule {}
