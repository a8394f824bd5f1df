import { z } from '@airlock/config';
import type { ExchangeSpec } from '../exchange/exchange-spec';
import { estimateTokens } from '../exchange/stream-chunks';
import { parseBackendJson, requireProtocol, usageTokens } from '../surfaces/backend-answer';
import { bodyObject, field, optional, parseBody } from '../surfaces/request-body';

/**
 * What the gateway reads of an embeddings body; the rest (encoding_format, dimensions, user) goes to the backend
 * as sent. Inputs are texts only: token-id arrays would pass DLP unread.
 */
const embeddingsBody = bodyObject({
  model: optional(field.string()),
  input: z.union([z.string(), z.array(z.string(), { error: 'must be a string or an array of strings' }).min(1, { error: 'must not be empty' })], {
    error: 'must be a string or an array of strings (token arrays are not accepted)',
  }),
});

/**
 * `POST /v1/embeddings`: every input text through the DLP inbound scan (a secret is masked before the embedding
 * backend sees it), to the backend policy routes embeddings to. The answer is vectors, not text: nothing for the
 * output scan; the client sees the backend's body with its alias as the model.
 */
export function embeddingsSpec(raw: unknown): ExchangeSpec {
  const body = parseBody(embeddingsBody, raw);
  const texts = typeof body.input === 'string' ? [body.input] : body.input;
  return {
    operation: 'embeddings',
    requestedModel: body.model,
    texts,
    // The same texts give the same vectors: a cached answer serves when the backend is down.
    repeatable: true,
    retrySafe: true,
    build(client, model, masked) {
      requireProtocol(client, 'openai');
      return { path: 'v1/embeddings', body: { ...body, model, input: typeof body.input === 'string' ? masked[0] : masked } };
    },
    readJson(text) {
      const answer = parseBackendJson(text);
      const tokens = usageTokens(answer) ?? { prompt: estimateTokens(texts.join(' ')), completion: 0 };
      return { tokens, render: (ctx) => ({ ...answer, model: ctx.clientModel }) };
    },
  };
}
