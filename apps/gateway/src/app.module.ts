import { Module } from '@nestjs/common';
import { BackendsController } from './backends/backends.controller';
import { DlpGuard } from './dlp/dlp-guard';
import { AiEvents } from './events/ai-events';
import { AiExchange } from './exchange/exchange';
import { BackendPool } from './routing/backend-pool';
import { ModelRouter } from './routing/model-router';
import { ResponseCache } from './routing/response-cache';
import { OpenAiController } from './surfaces/openai.controller';
import { SeedController } from './surfaces/seed.controller';
import { TabbyController } from './surfaces/tabby.controller';

@Module({
  controllers: [OpenAiController, SeedController, TabbyController, BackendsController],
  providers: [AiExchange, DlpGuard, BackendPool, ModelRouter, ResponseCache, AiEvents],
})
export class AppModule {}
