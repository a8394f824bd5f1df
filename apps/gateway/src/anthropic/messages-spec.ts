import type { ExchangeSpec } from '../exchange/exchange-spec';
import { estimateTokens } from '../exchange/stream-chunks';
import { openAiChatSpec } from '../surfaces/openai';
import { parseBody } from '../surfaces/request-body';
import { toAnthropicMessage } from './messages-answer';
import { countTokensBody, parseMessages, toOpenAiChat } from './messages-request';
import { anthropicRenderer } from './messages-stream';

/**
 * `POST /v1/messages`: the request translated to OpenAI chat, then everything as for chat/completions (the
 * texts DLP scans, tool results and call arguments included; the backend body; the answer's scan), with the
 * answer rendered as an Anthropic message or its event stream.
 */
export function anthropicMessagesSpec(raw: unknown): ExchangeSpec {
  const body = parseMessages(raw);
  const chat = openAiChatSpec(toOpenAiChat(body));
  return {
    ...chat,
    readJson(text) {
      const answer = chat.readJson(text);
      return { ...answer, render: (ctx, safe, calls) => toAnthropicMessage(answer.render(ctx, safe, calls) as Record<string, unknown>, ctx) };
    },
    streamRenderer: body.stream ? anthropicRenderer(estimateTokens(chat.texts.join(' '))) : undefined,
  };
}

/**
 * `POST /v1/messages/count_tokens`: the prompt's tokens by the gateway's estimate (four characters a token),
 * counted over the texts the backend would receive. The backends have no count endpoint; an agent uses the
 * number to decide when to compact its context, for which an estimate serves.
 */
export function countTokens(raw: unknown): { model: string; input_tokens: number } {
  const body = parseBody(countTokensBody, raw);
  const chat = openAiChatSpec(toOpenAiChat(body));
  return { model: body.model, input_tokens: estimateTokens(chat.texts.join(' ')) };
}
