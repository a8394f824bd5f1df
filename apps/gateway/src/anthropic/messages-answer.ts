import type { Json } from '../surfaces/request-body';

// The OpenAI answer (whole or streamed) in the Anthropic Messages shape.

/** OpenAI's finish_reason as Anthropic's stop_reason. */
export function stopReason(finish: unknown): string {
  switch (finish) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

/** The message id: the request's correlation id, so a client's log line leads to the audit event. */
export function messageId(correlationId: string): string {
  return `msg_${correlationId.replaceAll('-', '')}`;
}

/**
 * A tool call's arguments as Anthropic's `input` object. Arguments that are not a JSON object (a model that wrote
 * broken JSON) are passed as `{}`: an Anthropic client accepts no other shape.
 */
export function toolInput(args: string): Json {
  try {
    const input = JSON.parse(args) as unknown;
    return typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Json) : {};
  } catch {
    return {};
  }
}

/** An OpenAI chat completion (text and calls already scanned) as an Anthropic message. */
export function toAnthropicMessage(completion: Json, ids: { correlationId: string; clientModel: string }): Json {
  const choice = (completion.choices as Json[] | undefined)?.[0] ?? {};
  const message = (choice.message as Json | undefined) ?? {};
  const content: Json[] = [];
  if (typeof message.content === 'string' && message.content) content.push({ type: 'text', text: message.content });
  for (const call of (message.tool_calls as { id?: string; function?: { name?: string; arguments?: string } }[] | undefined) ?? []) {
    content.push({ type: 'tool_use', id: call.id ?? '', name: call.function?.name ?? '', input: toolInput(call.function?.arguments ?? '') });
  }
  const usage = (completion.usage as { prompt_tokens?: number; completion_tokens?: number } | undefined) ?? {};
  return {
    id: messageId(ids.correlationId),
    type: 'message',
    role: 'assistant',
    model: ids.clientModel,
    content,
    stop_reason: stopReason(choice.finish_reason),
    stop_sequence: null,
    usage: { input_tokens: usage.prompt_tokens ?? 0, output_tokens: usage.completion_tokens ?? 0 },
  };
}
