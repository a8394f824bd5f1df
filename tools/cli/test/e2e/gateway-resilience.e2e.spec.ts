import OpenAI, { APIError, NotFoundError } from 'openai';
import { eventually, uniquePrefix } from '@airlock/testing';
import { stopMesh, type MeshInfo } from '../../src/mesh';
import { type SeenUsage, aiEvents, killReferenceModel, openAi, restartReferenceModel, seen, startGatewayMesh, usageTotals } from './gateway-support';
import { edgeCaller, issueToken } from './support';

// The gateway's failure behaviour and its metering through the real edge (Envoy, ext_authz) and the real event
// pipeline (gateway -> Kafka -> audit service -> SIEM sink; gateway -> Kafka -> usage service -> PostgreSQL):
// a backend that cuts a stream or dies mid-stream, the other request types meanwhile, and issue 7's "usage
// numbers reconcile exactly with the gateway's requests".

/** Chunks the reference backend sends before it drops the connection: its role chunk, then one per word. */
const CUT_AFTER_CHUNKS = 12;
/** The gateway's documented estimate when a stream is cut before the backend's usage: characters / 4. */
const estimatePromptTokens = (text: string) => Math.ceil(text.length / 4);
const sentence = (n: number, word: string) => Array.from({ length: n }, (_, i) => `${word}${i}`).join(' ');

interface Drained {
  chunks: OpenAI.ChatCompletionChunk[];
  error?: unknown;
}

/** Reads an SDK stream to its end or its error; `onFirst` runs once the first chunk has arrived. */
async function drain(stream: AsyncIterable<OpenAI.ChatCompletionChunk>, onFirst?: () => Promise<unknown>): Promise<Drained & { first?: unknown }> {
  const out: Drained & { first?: unknown } = { chunks: [] };
  try {
    for await (const chunk of stream) {
      out.chunks.push(chunk);
      if (out.chunks.length === 1 && onFirst) out.first = await onFirst();
    }
  } catch (error) {
    out.error = error;
  }
  return out;
}

