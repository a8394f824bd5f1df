/**
 * The reference backend's "model": deterministic text from the prompt, so tests can assert on exactly
 * what reached the backend. It is not a language model and is named as such everywhere it appears.
 */
export const MODELS = ['reference-chat', 'reference-code'] as const;

export interface ChatMessage {
  role: string;
  content: string;
}

/** Whitespace-separated words: a stable, explainable token count (real backends report their own). */
export function countTokens(text: string): number {
  const trimmed = text.trim();
  return trimmed ? trimmed.split(/\s+/).length : 0;
}

export function answerChat(model: string, messages: ChatMessage[]): string {
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  return `Reference answer from ${model}. You said: ${lastUser?.content ?? ''}`;
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
