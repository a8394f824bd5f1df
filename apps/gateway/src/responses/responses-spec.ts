import type { ExchangeSpec } from '../exchange/exchange-spec';
import { openAiChatSpec } from '../surfaces/openai';
import { toResponse } from './responses-answer';
import { parseResponses, toOpenAiChat } from './responses-request';
import { responsesRenderer } from './responses-stream';

/**
 * `POST /v1/responses`: the request translated to OpenAI chat, then everything as for chat/completions (the
 * texts DLP scans, function call outputs and call arguments included), the answer rendered as a response or
 * its semantic events.
 */
export function responsesSpec(raw: unknown): ExchangeSpec {
  const body = parseResponses(raw);
  const chat = openAiChatSpec(toOpenAiChat(body));
  return {
    ...chat,
    readJson(text) {
      const answer = chat.readJson(text);
      return { ...answer, render: (ctx, safe, calls) => toResponse(answer.render(ctx, safe, calls) as Record<string, unknown>, calls, body, ctx) };
    },
    streamRenderer: body.stream ? responsesRenderer(body) : undefined,
  };
}