describe('AI gateway resilience and metering through Envoy', () => {
  const name = uniquePrefix('e2e-gwr');
  /** Fresh tenant whose every request is listed in `metered`: the reconciliation's books. */
  const books = `${name}-books`;
  /** Everything else (concurrent traffic, the kill scenario). */
  const other = `${name}-other`;
  let mesh: MeshInfo;
  let call: ReturnType<typeof edgeCaller>;
  let untrust: (() => void) | undefined;
  let sdk: OpenAI;
  let otherToken: string;
  let otherSdk: OpenAI;
  const metered: SeenUsage[] = [];
  const cid = (label: string) => `${name}-${label}`;

  beforeAll(async () => {
    ({ mesh, untrust } = await startGatewayMesh(name));
    call = edgeCaller(mesh);
    sdk = openAi(mesh, await issueToken(mesh, { userId: 'alice', tenantId: books, projectId: 'payments', workspaceId: 'ws-alice' }));
    otherToken = await issueToken(mesh, { userId: 'bob', tenantId: other, projectId: 'payments', workspaceId: 'ws-bob' });
    otherSdk = openAi(mesh, otherToken);
  }, 240_000);

  afterAll(async () => {
    untrust?.();
    await stopMesh(name);
  }, 60_000);

  it('answers chat, streamed chat, completion and streamed completion, each telling the client its usage', async () => {
    const headers = (label: string) => ({ headers: { 'x-correlation-id': cid(label) } });
    const chat = await sdk.chat.completions.create({ model: 'airlock-chat', messages: [{ role: 'user', content: 'reconcile me please' }] }, headers('chat'));
    metered.push(seen(cid('chat'), chat.usage));

    const streamed = await drain(
      await sdk.chat.completions.create(
        { model: 'airlock-chat', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'a streamed question' }], stream: true, stream_options: { include_usage: true } },
        headers('chat-stream'),
      ),
    );
    expect(streamed.error).toBeUndefined();
    metered.push(seen(cid('chat-stream'), streamed.chunks.at(-1)!.usage));

    const completion = await sdk.completions.create({ model: 'airlock-code', prompt: 'const x =', max_tokens: 8 }, headers('completion'));
    metered.push(seen(cid('completion'), completion.usage));

    const completionStream = await sdk.completions.create({ model: 'airlock-code', prompt: 'let y =', stream: true, stream_options: { include_usage: true } }, headers('completion-stream'));
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of completionStream) usage = chunk.usage ?? usage;
    metered.push(seen(cid('completion-stream'), usage));

    for (const m of metered) expect([m.correlationId, m.promptTokens > 0, m.completionTokens > 0]).toEqual([m.correlationId, true, true]);
  });

  it('refuses an unknown model (404 model_not_allowed): no tokens, but still one metered request', async () => {
    const error = await sdk.chat.completions
      .create({ model: 'not-a-model', messages: [{ role: 'user', content: 'refuse me' }] }, { headers: { 'x-correlation-id': cid('refused') } })
      .then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as APIError).code).toBe('model_not_allowed');
    metered.push(seen(cid('refused'), undefined));
  });

  it('a stream the backend cuts mid-way ends cleanly with an error event while autocomplete and Tabby keep answering', async () => {
    await restartReferenceModel(mesh, { CUT_AFTER_CHUNKS: String(CUT_AFTER_CHUNKS), TOKENS_PER_SECOND: '20' });
    const prompt = sentence(40, 'cut');
    // Meanwhile (the stream is open): the other request types, on their own bulkheads and pools.
    const others = () =>
      Promise.all([
        call('/tabby/v1/completions', { token: otherToken, body: { language: 'go', segments: { prefix: 'func main() {\n\tfmt', suffix: '\n}' } } }),
        otherSdk.completions.create({ model: 'airlock-code', prompt: 'while (true)', max_tokens: 8 }),
        call('/tabby/v1/health', { token: otherToken }),
      ]);
    const result = await drain(
      await sdk.chat.completions.create(
        { model: 'airlock-chat', messages: [{ role: 'user', content: prompt }], stream: true, stream_options: { include_usage: true } },
        { headers: { 'x-correlation-id': cid('cut') } },
      ),
      others,
    );
    // The SDK raises the gateway's error event as an APIError; no [DONE], no usage chunk.
    expect(result.error).toBeInstanceOf(APIError);
    const e = result.error as APIError;
    expect(e.code).toBe('backend_stream_failed');
    expect(e.error).toMatchObject({ code: 'backend_stream_failed', correlation_id: cid('cut'), retryable: true });
    expect(result.chunks.every((c) => !c.usage)).toBe(true);
    const [tabby, completion, health] = result.first as [Awaited<ReturnType<typeof call>>, OpenAI.Completion, Awaited<ReturnType<typeof call>>];
    expect(tabby.status).toBe(200);
    expect(tabby.body.choices).toEqual([{ index: 0, text: '/* completion for: fmt */' }]);
    expect(completion.choices[0].text).toBe('/* completion for: while (true) */\n');
    expect(health.status).toBe(200);

    // What was sent is what is billed: the gateway received the role chunk and CUT_AFTER_CHUNKS - 1 words.
    const billed = { correlationId: cid('cut'), promptTokens: estimatePromptTokens(prompt), completionTokens: CUT_AFTER_CHUNKS - 1 };
    metered.push(billed);
    const audited = await eventually('audit event of the cut stream', () => aiEvents(mesh, books).find((ev) => ev.correlation_id === cid('cut')));
    expect(audited).toMatchObject({
      event_type: 'ai.request',
      endpoint: '/v1/chat/completions',
      status_code: 502,
      outcome: 'error',
      prompt_tokens: billed.promptTokens,
      completion_tokens: billed.completionTokens,
      route_target: 'chat:reference-chat',
    });
    await restartReferenceModel(mesh);
  });

  it('reconciles exactly: GetUsage totals = the sums the clients saw (cut stream: what was sent), one ai.* audit event per request', async () => {
    const expected = {
      requests: metered.length,
      promptTokens: metered.reduce((s, m) => s + m.promptTokens, 0),
      completionTokens: metered.reduce((s, m) => s + m.completionTokens, 0),
    };
    const ids = metered.map((m) => m.correlationId);
    expect(new Set(ids).size).toBe(6);
    const events = await eventually('an audit event for every request', () => {
      const found = aiEvents(mesh, books);
      return ids.every((id) => found.some((ev) => ev.correlation_id === id)) ? found : undefined;
    });
    const totals = await eventually('usage totals for every request', async () => {
      const t = await usageTotals(mesh, books);
      return t.requests >= expected.requests ? t : undefined;
    });
    expect(totals).toEqual(expected);
    // Exactly one ai.* event per request, none for anything else, each with the tokens the client was told.
    expect(events.map((ev) => ev.correlation_id).sort()).toEqual([...ids].sort());
    for (const m of metered) {
      const ev = events.find((x) => x.correlation_id === m.correlationId)!;
      expect([m.correlationId, ev.event_type, ev.prompt_tokens, ev.completion_tokens]).toEqual([m.correlationId, 'ai.request', m.promptTokens, m.completionTokens]);
    }
    expect(events.find((ev) => ev.correlation_id === cid('refused'))).toMatchObject({ status_code: 404, outcome: 'denied' });
    // Still exact once the pipeline has had time to deliver anything late (at-least-once, de-duplicated).
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await usageTotals(mesh, books)).toEqual(expected);
    expect(aiEvents(mesh, books)).toHaveLength(ids.length);
  });

  it('a client that goes away mid-stream is audited as cancelled (499) and still metered', async () => {
    await restartReferenceModel(mesh, { TOKENS_PER_SECOND: '10' });
    const abort = new AbortController();
    const result = await drain(
      await otherSdk.chat.completions.create(
        { model: 'airlock-chat', messages: [{ role: 'user', content: sentence(30, 'bye') }], stream: true },
        { headers: { 'x-correlation-id': cid('cancelled') }, signal: abort.signal },
      ),
      async () => abort.abort(),
    );
    // The SDK ends the iteration quietly on the caller's own abort; the answer never finished.
    expect(result.chunks.some((c) => c.choices[0]?.finish_reason)).toBe(false);
    const audited = await eventually('audit event of the cancelled stream', () => aiEvents(mesh, other).find((ev) => ev.correlation_id === cid('cancelled')));
    expect(audited).toMatchObject({ status_code: 499, outcome: 'cancelled', prompt_tokens: estimatePromptTokens(sentence(30, 'bye')) });
  });

  it('a backend killed mid-stream: the stream ends with an error event; autocomplete degrades to its cache, else 503 ai_disabled; audit and usage still arrive', async () => {
    // One backend process serves every request type in the mesh: killing it leaves autocomplete the documented
    // degradation only. Prime the cache with one Tabby completion first.
    const tabbyBody = { language: 'rust', segments: { prefix: 'fn main() {\n    let cached', suffix: '\n}' } };
    const primed = await call('/tabby/v1/completions', { token: otherToken, body: tabbyBody });
    expect(primed.status).toBe(200);
    await restartReferenceModel(mesh, { TOKENS_PER_SECOND: '10' });

    const result = await drain(
      await otherSdk.chat.completions.create(
        { model: 'airlock-chat', messages: [{ role: 'user', content: sentence(30, 'slow') }], stream: true },
        { headers: { 'x-correlation-id': cid('killed') } },
      ),
      () => killReferenceModel(mesh),
    );
    expect(result.error).toBeInstanceOf(APIError);
    expect((result.error as APIError).error).toMatchObject({ code: 'backend_stream_failed', correlation_id: cid('killed'), retryable: true });

    const fromCache = await call('/tabby/v1/completions', { token: otherToken, body: tabbyBody, headers: { 'x-correlation-id': cid('cached') } });
    expect(fromCache.status).toBe(200);
    expect(fromCache.body.choices).toEqual(primed.body.choices);
    const uncached = await call('/tabby/v1/completions', { token: otherToken, body: { language: 'rust', segments: { prefix: 'fn never_seen() {' } } });
    expect(uncached.status).toBe(503);
    expect(uncached.body.error).toMatchObject({ code: 'ai_disabled', retryable: true });
    const seedAutocomplete = await call('/v1/autocomplete', { token: otherToken, body: { prefix: 'SELECT * FROM' } });
    expect(seedAutocomplete.status).toBe(503);
    expect(seedAutocomplete.body.error.code).toBe('ai_disabled');
    // The IDE keeps seeing a live server.
    expect((await call('/tabby/v1/health', { token: otherToken })).status).toBe(200);

    const killed = await eventually('audit event of the killed stream', () => aiEvents(mesh, other).find((ev) => ev.correlation_id === cid('killed')));
    expect(killed).toMatchObject({ status_code: 502, outcome: 'error', route_target: 'chat:reference-chat', prompt_tokens: estimatePromptTokens(sentence(30, 'slow')) });
    expect(await eventually('audit event of the cached answer', () => aiEvents(mesh, other).find((ev) => ev.correlation_id === cid('cached')))).toMatchObject({
      status_code: 200,
      route_target: 'autocomplete:reference-code (cache)',
    });
    // Every request of this tenant, answered or not, is metered once.
    await eventually('usage for every request of the tenant', async () => {
      const events = aiEvents(mesh, other);
      const totals = await usageTotals(mesh, other);
      return totals.requests === events.length && events.length === 8 ? totals : undefined;
    });
  });
});
