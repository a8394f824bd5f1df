import { type DlpVerdict, strongest } from '../dlp/verdicts';

/** One function call the model made, whole (its streamed pieces joined). */
export interface ToolCall {
  /** The call's position among the answer's calls (OpenAI's `index`). */
  index: number;
  id: string;
  name: string;
  /** The arguments as the model wrote them: JSON text, DLP-scanned before any client sees it. */
  arguments: string;
}

/** A piece of a streamed call, as OpenAI's `delta.tool_calls[]` carries it: the id and name come first, then arguments. */
export interface ToolCallDelta {
  index: number;
  id?: string;
  name?: string;
  arguments?: string;
}

/** The pieces of `delta.tool_calls` in a raw OpenAI chunk choice; undefined when it has none. */
export function toolCallDeltas(delta: unknown): ToolCallDelta[] | undefined {
  const calls = (delta as { tool_calls?: unknown } | undefined)?.tool_calls;
  if (!Array.isArray(calls) || calls.length === 0) return undefined;
  return calls.map((c: { index?: unknown; id?: unknown; function?: { name?: unknown; arguments?: unknown } }, i) => ({
    index: typeof c.index === 'number' ? c.index : i,
    id: typeof c.id === 'string' ? c.id : undefined,
    name: typeof c.function?.name === 'string' ? c.function.name : undefined,
    arguments: typeof c.function?.arguments === 'string' ? c.function.arguments : undefined,
  }));
}

/**
 * The calls of one streamed answer, assembled from their pieces. The stream holds them back and sends each call
 * whole once the model has finished it: arguments are scanned as one text, so a secret split across pieces
 * cannot slip past DLP, and a masked value never leaves half a JSON string behind.
 */
export class ToolCallBuffer {
  private readonly calls = new Map<number, ToolCall>();

  get size(): number {
    return this.calls.size;
  }

  add(deltas: ToolCallDelta[]): void {
    for (const d of deltas) {
      const call = this.calls.get(d.index) ?? { index: d.index, id: '', name: '', arguments: '' };
      if (d.id) call.id = d.id;
      if (d.name) call.name += d.name;
      if (d.arguments) call.arguments += d.arguments;
      this.calls.set(d.index, call);
    }
  }

  /** The calls so far, in index order; the buffer is empty afterwards. */
  take(): ToolCall[] {
    const calls = [...this.calls.values()].sort((a, b) => a.index - b.index);
    this.calls.clear();
    return calls;
  }
}

/** The calls of a whole OpenAI answer message (`message.tool_calls`). */
export function messageToolCalls(message: unknown): ToolCall[] {
  const calls = (message as { tool_calls?: unknown } | undefined)?.tool_calls;
  if (!Array.isArray(calls)) return [];
  return calls.map((c: { id?: unknown; function?: { name?: unknown; arguments?: unknown } }, index) => ({
    index,
    id: typeof c.id === 'string' ? c.id : '',
    name: typeof c.function?.name === 'string' ? c.function.name : '',
    arguments: typeof c.function?.arguments === 'string' ? c.function.arguments : '',
  }));
}

/** OpenAI's wire form of whole calls (a message's `tool_calls`, or one delta carrying each call whole). */
export function openAiToolCalls(calls: ToolCall[], withIndex: boolean): Record<string, unknown>[] {
  return calls.map((c) => ({
    ...(withIndex ? { index: c.index } : {}),
    id: c.id,
    type: 'function',
    function: { name: c.name, arguments: c.arguments },
  }));
}

/**
 * Every call's arguments through DLP (each call one scan, all at once), the calls as they may leave and the
 * strongest verdict: the one way streamed and whole answers send calls on.
 */
export async function scanToolCalls(
  calls: readonly ToolCall[],
  scan: (text: string) => Promise<{ text: string; verdict: DlpVerdict }>,
): Promise<{ calls: ToolCall[]; verdict: DlpVerdict }> {
  const scanned = await Promise.all(calls.map((call) => scan(call.arguments)));
  return {
    calls: calls.map((call, i) => ({ ...call, arguments: scanned[i]!.text })),
    verdict: scanned.reduce<DlpVerdict>((verdict, s) => strongest(verdict, s.verdict), 'allow'),
  };
}
