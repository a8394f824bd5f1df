import { EMBEDDED_CHARS, decodeBase64Vector, embeddedText, vectorsOf } from './embeddings-client';

const base64 = (values: number[]) => Buffer.from(new Float32Array(values).buffer).toString('base64');

describe('the embeddings answer', () => {
  it('decodes base64 little-endian float32 vectors, as OpenAI sends them', () => {
    expect([...decodeBase64Vector(base64([0.5, -1, 0.25]))]).toEqual([0.5, -1, 0.25]);
  });

  it('puts the vectors in input order by their index, floats or base64', () => {
    const vectors = vectorsOf({ data: [{ index: 1, embedding: [1, 0] }, { index: 0, embedding: base64([0, 1]) }] }, 2, 2);
    expect(vectors.map((v) => [...v])).toEqual([
      [0, 1],
      [1, 0],
    ]);
  });

  it('refuses an answer with another count or size of vectors than asked for', () => {
    expect(() => vectorsOf({ data: [{ index: 0, embedding: [1, 0] }] }, 2, 2)).toThrow('expected 2 embeddings, got 1');
    expect(() => vectorsOf({ data: [{ index: 0, embedding: [1, 0, 0] }] }, 1, 2)).toThrow('embedding 0 is not a vector of 2 numbers');
    expect(() => vectorsOf({}, 1, 2)).toThrow('expected 1 embeddings, got none');
  });
});

describe('embeddedText', () => {
  it('is the path, the symbol and the text, cut to what a model reads', () => {
    expect(embeddedText({ path: 'a/Cache.java', symbol: 'Cache.get', text: 'V get(K key)' })).toBe('a/Cache.java\nCache.get\nV get(K key)');
    expect(embeddedText({ path: 'p', symbol: 's', text: 'x'.repeat(10_000) })).toHaveLength(EMBEDDED_CHARS);
  });
});
