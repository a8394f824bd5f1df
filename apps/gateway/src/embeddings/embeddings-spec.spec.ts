import type { CallerContext } from '../identity/trusted-identity';
import type { BackendClient } from '../upstream/backend-client';
import { embeddingsSpec } from './embeddings-spec';

const openaiBackend = { id: 'embeddings', config: { protocol: 'openai' } } as BackendClient;
const caller = {} as CallerContext;
const ctx = { correlationId: 'c', clientModel: 'airlock-embed', dlpAction: 'allow' as const, source: 'backend' as const };

describe('embeddingsSpec', () => {
  it('scans every input text and sends the masked ones in the shape the client used', () => {
    const many = embeddingsSpec({ model: 'airlock-embed', input: ['a', 'b'], encoding_format: 'base64', dimensions: 8 });
    expect(many.texts).toEqual(['a', 'b']);
    expect(many.build(openaiBackend, 'reference-embed', ['A', 'B'], caller)).toEqual({
      path: 'v1/embeddings',
      body: { model: 'reference-embed', input: ['A', 'B'], encoding_format: 'base64', dimensions: 8 },
    });
    expect(embeddingsSpec({ input: 'one' }).build(openaiBackend, 'm', ['ONE'], caller).body).toEqual({ model: 'm', input: 'ONE' });
  });

  it('reads usage and renames the model; the vectors are not text for the output scan', () => {
    const answer = embeddingsSpec({ input: 'x' }).readJson(JSON.stringify({ object: 'list', data: [{ index: 0, embedding: [1] }], model: 'reference-embed', usage: { prompt_tokens: 3, total_tokens: 3 } }));
    expect(answer.tokens).toEqual({ prompt: 3, completion: 0 });
    expect(answer.text).toBeUndefined();
    expect(answer.render(ctx, '', [])).toMatchObject({ model: 'airlock-embed', data: [{ embedding: [1] }] });
  });

  it.each([[{ input: [] }], [{ input: [[1, 2, 3]] }], [{ input: 5 }]])('refuses %j with invalid_request', (body) => {
    expect(() => embeddingsSpec(body)).toThrow(/input must/);
  });
});
