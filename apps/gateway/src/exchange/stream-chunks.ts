import { type ToolCallDelta, toolCallDeltas } from './tool-calls';

/** One OpenAI-protocol streamed chunk (chat.completion.chunk or text_completion), with what the gateway reads. */
export interface StreamChunk {
  raw: Record<string, unknown>;
  /** Content delta (chat) or text (completions) of the first choice; '' when none. */
  text: string;
  finishReason?: string;
  /** Pieces of function calls in the first choice (`delta.tool_calls`). */
  toolCalls?: ToolCallDelta[];
  usage?: { prompt_tokens?: number; completion_tokens?: number };
  /** The backend sent an error object instead of a chunk (vLLM does so mid-stream). */
  error?: string;
}

interface RawChunk {
  choices?: { delta?: { content?: unknown }; text?: unknown; finish_reason?: unknown }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: { message?: unknown } | string;
}

export function parseStreamChunk(data: string): StreamChunk {
  let raw: RawChunk & Record<string, unknown>;
  try {
    raw = JSON.parse(data) as RawChunk & Record<string, unknown>;
  } catch {
    return { raw: {}, text: '', error: 'malformed chunk' };
  }
  if (raw.error) {
    const message = typeof raw.error === 'string' ? raw.error : raw.error.message;
    return { raw, text: '', error: typeof message === 'string' ? message.slice(0, 200) : 'backend error' };
  }
  const choice = raw.choices?.[0];
  const content = choice?.delta?.content ?? choice?.text;
  return {
    raw,
    text: typeof content === 'string' ? content : '',
    finishReason: typeof choice?.finish_reason === 'string' ? choice.finish_reason : undefined,
    toolCalls: toolCallDeltas(choice?.delta),
    usage: raw.usage ?? undefined,
  };
}

/** The chunk as the client may see it before its calls are whole: `delta.tool_calls` left out (see ToolCallBuffer). */
export function withoutToolCalls(chunk: StreamChunk): StreamChunk {
  const choices = (chunk.raw.choices as Record<string, unknown>[]).map((c, i) => {
    if (i !== 0 || !c.delta || typeof c.delta !== 'object') return c;
    const delta = { ...(c.delta as Record<string, unknown>) };
    delete delta.tool_calls;
    return { ...c, delta };
  });
  return { ...chunk, raw: { ...chunk.raw, choices }, toolCalls: undefined };
}

/** Is this the include_usage chunk (no choices, only usage)? */
export function isUsageOnly(chunk: StreamChunk): boolean {
  return chunk.usage !== undefined && Array.isArray(chunk.raw.choices) && chunk.raw.choices.length === 0;
}

/**
 * Prompt tokens when the backend never reported usage (stream cut before its usage chunk): the common
 * four-characters-per-token estimate. Completion tokens in that case are the chunks actually sent.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
