import { type GatewayMesh, edgeHeaders, startGatewayMesh } from './harness';

jest.setTimeout(120_000);

describe('gateway: Tabby-compatible surface', () => {
  let mesh: GatewayMesh<'code'>;

  beforeAll(async () => {
    mesh = await startGatewayMesh({
      references: { code: {} },
      backends: ({ code }) => ({ tabby: { protocol: 'tabby', baseUrl: code }, code: { protocol: 'openai', baseUrl: code } }),
    });
  });

  afterAll(() => mesh?.close());

  it('completes with {language, segments} against a Tabby backend and an OpenAI one', async () => {
    for (const route of ['tabby/reference-code', 'code/reference-code']) {
      const res = await mesh.post('/tabby/v1/completions', route, { language: 'python', segments: { prefix: 'def add(a, b):\n    ', suffix: '\n' } });
      expect(res.status).toBe(200);
      const body: any = await res.json();
      expect(body.id).toEqual(expect.any(String));
      expect(body.choices).toEqual([{ index: 0, text: '/* completion for:  */' }]);
    }
  });

  it('answers health (GET and POST) with a semver git_describe, and accepts events', async () => {
    for (const method of ['GET', 'POST']) {
      const res = await fetch(`${mesh.base}/tabby/v1/health`, { method, headers: edgeHeaders('tabby/reference-code') });
      expect(res.status).toBe(200);
      const body: any = await res.json();
      expect(body.version.git_describe).toMatch(/^v\d+\.\d+\.\d+$/);
      expect(body.model).toBe('reference-code');
    }
    const ev = await mesh.post('/tabby/v1/events', 'tabby/reference-code', { type: 'select', completion_id: 'cmpl-1', choice_index: 0 });
    expect(ev.status).toBe(200);
  });
});
