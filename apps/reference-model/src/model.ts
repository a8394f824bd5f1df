import { createHash } from 'node:crypto';

/**
 * The reference backend's "model": deterministic text from the prompt, so tests can assert on exactly
 * what reached the backend. It is not a language model and is named as such everywhere it appears.
 */
export const MODELS = ['reference-chat', 'reference-code', 'reference-embed'] as const;

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: string;
  /** Null on an assistant message that only calls tools. */
  content: string | null;
  tool_calls?: ToolCall[];
}

/** A prompt that says this, with tools offered, makes the reference backend call the first tool. */
export const TOOL_TRIGGER = 'use the tool';
/** The arguments of that call, unless the server's `cannedToolArguments` says otherwise. */
export const TOOL_ARGUMENTS = '{"path":"README.md"}';
/**
 * A prompt that says this, with tools offered, makes the backend call the first tool as an agent's file write
 * (Claude Code's `Write` arguments), so the gateway's change tracking can be tested end to end.
 */
export const WRITE_TRIGGER = 'write the file';
export const WRITE_ARGUMENTS = JSON.stringify({ file_path: 'src/hello.ts', content: "export const hello = 'airlock';\n" });

/** Whitespace-separated words: a stable, explainable token count (real backends report their own). */
export function countTokens(text: string): number {
  const trimmed = text.trim();
  return trimmed ? trimmed.split(/\s+/).length : 0;
}

/**
 * The echo of the last user message; after a tool's result (the last message has role `tool`), the echo of
 * that result with its length as received. The length survives the gateway's answer scan (which would mask
 * a secret in the echo again), so a test behind the edge can tell that the result reached the backend masked.
 */
export function answerChat(model: string, messages: ChatMessage[]): string {
  const last = messages.at(-1);
  if (last?.role === 'tool') return `Reference answer from ${model}. The tool returned ${(last.content ?? '').length} characters: ${last.content ?? ''}`;
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  return `Reference answer from ${model}. You said: ${lastUser?.content ?? ''}`;
}

/**
 * The tool the answer calls, if any: with tools offered and the last message a user's that says TOOL_TRIGGER,
 * the first tool is called with TOOL_ARGUMENTS (WRITE_TRIGGER: WRITE_ARGUMENTS); a deterministic stand-in for a
 * model deciding to use a tool.
 */
export function toolToCall(messages: ChatMessage[], tools: unknown): { name: string; arguments: string } | undefined {
  const last = messages.at(-1);
  const said = last?.role === 'user' ? (last.content ?? '').toLowerCase() : '';
  const write = said.includes(WRITE_TRIGGER);
  if (!write && !said.includes(TOOL_TRIGGER)) return undefined;
  const name = Array.isArray(tools) ? (tools[0] as { function?: { name?: unknown } } | undefined)?.function?.name : undefined;
  return typeof name === 'string' ? { name, arguments: write ? WRITE_ARGUMENTS : TOOL_ARGUMENTS } : undefined;
}

/** Dimensions of an embedding unless the request asks for others. */
export const EMBEDDING_DIMENSIONS = 16;

/**
 * A deterministic unit vector from the text's SHA-256 (extended by counter): equal texts, equal vectors. Not
 * an embedding model: similar texts are not near each other; it exercises the wire protocol only.
 */
export function hashVector(text: string, dimensions: number): number[] {
  const values: number[] = [];
  for (let block = 0; values.length < dimensions; block++) {
    const digest = createHash('sha256').update(`${block}:${text}`).digest();
    for (let i = 0; i + 1 < digest.length && values.length < dimensions; i += 2) values.push(digest.readUInt16BE(i) / 32767.5 - 1);
  }
  const norm = Math.hypot(...values) || 1;
  return values.map((v) => v / norm);
}

export function answerCompletion(prompt: string, suffix = ''): string {
  // Autocomplete-shaped: a short continuation that depends only on the prompt's last line.
  const lastLine = prompt.split('\n').pop() ?? '';
  return `/* completion for: ${lastLine.trim().slice(0, 40)} */${suffix ? '' : '\n'}`;
}

/** Splits an answer into the chunks a streaming response sends (word by word, spaces kept). */
export function streamChunks(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? [];
}

export interface RagDocument {
  path: string;
  content: string;
}

/**
 * A toy retrieval index: documents scored by how many distinct query words they contain. Enough to show a
 * query reaching the index the indexer fed; a real deployment points the gateway at the Code RAG service.
 */
export class ReferenceIndex {
  private readonly docs = new Map<string, string>();

  add(docs: RagDocument[]): number {
    for (const d of docs) this.docs.set(d.path, d.content);
    return docs.length;
  }

  query(text: string, topK: number): { path: string; snippet: string; score: number }[] {
    const words = new Set(text.toLowerCase().split(/\W+/).filter(Boolean));
    return [...this.docs]
      .map(([path, content]) => {
        const have = new Set(content.toLowerCase().split(/\W+/));
        const score = words.size ? [...words].filter((w) => have.has(w)).length / words.size : 0;
        return { path, snippet: content.slice(0, 200), score };
      })
      .filter((r) => r.score > 0)
      .sort((a, b) => b.score - a.score || a.path.localeCompare(b.path))
      .slice(0, topK);
  }
}
