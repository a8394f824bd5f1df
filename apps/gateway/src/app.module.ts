import { Module } from '@nestjs/common';
import { BackendRegistry } from './backends/backend-registry';
import { BackendsController } from './backends/backends.controller';
import { ChatController } from './chat/chat.controller';
import { ChatUseCase } from './chat/chat.usecase';
import { DlpGuard } from './dlp/dlp-guard';
import { AiEvents } from './events/ai-events';

@Module({
  controllers: [ChatController, BackendsController],
  providers: [ChatUseCase, DlpGuard, BackendRegistry, AiEvents],
})
export class AppModule {}
