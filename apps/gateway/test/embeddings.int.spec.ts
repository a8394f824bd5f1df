import { eventually } from '@airlock/testing';
import { type GatewayMesh, startGatewayMesh } from './harness';

jest.setTimeout(120_000);

describe('gateway: embeddings (official openai SDK)', () => {
  let mesh: GatewayMesh<'embed'>;

  beforeAll(async () => {
    mesh = await startGatewayMesh({
      references: { embed: {} },
      backends: ({ embed }) => ({ embeddings: { protocol: 'openai', baseUrl: embed } }),
      env: { GATEWAY_TRUST_ALIAS_HEADER: 'true' },
    });
  });

  afterAll(() => mesh?.close());

  it('embeds through the backend policy routes to, masking a secret in the input first; audited and metered', async () => {
    const id = mesh.nextId();
    const client = mesh.openai('embeddings/reference-embed', { 'x-correlation-id': id, 'x-airlock-model-aliases': 'airlock-embed=embeddings/reference-embed' });
    // The SDK asks for base64 and decodes it: the vectors survive the gateway byte for byte.
    const result = await client.embeddings.create({ model: 'airlock-embed', input: ['plain text', 'token ghp_R8wzQk3LmN5vT1xY7bC2dF6gH9jK0pLs4eWq'] });
    expect(result.model).toBe('airlock-embed');
    expect(result.data.map((d) => d.embedding.length)).toEqual([16, 16]);
    expect(Math.hypot(...result.data[0].embedding)).toBeCloseTo(1, 5);
    expect((mesh.references.embed.lastBody as any).input).toEqual(['plain text', 'token [MASKED:secret.github_token]']);
    expect(await eventually('audit', () => mesh.events.audit(id))).toMatchObject({ endpoint: '/v1/embeddings', action: 'embeddings', statusCode: 200, dlpAction: 'mask' });
    expect(await eventually('usage', () => mesh.events.usage(id))).toMatchObject({ model: 'reference-embed', promptTokens: 4, completionTokens: 0 });
  });
});
