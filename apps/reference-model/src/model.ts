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
 * A prompt that says this makes the backend write WRITTEN_FILE the way the client's agent writes files: with the
 * first file-writing tool it offers (FILE_WRITERS), else the first tool with Claude Code's `Write` arguments; to
 * aider, an aider SEARCH/REPLACE block in the answer text (aider edits by answer text, not tool calls). So the
 * gateway's change tracking is exercised end to end by each real agent.
 */
export const WRITE_TRIGGER = 'write the file';
/** The file every WRITE_TRIGGER answer creates, and its content. */
export const WRITTEN_FILE = { path: 'src/hello.ts', content: "export const hello = 'airlock';\n" } as const;
export const WRITE_ARGUMENTS = JSON.stringify({ file_path: WRITTEN_FILE.path, content: WRITTEN_FILE.content });

const { path: file, content } = WRITTEN_FILE;
/** Codex's patch envelope adding WRITTEN_FILE (each `+` line is a line of the file). */
const ADD_PATCH = `*** Begin Patch\n*** Add File: ${file}\n${content.split('\n').slice(0, -1).map((l) => `+${l}`).join('\n')}\n*** End Patch\n`;

/** The file-writing tools of the common agents, by the name they offer the model, and the arguments that write WRITTEN_FILE. */
export const FILE_WRITERS: Record<string, string> = {
  Write: WRITE_ARGUMENTS, // Claude Code (Continue's cn: see writeArguments)
  write: JSON.stringify({ filePath: file, content }), // opencode
  apply_patch: JSON.stringify({ input: ADD_PATCH }), // Codex, where it offers apply_patch
  exec_command: JSON.stringify({ cmd: `apply_patch <<'EOF'\n${ADD_PATCH}EOF\n` }), // Codex otherwise: it applies that command's patch itself
  write_to_file: JSON.stringify({ path: file, content }), // cline (2.x)
  editor: JSON.stringify({ path: file, new_text: content }), // cline (3.x): no old_text creates the file
  create_new_file: JSON.stringify({ filepath: file, contents: content }), // Continue
  builtin_create_new_file: JSON.stringify({ filepath: file, contents: content }), // Continue (older name)
  write_file: JSON.stringify({ path: file, content }), // the MCP filesystem server
};

/** aider's answer creating WRITTEN_FILE: the path, then a fenced SEARCH/REPLACE block with an empty SEARCH part. */
export const AIDER_WRITE_ANSWER = `${file}\n\`\`\`typescript\n<<<<<<< SEARCH\n=======\n${content}>>>>>>> REPLACE\n\`\`\`\n`;

/** Whitespace-separated words: a stable, explainable token count (real backends report their own). */
export function countTokens(text: string): number {
  const trimmed = text.trim();
  return trimmed ? trimmed.split(/\s+/).length : 0;
}

/**
 * The echo of the last user message; after a tool's result (the last turn but system notes has role `tool`), the echo of
 * that result with its length as received. The length survives the gateway's answer scan (which would mask
 * a secret in the echo again), so a test behind the edge can tell that the result reached the backend masked.
 */
export function answerChat(model: string, messages: ChatMessage[]): string {
  const last = messages.findLast((m) => m.role !== 'system');
  if (last?.role === 'tool') return `Reference answer from ${model}. The tool returned ${(last.content ?? '').length} characters: ${last.content ?? ''}`;
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  return `Reference answer from ${model}. You said: ${lastUser?.content ?? ''}`;
}

interface OfferedTool {
  name: string;
  /** The property names of its parameters' schema. */
  properties: string[];
}

const offered = (tools: unknown): OfferedTool[] =>
  (Array.isArray(tools) ? tools : []).flatMap((t: { function?: { name?: unknown; parameters?: { properties?: unknown } } } | null) => {
    const name = t?.function?.name;
    const properties = t?.function?.parameters?.properties;
    return typeof name === 'string' ? [{ name, properties: typeof properties === 'object' && properties !== null ? Object.keys(properties) : [] }] : [];
  });

/** The arguments that write WRITTEN_FILE with a FILE_WRITERS tool; Continue's CLI (cn) offers a `Write` too, whose path is `filepath`. */
function writeArguments(tool: OfferedTool): string {
  return tool.name === 'Write' && tool.properties.includes('filepath') ? JSON.stringify({ filepath: file, content }) : FILE_WRITERS[tool.name];
}

/** The last turn's text if it is the user's; system notes after it (Claude Code adds some) do not count. */
const lastUserSaid = (messages: ChatMessage[]): string => {
  const last = messages.findLast((m) => m.role !== 'system');
  return last?.role === 'user' ? (last.content ?? '').toLowerCase() : '';
};

/**
 * The tool the answer calls, if any: with tools offered and the last message a user's that says TOOL_TRIGGER,
 * the first tool is called with TOOL_ARGUMENTS; WRITE_TRIGGER: the first of FILE_WRITERS offered, else the first
 * tool with WRITE_ARGUMENTS. A deterministic stand-in for a model deciding to use a tool.
 */
export function toolToCall(messages: ChatMessage[], tools: unknown): { name: string; arguments: string } | undefined {
  const said = lastUserSaid(messages);
  const list = offered(tools);
  if (list.length === 0) return undefined;
  if (said.includes(WRITE_TRIGGER)) {
    const writer = list.find((t) => Object.hasOwn(FILE_WRITERS, t.name));
    return writer ? { name: writer.name, arguments: writeArguments(writer) } : { name: list[0].name, arguments: WRITE_ARGUMENTS };
  }
  return said.includes(TOOL_TRIGGER) ? { name: list[0].name, arguments: TOOL_ARGUMENTS } : undefined;
}

/**
 * The answer text that edits a file (aider's SEARCH/REPLACE block) when the prompt asks for a write, no tools are
 * offered and a system message asks for SEARCH/REPLACE blocks, as aider's does (another client's tool-less
 * request, such as opencode's title generation, keeps the echo).
 */
export function textEditAnswer(messages: ChatMessage[], tools: unknown): string | undefined {
  const asksForBlocks = messages.some((m) => m.role === 'system' && (m.content ?? '').includes('SEARCH/REPLACE'));
  return offered(tools).length === 0 && asksForBlocks && lastUserSaid(messages).includes(WRITE_TRIGGER) ? AIDER_WRITE_ANSWER : undefined;
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
