import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { callerFromEdge } from '../identity/trusted-identity';
import { CHAT_ENDPOINT, type ChatAnswer, ChatUseCase } from './chat.usecase';

@Controller()
export class ChatController {
  constructor(private readonly chat: ChatUseCase) {}

  @Post(CHAT_ENDPOINT)
  @HttpCode(200)
  handle(@Req() req: Request, @Body() body: unknown): Promise<ChatAnswer> {
    return this.chat.execute(callerFromEdge(req, CHAT_ENDPOINT), body);
  }
}
