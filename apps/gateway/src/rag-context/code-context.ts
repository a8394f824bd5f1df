import { z } from '@airlock/config';
import type { airlock } from '@airlock/contracts';
import type { CallerContext } from '../identity/trusted-identity';
import { type Json, field, optional } from '../surfaces/request-body';

// Code context for chat (issue 17): a chat request that opts in gets chunks of its caller's projects, retrieved by
// the Code RAG service for its question, in the prompt, and their places as citations in the answer.

/** The RAG service's caller (airlock.rag.v1.Caller), from the edge's assertion: it answers from these projects only. */
export function ragCaller(c: CallerContext): airlock.rag.v1.Caller {
  return { tenantId: c.tenantId, userId: c.userId, projectIds: c.projectId ? [c.projectId] : [], roles: c.roles, kind: c.kind };
}

const TOP_K = 'must be an integer from 1 to 20';
/** Chunks added to a prompt: a chunk is at most 60 lines, so 20 stay within what a chat model's context takes. */
const MAX_TOP_K = 20;
const DEFAULT_TOP_K = 5;

/**
 * `airlock: {rag, rag_top_k}` in a chat body: Airlock's own options in a field the OpenAI API does not have (and
 * that the gateway removes before the backend sees the body).
 */
export const airlockOptions = optional(
  z.object(
    {
      rag: optional(field.boolean()),
      rag_top_k: optional(z.number({ error: TOP_K }).int({ error: TOP_K }).min(1, { error: TOP_K }).max(MAX_TOP_K, { error: TOP_K })),
    },
    { error: 'must be an object {rag, rag_top_k}' },
  ),
);

/** What the exchange retrieves for a chat request that opted in. */
export interface RetrievalRequest {
  /** The index in the spec's `texts` of the question (the last user message): retrieval asks with its masked text. */
  question: number;
  topK: number;
}

/** The retrieval a chat body asks for, or undefined (no opt-in, or no user message to ask with). */
export function retrievalOf(options: z.output<typeof airlockOptions>, question: number | undefined): RetrievalRequest | undefined {
  if (options?.rag !== true || question === undefined) return undefined;
  return { question, topK: options.rag_top_k ?? DEFAULT_TOP_K };
}

/** A chunk as the RAG service answered it (its text masked by DLP before it was ever stored). */
export interface RetrievedChunk {
  project_id: string;
  repository: string;
  path: string;
  symbol: string;
  start_line: number;
  end_line: number;
  language: string;
  commit: string;
  snippet: string;
}

/** Where an answer's context came from: what a client shows as sources. */
export type Citation = Omit<RetrievedChunk, 'snippet' | 'language'>;

export interface CodeContext {
  /** The system text handed to the model with the chunks; empty when nothing was found. */
  prompt: string;
  citations: Citation[];
}

function chunkOf(raw: unknown): RetrievedChunk | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Json;
  const text = (key: string) => (typeof r[key] === 'string' ? (r[key] as string) : '');
  const line = (key: string) => (Number.isInteger(r[key]) ? (r[key] as number) : 0);
  if (!text('path') || line('start_line') < 1) return undefined;
  return {
    project_id: text('project_id'),
    repository: text('repository'),
    path: text('path'),
    symbol: text('symbol'),
    start_line: line('start_line'),
    end_line: Math.max(line('end_line'), line('start_line')),
    language: text('language'),
    commit: text('commit'),
    snippet: text('snippet'),
  };
}

/** A fence longer than any backtick run in the snippet, so code cannot close it early. */
function fence(snippet: string): string {
  const longest = Math.max(2, ...[...snippet.matchAll(/`+/g)].map(([run]) => run.length));
  return '`'.repeat(longest + 1);
}

/**
 * The RAG service's `{results}` as the model's context and the client's citations. The instruction tells the
 * model what the excerpts are (the caller's own code, possibly unrelated to the question) and how to cite them.
 */
export function codeContext(results: unknown): CodeContext {
  const chunks = (Array.isArray(results) ? results : []).map(chunkOf).filter((c): c is RetrievedChunk => c !== undefined);
  if (chunks.length === 0) return { prompt: '', citations: [] };
  const excerpts = chunks.map((c, i) => {
    const where = `[${i + 1}] ${c.repository ? `${c.repository}: ` : ''}${c.path} lines ${c.start_line}-${c.end_line}${c.symbol ? ` (${c.symbol})` : ''}`;
    const f = fence(c.snippet);
    return `${where}\n${f}${c.language}\n${c.snippet}\n${f}`;
  });
  const prompt = [
    "Excerpts from the organisation's repositories, retrieved for the user's question. They may or may not be relevant;",
    'when you use one, cite it by its path and lines, e.g. [1] src/Foo.java lines 10-20.',
    '',
    ...excerpts,
  ].join('\n');
  return { prompt, citations: chunks.map(({ snippet: _snippet, language: _language, ...citation }) => citation) };
}

/**
 * The messages with the code context as system text: appended to a leading system message, else one of its own in
 * front (chat templates of many open models accept a system message only first, and only one).
 */
export function withCodeContext<M extends { role?: unknown; content?: unknown }>(messages: M[], context: CodeContext | undefined): (M | { role: 'system'; content: string })[] {
  if (!context?.prompt) return messages;
  const [first, ...rest] = messages;
  if (first?.role === 'system' && typeof first.content === 'string') return [{ ...first, content: `${first.content}\n\n${context.prompt}` }, ...rest];
  return [{ role: 'system', content: context.prompt }, ...messages];
}

/** The index of the last user message with text among `roles` (the chat's question), or undefined. */
export function lastUserText(slots: { role: string; text: boolean }[]): number | undefined {
  for (let i = slots.length - 1; i >= 0; i--) if (slots[i].role === 'user' && slots[i].text) return i;
  return undefined;
}
