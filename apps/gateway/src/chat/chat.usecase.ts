import { Injectable } from '@nestjs/common';
import { AppError } from '@airlock/runtime';
import { currentCorrelationId } from '@airlock/telemetry';
import { BackendRegistry, type ChatMessage } from '../backends/backend-registry';
import { DlpGuard, type DlpVerdict } from '../dlp/dlp-guard';
import { AiEvents } from '../events/ai-events';
import { DlpBlockedError, InvalidChatRequestError } from '../gateway.errors';
import type { CallerContext } from '../identity/trusted-identity';

export const CHAT_ENDPOINT = '/v1/chat';
const ROLES = new Set(['system', 'user', 'assistant']);

export interface ChatAnswer {
  id: string;
  model: string;
  message: { role: 'assistant'; content: string };
  usage: { prompt_tokens: number; completion_tokens: number };
  dlp_action: DlpVerdict;
}

export function parseChatRequest(body: unknown): ChatMessage[] {
  const messages = (body as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(messages) || messages.length === 0) throw new InvalidChatRequestError('messages must be a non-empty array');
  messages.forEach((m: { role?: unknown; content?: unknown }, i) => {
    if (typeof m?.role !== 'string' || !ROLES.has(m.role)) throw new InvalidChatRequestError(`messages[${i}].role must be one of system, user, assistant`);
    if (typeof m.content !== 'string') throw new InvalidChatRequestError(`messages[${i}].content must be a string`);
  });
  if ((body as { stream?: unknown }).stream === true) {
    throw new InvalidChatRequestError('stream is not supported on /v1/chat yet; use stream:false');
  }
  return messages.map((m: ChatMessage) => ({ role: m.role, content: m.content }));
}

/**
 * One chat turn: DLP scan of every message (masking before anything leaves), the policy-chosen backend,
 * then the audit event (every outcome) and the usage event (answered requests).
 */
@Injectable()
export class ChatUseCase {
  constructor(
    private readonly dlp: DlpGuard,
    private readonly backends: BackendRegistry,
    private readonly events: AiEvents,
  ) {}

  async execute(caller: CallerContext, body: unknown): Promise<ChatAnswer> {
    const started = performance.now();
    const correlationId = currentCorrelationId() ?? '';
    let dlpAction: DlpVerdict | 'none' = 'none';
    let statusCode = 200;
    let tokens = { prompt: 0, completion: 0 };
    try {
      const messages = parseChatRequest(body);
      const guarded = await this.dlp.scanInbound(messages.map((m) => m.content));
      dlpAction = guarded.verdict;
      const safe = messages.map((m, i) => ({ role: m.role, content: guarded.texts[i] }));
      const result = await this.backends.chat(caller.route.backend, caller.route.model, safe);
      tokens = { prompt: result.promptTokens, completion: result.completionTokens };
      return {
        id: correlationId,
        model: caller.route.model,
        message: { role: 'assistant', content: result.content },
        usage: { prompt_tokens: result.promptTokens, completion_tokens: result.completionTokens },
        dlp_action: guarded.verdict,
      };
    } catch (error) {
      statusCode = error instanceof AppError ? error.httpStatus : 500;
      if (error instanceof DlpBlockedError) dlpAction = 'block';
      throw error;
    } finally {
      await this.events.record({
        caller,
        correlationId,
        endpoint: CHAT_ENDPOINT,
        action: 'chat',
        statusCode,
        latencyMs: Math.round(performance.now() - started),
        promptTokens: tokens.prompt,
        completionTokens: tokens.completion,
        dlpAction,
        outcome: statusCode === 200 ? 'success' : statusCode < 500 ? 'denied' : 'error',
      });
    }
  }
}
