import type { ExchangeSpec, ReplyContext, Tokens } from '../exchange/exchange-spec';
import { estimateTokens } from '../exchange/stream-chunks';
import type { BackendClient, UpstreamRequest } from '../upstream/backend-client';
import { parseBackendJson, requireProtocol, usageTokens } from './backend-answer';
import type { Json } from './request-body';

export interface CompletionInput {
  prefix: string;
  suffix: string;
  language: string;
  maxTokens?: number;
  temperature?: number;
}

export interface Completion {
  id: string;
  text: string;
  tokens: Tokens;
}

/** Autocomplete toward either kind of backend: OpenAI `/v1/completions` (FIM suffix) or Tabby's own API. */
function buildAutocomplete(client: BackendClient, model: string, input: CompletionInput, masked: string[]): UpstreamRequest {
  const protocol = requireProtocol(client, 'openai', 'tabby');
  const [prefix, suffix] = masked;
  if (protocol === 'tabby') return { path: 'v1/completions', body: { language: input.language, segments: { prefix, suffix } } };
  const body: Json = { model, prompt: prefix, stream: false, max_tokens: input.maxTokens ?? 64, temperature: input.temperature ?? 0 };
  if (suffix) body.suffix = suffix;
  return { path: 'v1/completions', body };
}

/** Both protocols answer `{choices:[{text}]}`; only OpenAI reports usage. */
function completionText(text: string, texts: string[]): Completion {
  const answer = parseBackendJson(text);
  const completion = String((answer.choices as { text?: unknown }[] | undefined)?.[0]?.text ?? '');
  return {
    id: typeof answer.id === 'string' ? answer.id : '',
    text: completion,
    tokens: usageTokens(answer) ?? { prompt: estimateTokens(texts.join('')), completion: estimateTokens(completion) },
  };
}

/** One autocomplete request (Airlock's `/v1/autocomplete`, Tabby's completions), rendered by the surface's `render`. */
export function autocompleteSpec(input: CompletionInput, render: (completion: Completion, ctx: ReplyContext) => unknown): ExchangeSpec {
  const texts = [input.prefix, input.suffix];
  return {
    operation: 'text_completion',
    texts,
    repeatable: true,
    retrySafe: true,
    params: { maxTokens: input.maxTokens, temperature: input.temperature },
    build: (client, model, masked) => buildAutocomplete(client, model, input, masked),
    readJson(body) {
      const completion = completionText(body, texts);
      return { tokens: completion.tokens, text: completion.text, render: (ctx, safe) => render({ ...completion, text: safe }, ctx) };
    },
  };
}
