import type { ToolCall } from '../exchange/tool-calls';
import type { Json } from '../surfaces/request-body';
import type { ResponsesBody } from './responses-request';

// The OpenAI answer (whole or streamed) in the Responses API shape.

export interface ResponseIds {
  correlationId: string;
  clientModel: string;
}

const compact = (correlationId: string) => correlationId.replaceAll('-', '');

/** Ids made from the request's correlation id, so a client's log line leads to the audit event. */
export const responseId = (correlationId: string) => `resp_${compact(correlationId)}`;
export const messageItemId = (correlationId: string) => `msg_${compact(correlationId)}`;
export const callItemId = (callId: string) => `fc_${callId}`;

export function messageItem(correlationId: string, text: string, status: 'in_progress' | 'completed'): Json {
  const content = status === 'completed' ? [{ type: 'output_text', text, annotations: [] }] : [];
  return { type: 'message', id: messageItemId(correlationId), status, role: 'assistant', content };
}

export function callItem(call: ToolCall, status: 'in_progress' | 'completed'): Json {
  return { type: 'function_call', id: callItemId(call.id), call_id: call.id, name: call.name, arguments: status === 'completed' ? call.arguments : '', status };
}

export interface ResponseState {
  status: 'in_progress' | 'completed' | 'incomplete';
  output: Json[];
  tokens?: { prompt: number; completion: number };
}

/**
 * The response object: what the client asked for (echoed, as the API does) and what the model answered. The
 * gateway stores no response (`store: false`), so none can be continued with previous_response_id.
 */
export function responseObject(request: ResponsesBody, ids: ResponseIds, state: ResponseState): Json {
  const { tokens } = state;
  return {
    id: responseId(ids.correlationId),
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status: state.status,
    error: null,
    incomplete_details: state.status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    model: ids.clientModel,
    output: state.output,
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: null,
    store: false,
    temperature: request.temperature ?? null,
    text: { format: { type: 'text' } },
    tool_choice: request.tool_choice ?? 'auto',
    tools: request.tools ?? [],
    top_p: request.top_p ?? null,
    usage: tokens
      ? {
          input_tokens: tokens.prompt,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: tokens.completion,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: tokens.prompt + tokens.completion,
        }
      : null,
    metadata: {},
  };
}

/** `length` (the output cap reached) is an incomplete response; any other finish a completed one. */
export const finalStatus = (finishReason: unknown) => (finishReason === 'length' ? 'incomplete' : 'completed');

/** A whole chat completion (text and calls already scanned) as a response. */
export function toResponse(completion: Json, calls: ToolCall[], request: ResponsesBody, ids: ResponseIds): Json {
  const choice = (completion.choices as Json[] | undefined)?.[0] ?? {};
  const content = (choice.message as Json | undefined)?.content;
  const output: Json[] = [];
  if (typeof content === 'string' && content) output.push(messageItem(ids.correlationId, content, 'completed'));
  for (const call of calls) output.push(callItem(call, 'completed'));
  const usage = (completion.usage as { prompt_tokens?: number; completion_tokens?: number } | undefined) ?? {};
  const tokens = { prompt: usage.prompt_tokens ?? 0, completion: usage.completion_tokens ?? 0 };
  return responseObject(request, ids, { status: finalStatus(choice.finish_reason), output, tokens });
}
