import OpenAI from 'openai';
import type { RunningService } from '@airlock/runtime';
import { airlock } from '@airlock/contracts';
import { createClient, unary } from '@airlock/grpc';
import { eventually, freePort, startInfra, uniquePrefix, type InfraEndpoints } from '@airlock/testing';
import { bootService } from '@airlock/runtime';
import { dlpService } from '@airlock/dlp/dist/service';
import type { ReferenceServer } from '@airlock/reference-model/dist/server';
import { ASSERTION_HEADER, AssertionSigner } from '@airlock/identity-assertion';
import { EDGE_CALLER, bootGateway, collectEvents, edgeHeaders, edgeSigner, sseFrames, startReference, stopReference } from './harness';

jest.setTimeout(120_000);

type Ref = ReferenceServer & { url: string };

// The gateway with its real neighbours: the dlp service over gRPC, reference backends over HTTP, Kafka, Redis.
describe('gateway', () => {
  let infra: InfraEndpoints;
  let prefix: string;
  let dlp: RunningService;
  let gateway: RunningService;
  let chatRef: Ref;
  let codeRef: Ref;
  let crashRef: Ref;
  let slowRef: Ref;
  let cacheRef: Ref;
  let events: Awaited<ReturnType<typeof collectEvents>>;
  let base: string;
  let metricsPort: number;
  let corr = 0;
  const nextId = () => `gw-int-${process.pid}-${++corr}`;

  const openai = (route: string, extra: Record<string, string> = {}) =>
    new OpenAI({ baseURL: `${base}/v1`, apiKey: 'set-by-the-edge', maxRetries: 0, defaultHeaders: edgeHeaders(route, extra) });
  const post = (path: string, route: string, body: unknown, extra: Record<string, string> = {}, signal?: AbortSignal) =>
    fetch(base + path, { method: 'POST', headers: { ...edgeHeaders(route, extra), 'content-type': 'application/json' }, body: JSON.stringify(body), signal });

  beforeAll(async () => {
    infra = await startInfra({ components: ['kafka', 'redis'] });
    prefix = uniquePrefix('gw');
    [chatRef, codeRef, crashRef, slowRef, cacheRef] = await Promise.all([
      startReference(),
      startReference(),
      startReference({ cutAfterChunks: 4 }),
      startReference({ latencyMs: 60_000 }),
      startReference(),
    ]);
    metricsPort = await freePort();
    dlp = await bootService(dlpService, { GRPC_PORT: String(await freePort()), METRICS_PORT: String(metricsPort), LOG_LEVEL: 'warn' });
    const dead = `http://127.0.0.1:${await freePort()}`;
    gateway = await bootGateway({
      DLP_ADDR: dlp.grpcAddress,
      KAFKA_BROKERS: infra.kafka.brokers.join(','),
      TOPIC_PREFIX: prefix,
      REDIS_URL: infra.redis.url,
      GATEWAY_CACHE_PREFIX: `${prefix}:cache:`,
      GATEWAY_BULKHEADS: JSON.stringify({ chat: { concurrent: 2, queue: 0 } }),
      GATEWAY_TRUST_ALIAS_HEADER: 'true',
      GATEWAY_BACKENDS: JSON.stringify({
        chat: { protocol: 'openai', baseUrl: chatRef.url },
        code: { protocol: 'openai', baseUrl: codeRef.url },
        tabby: { protocol: 'tabby', baseUrl: codeRef.url },
        rag: { protocol: 'rag', baseUrl: codeRef.url },
        crashy: { protocol: 'openai', baseUrl: crashRef.url },
        slow: { protocol: 'openai', baseUrl: slowRef.url, firstByteTimeoutMs: 120_000 },
        flaky: { protocol: 'openai', baseUrl: dead, fallback: 'dr', breaker: { failureThreshold: 2, cooldownMs: 60_000 } },
        dr: { protocol: 'openai', baseUrl: chatRef.url },
        cached: { protocol: 'openai', baseUrl: cacheRef.url },
        down: { protocol: 'openai', baseUrl: dead },
      }),
    });
    base = `http://${gateway.httpAddress}`;
    events = await collectEvents(infra.kafka.brokers, prefix);
  });

  afterAll(async () => {
    await events?.stop();
    await gateway?.close();
    await dlp?.close();
    await Promise.all([chatRef, codeRef, crashRef, slowRef, cacheRef].map(stopReference));
  });

  describe('OpenAI-compatible surface (official openai SDK)', () => {
    it('answers chat completions with the model renamed to the alias, masked prompt, usage, audit and usage events', async () => {
      const id = nextId();
      const client = openai('chat/reference-chat', { 'x-correlation-id': id, 'x-airlock-model-aliases': 'airlock-chat=chat/reference-chat' });
      const answer = await client.chat.completions.create({
        model: 'airlock-chat',
        messages: [{ role: 'user', content: 'token ghp_R8wzQk3LmN5vT1xY7bC2dF6gH9jK0pLs4eWq ok' }],
      });
      expect(answer.model).toBe('airlock-chat');
      expect(answer.choices[0].message.content).toBe('Reference answer from reference-chat. You said: token [MASKED:secret.github_token] ok');
      expect(answer.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 9 });
      const audit = await eventually('audit', () => events.audit(id));
      expect(audit).toMatchObject({ endpoint: '/v1/chat/completions', action: 'chat', statusCode: 200, dlpAction: 'mask', routeTarget: 'chat:reference-chat', outcome: 'success', userId: 'bob' });
      expect(await eventually('usage', () => events.usage(id))).toMatchObject({ model: 'reference-chat', promptTokens: 3, completionTokens: 9 });
    });

    it('streams with exact SSE framing and, with include_usage, a last chunk with no choices and the usage', async () => {
      const res = await post('/v1/chat/completions', 'chat/reference-chat', {
        model: 'reference-chat',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'hi there' }],
      });
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const frames = sseFrames(await res.text());
      expect(frames.every((f) => /^data: [^\n]*$/.test(f))).toBe(true);
      expect(frames.at(-1)).toBe('data: [DONE]');
      const chunks = frames.slice(0, -1).map((f) => JSON.parse(f.slice(6)));
      expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 2, completion_tokens: 8, total_tokens: 10 } });
      expect(chunks.slice(0, -1).every((c) => c.usage === undefined && c.choices.length === 1)).toBe(true);

      const stream = await openai('chat/reference-chat').chat.completions.create({
        model: 'reference-chat',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'hi there' }],
      });
      let text = '';
      let usage: OpenAI.CompletionUsage | undefined | null;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? '';
        usage = chunk.usage ?? usage;
      }
      expect(text).toBe('Reference answer from reference-chat. You said: hi there');
      expect(usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 8 });
    });

    it('asks the backend for usage but strips it when the client did not ask, and still meters it', async () => {
      const id = nextId();
      const stream = await openai('chat/reference-chat', { 'x-correlation-id': id }).chat.completions.create({
        model: 'reference-chat',
        stream: true,
        messages: [{ role: 'user', content: 'count me' }],
      });
      const chunks = [];
      for await (const chunk of stream) chunks.push(chunk);
      expect(chunks.every((c) => c.choices.length === 1 && !c.usage)).toBe(true);
      expect(await eventually('usage', () => events.usage(id))).toMatchObject({ promptTokens: 2, completionTokens: 8 });
    });

    it('answers /v1/completions, streaming and not', async () => {
      const client = openai('code/reference-code');
      const done = await client.completions.create({ model: 'reference-code', prompt: 'def add(a, b):', suffix: '\n' });
      expect(done.choices[0].text).toBe('/* completion for: def add(a, b): */');
      const stream = await client.completions.create({ model: 'reference-code', prompt: 'x = ', stream: true, stream_options: { include_usage: true } });
      let text = '';
      let usage;
      for await (const c of stream) {
        text += c.choices[0]?.text ?? '';
        usage = c.usage ?? usage;
      }
      expect(text).toBe('/* completion for: x = */\n');
      expect(usage).toMatchObject({ completion_tokens: 6 });
    });

    it('lists only the aliases policy allows, and refuses any other model with a clear error', async () => {
      const client = openai('chat/reference-chat', { 'x-airlock-model-aliases': 'airlock-chat=chat/reference-chat,airlock-code=code/reference-code' });
      const models = await client.models.list();
      expect(models.data.map((m) => m.id)).toEqual(['airlock-chat', 'airlock-code']);
      const error = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.NotFoundError);
      expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ code: 'model_not_allowed' });
      expect((error as Error).message).toContain('allowed: airlock-chat, airlock-code');
      // Without an alias list, the routed model is the one name the client may use.
      expect((await openai('chat/reference-chat').models.list()).data.map((m) => m.id)).toEqual(['reference-chat']);
    });
  });

  describe('seed endpoints', () => {
    it('/v1/chat answers JSON by default and SSE with stream:true', async () => {
      const json: any = await (await post('/v1/chat', 'chat/reference-chat', { messages: [{ role: 'user', content: 'hello' }] })).json();
      expect(json).toMatchObject({ model: 'reference-chat', message: { role: 'assistant', content: 'Reference answer from reference-chat. You said: hello' }, dlp_action: 'allow' });
      const frames = sseFrames(await (await post('/v1/chat', 'chat/reference-chat', { stream: true, messages: [{ role: 'user', content: 'hello' }] })).text());
      // DLP holds back the tail of an answer until it is final: a short answer arrives in one delta.
      expect(frames.slice(0, -1).every((f) => f.startsWith('event: delta\ndata: {"content":'))).toBe(true);
      expect(frames.slice(0, -1).map((f) => JSON.parse(f.split('data: ')[1]).content).join('')).toBe('Reference answer from reference-chat. You said: hello');
      expect(frames.at(-1)).toMatch(/^event: done\ndata: /);
      expect(JSON.parse(frames.at(-1)!.split('data: ')[1])).toMatchObject({ finish_reason: 'stop', usage: { prompt_tokens: 1, completion_tokens: 7 }, dlp_action: 'allow' });
    });

    it('/v1/agent streams and audits repo, branch, changed files and a diff hash', async () => {
      const id = nextId();
      const res = await post('/v1/agent', 'chat/reference-chat', { messages: [{ role: 'user', content: 'refactor' }], repo_id: 'core-api', branch: 'feat/x', changed_files: ['src/a.ts'] }, { 'x-correlation-id': id });
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(sseFrames(await res.text()).at(-1)).toMatch(/^event: done/);
      const audit = await eventually('agent audit', () => events.audit(id));
      expect(audit).toMatchObject({ endpoint: '/v1/agent', action: 'agent', repoId: 'core-api', branch: 'feat/x', changedFiles: ['src/a.ts'] });
      expect(audit.diffHash).toMatch(/^[0-9a-f]{64}$/);
    });

    it('/v1/autocomplete and the RAG endpoints', async () => {
      const ac: any = await (await post('/v1/autocomplete', 'code/reference-code', { prefix: 'function f() {', suffix: '}', language: 'typescript' })).json();
      expect(ac).toMatchObject({ model: 'reference-code', text: '/* completion for: function f() { */' });
      const indexed: any = await (await post('/v1/rag/index', 'rag/reference-rag', { documents: [{ path: 'src/pay.ts', content: 'export function transfer(amount) {}' }] })).json();
      expect(indexed).toEqual({ indexed: 1 });
      const found: any = await (await post('/v1/rag/query', 'rag/reference-rag', { query: 'transfer amount', top_k: 3 })).json();
      expect(found.results[0]).toMatchObject({ path: 'src/pay.ts', score: 1 });
    });

    it('blocks a private key before any backend sees it, and audits the block', async () => {
      const id = nextId();
      const before = chatRef.requests;
      const res = await post(
        '/v1/chat',
        'chat/reference-chat',
        { messages: [{ role: 'user', content: '-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----' }] },
        { 'x-correlation-id': id },
      );
      expect(res.status).toBe(422);
      expect(((await res.json()) as any).error).toMatchObject({ code: 'dlp_blocked', correlation_id: id, retryable: false });
      expect(chatRef.requests).toBe(before);
      expect(await eventually('audit of the block', () => events.audit(id))).toMatchObject({ statusCode: 422, dlpAction: 'block', outcome: 'denied' });
      expect(await eventually('usage of the block', () => events.usage(id))).toMatchObject({ promptTokens: 0, completionTokens: 0 });
    });

    it('refuses requests that did not come through the edge, and names the field of a malformed body', async () => {
      const res = await fetch(`${base}/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user-id': 'eve' }, body: '{}' });
      expect(res.status).toBe(401);
      expect(((await res.json()) as any).error.code).toBe('unauthenticated');
      const bad = await post('/v1/chat', 'chat/reference-chat', { messages: [{ role: 'user', content: 42 }] });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as any).error).toMatchObject({ code: 'invalid_request', message: 'messages[0].content must be a string' });
    });
  });

  describe('edge identity (x-airlock-identity)', () => {
    const withAssertion = (assertion: string | undefined, id: string) => {
      const headers: Record<string, string> = { ...edgeHeaders('chat/reference-chat'), 'x-correlation-id': id };
      if (assertion === undefined) delete headers[ASSERTION_HEADER];
      else headers[ASSERTION_HEADER] = assertion;
      return headers;
    };
    const refusals = {
      missing: undefined,
      forged: AssertionSigner.generate().sign(EDGE_CALLER).token,
      expired: edgeSigner.sign(EDGE_CALLER, Date.now() - 10 * 60_000).token,
    };

    it.each(Object.entries(refusals))('answers 401 to plain identity headers whose assertion is %s; no backend sees it, the refusal is audited', async (_, assertion) => {
      const before = chatRef.requests;
      const id = nextId();
      const res = await fetch(`${base}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...withAssertion(assertion, id), 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'reference-chat', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.status).toBe(401);
      expect(((await res.json()) as any).error).toMatchObject({ code: 'unauthenticated', correlation_id: id, retryable: false });
      expect(chatRef.requests).toBe(before);
      expect((await fetch(`${base}/v1/models`, { headers: withAssertion(assertion, nextId()) })).status).toBe(401);
      expect(await eventually('audit of the refusal', () => events.audit(id))).toMatchObject({ statusCode: 401, outcome: 'denied', userId: '' });
    });

    it('records the asserted caller, not a plain header that disagrees with it', async () => {
      const id = nextId();
      const res = await post('/v1/chat', 'chat/reference-chat', { messages: [{ role: 'user', content: 'hi' }] }, { 'x-user-id': 'mallory', 'x-tenant-id': 'evil', 'x-correlation-id': id });
      expect(res.status).toBe(200);
      expect(await eventually('audit', () => events.audit(id))).toMatchObject({ userId: 'bob', tenantId: 'acme', projectId: 'core', workspaceId: 'ws-bob' });
    });
  });

  describe('DLP on the answer (ScanStream)', () => {
    const EMAIL = 'kim.minsu@acme.co.kr';

    it('pseudonymises the prompt for the model and restores the values for the user, streamed and not', async () => {
      const json: any = await (await post('/v1/chat', 'chat/reference-chat', { messages: [{ role: 'user', content: `mail ${EMAIL} please` }] })).json();
      expect((chatRef.lastBody as any).messages[0].content).toBe('mail ⟦PII_1⟧ please');
      expect(json.message.content).toBe(`Reference answer from reference-chat. You said: mail ${EMAIL} please`);
      expect(json.dlp_action).toBe('pseudonymize');

      const stream = await openai('chat/reference-chat').chat.completions.create({ model: 'reference-chat', stream: true, messages: [{ role: 'user', content: `mail ${EMAIL}` }] });
      let text = '';
      for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
      expect((chatRef.lastBody as any).messages[0].content).toBe('mail ⟦PII_1⟧');
      expect(text).toBe(`Reference answer from reference-chat. You said: mail ${EMAIL}`);
    });

    it('numbers the pseudonyms of several messages as one request and restores each value in the answer', async () => {
      const OTHER = 'lee.dh@acme.co.kr';
      // The second message brings a new value and repeats the first one's: distinct placeholders, the repeat shares.
      const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
        { role: 'user', content: `mail ${EMAIL}` },
        { role: 'assistant', content: 'noted' },
        { role: 'user', content: `cc ${OTHER}, not ${EMAIL}` },
      ];
      const sent = ['mail ⟦PII_1⟧', 'noted', 'cc ⟦PII_2⟧, not ⟦PII_1⟧'];
      // The reference model echoes the last user message, placeholders and all.
      const restored = `Reference answer from reference-chat. You said: cc ${OTHER}, not ${EMAIL}`;

      const stream = await openai('chat/reference-chat').chat.completions.create({ model: 'reference-chat', stream: true, messages });
      let text = '';
      for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
      expect((chatRef.lastBody as any).messages.map((m: { content: string }) => m.content)).toEqual(sent);
      expect(text).toBe(restored);

      const json: any = await (await post('/v1/chat', 'chat/reference-chat', { messages })).json();
      expect((chatRef.lastBody as any).messages.map((m: { content: string }) => m.content)).toEqual(sent);
      expect(json.message.content).toBe(restored);
    });

    it('a block mid-stream ends the stream with an error event and never sends the sensitive text', async () => {
      const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ==\n-----END OPENSSH PRIVATE KEY-----';
      cacheRef.options.cannedAnswer = `${'Here it is. '.repeat(60)}${key}\nafter`;
      try {
        const id = nextId();
        const res = await post('/v1/chat/completions', 'cached/reference-chat', { model: 'reference-chat', stream: true, messages: [{ role: 'user', content: 'show me the key' }] }, { 'x-correlation-id': id });
        const body = await res.text();
        expect(body).not.toContain('BEGIN OPENSSH');
        expect(body).not.toContain('after');
        const frames = sseFrames(body);
        expect(frames.length).toBeGreaterThan(2);
        expect(JSON.parse(frames.at(-1)!.slice(6))).toEqual({
          error: { code: 'dlp_blocked_output', message: expect.stringContaining('secret.private_key'), correlation_id: id, retryable: false },
        });
        expect(await eventually('audit', () => events.audit(id))).toMatchObject({ statusCode: 422, dlpAction: 'block', outcome: 'denied' });

        // Not streamed: the whole answer is withheld.
        const whole = await post('/v1/chat', 'cached/reference-chat', { messages: [{ role: 'user', content: 'show me the key' }] });
        expect(whole.status).toBe(422);
        const text = await whole.text();
        expect(text).not.toContain('BEGIN OPENSSH');
        expect(JSON.parse(text).error.code).toBe('dlp_blocked_output');
      } finally {
        cacheRef.options.cannedAnswer = undefined;
      }
    });
  });

  describe('Tabby-compatible surface', () => {
    it('completes with {language, segments} against a Tabby backend and an OpenAI one', async () => {
      for (const route of ['tabby/reference-code', 'code/reference-code']) {
        const res = await post('/tabby/v1/completions', route, { language: 'python', segments: { prefix: 'def add(a, b):\n    ', suffix: '\n' } });
        expect(res.status).toBe(200);
        const body: any = await res.json();
        expect(body.id).toEqual(expect.any(String));
        expect(body.choices).toEqual([{ index: 0, text: '/* completion for:  */' }]);
      }
    });

    it('answers health (GET and POST) with a semver git_describe, and accepts events', async () => {
      for (const method of ['GET', 'POST']) {
        const res = await fetch(`${base}/tabby/v1/health`, { method, headers: edgeHeaders('tabby/reference-code') });
        expect(res.status).toBe(200);
        const body: any = await res.json();
        expect(body.version.git_describe).toMatch(/^v\d+\.\d+\.\d+$/);
        expect(body.model).toBe('reference-code');
      }
      const ev = await post('/tabby/v1/events', 'tabby/reference-code', { type: 'select', completion_id: 'cmpl-1', choice_index: 0 });
      expect(ev.status).toBe(200);
    });
  });

  describe('failures, metering and isolation', () => {
    // Long answers, so that DLP's hold-back (the last ~336 characters) lets text through before the end.
    const LONG = 'word '.repeat(200).trim();

    it('a backend dying mid-stream ends the client stream with an error event; usage counts what was sent; others keep working', async () => {
      const id = nextId();
      // Paced, so the gateway has read the chunks before the connection drops (a reset discards unread bytes).
      Object.assign(crashRef.options, { cannedAnswer: LONG, cutAfterChunks: 151, tokensPerSecond: 500 });
      try {
        const stream = await openai('crashy/reference-chat', { 'x-correlation-id': id }).chat.completions.create({
          model: 'reference-chat',
          stream: true,
          messages: [{ role: 'user', content: 'talk' }],
        });
        let text = '';
        const error = await (async () => {
          for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
        })().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(OpenAI.APIError);
        expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ code: 'backend_stream_failed', retryable: true });
        // Some scanned text reached the client; what DLP still held back at the cut never does.
        expect(text.length).toBeGreaterThan(0);
        expect(LONG.startsWith(text)).toBe(true);
        expect(await eventually('audit', () => events.audit(id))).toMatchObject({ statusCode: 502, outcome: 'error' });
        // Metered: every word the gateway got from the model (at most the 150 sent before it died), at least those shown.
        const usage = await eventually('usage', () => events.usage(id));
        expect(usage.completionTokens).toBeGreaterThanOrEqual(text.split(' ').filter(Boolean).length);
        expect(usage.completionTokens).toBeLessThanOrEqual(150);
      } finally {
        Object.assign(crashRef.options, { cannedAnswer: undefined, cutAfterChunks: 4, tokensPerSecond: 0 });
      }
      const ac = await post('/v1/autocomplete', 'code/reference-code', { prefix: 'x' });
      expect(ac.status).toBe(200);
    });

    it('a client that goes away mid-stream is metered for what was sent and audited as cancelled', async () => {
      const id = nextId();
      Object.assign(crashRef.options, { cutAfterChunks: 0, tokensPerSecond: 200, cannedAnswer: LONG });
      try {
        const stream = await openai('crashy/reference-chat', { 'x-correlation-id': id }).chat.completions.create({
          model: 'reference-chat',
          stream: true,
          messages: [{ role: 'user', content: 'a long answer please' }],
        });
        for await (const c of stream) if (c.choices[0]?.delta?.content) break;
        const audit = await eventually('audit', () => events.audit(id));
        expect(audit).toMatchObject({ statusCode: 499, outcome: 'cancelled' });
        const usage = await eventually('usage', () => events.usage(id));
        expect(usage.completionTokens).toBeGreaterThan(0);
        expect(usage.completionTokens).toBeLessThan(200);
      } finally {
        Object.assign(crashRef.options, { cutAfterChunks: 4, tokensPerSecond: 0, cannedAnswer: undefined });
      }
    });

    it('a slow chat backend fills only the chat bulkhead: chat is refused busy, autocomplete still answers', async () => {
      const aborts = [new AbortController(), new AbortController()];
      const hanging = aborts.map((a) => post('/v1/chat', 'slow/reference-chat', { messages: [{ role: 'user', content: 'slow' }] }, {}, a.signal).catch(() => 'aborted'));
      let settled = 0;
      hanging.forEach((p) => p.then(() => settled++));
      await eventually('both chats at the slow backend', () => (slowRef.requests >= 2 ? true : undefined));
      const busy = await post('/v1/chat', 'chat/reference-chat', { messages: [{ role: 'user', content: 'third' }] });
      expect(busy.status).toBe(503);
      expect(((await busy.json()) as any).error).toMatchObject({ code: 'busy', retryable: true });
      for (let i = 0; i < 5; i++) expect((await post('/v1/autocomplete', 'code/reference-code', { prefix: `line ${i}` })).status).toBe(200);
      expect((await post('/tabby/v1/completions', 'tabby/reference-code', { language: 'go', segments: { prefix: 'x' } })).status).toBe(200);
      expect(settled).toBe(0);
      aborts.forEach((a) => a.abort());
      await Promise.all(hanging);
      await eventually('chat slots released', async () => ((await post('/v1/chat', 'chat/reference-chat', { messages: [{ role: 'user', content: 'again' }] })).status === 200 ? true : undefined));
    });

    it('degrades: alternative backend, then cached answer, then 503 ai_disabled in the standard envelope', async () => {
      // The primary is down: the alternative answers.
      const viaDr: any = await (await post('/v1/chat', 'flaky/reference-chat', { messages: [{ role: 'user', content: 'dr' }] })).json();
      expect(viaDr).toMatchObject({ source: 'fallback', message: { content: 'Reference answer from reference-chat. You said: dr' } });

      // A repeatable request is cached while its backend works, and replayed once it fails.
      const body = { temperature: 0, messages: [{ role: 'user', content: 'cache me' }] };
      expect(((await (await post('/v1/chat', 'cached/reference-chat', body)).json()) as any).source).toBe('backend');
      cacheRef.options.failEvery = 1;
      try {
        await eventually('cached answer served', async () => {
          const res: any = await (await post('/v1/chat', 'cached/reference-chat', body)).json();
          return res.source === 'cache' ? res : undefined;
        });
        // A streamed request is another request (no cached stream yet): refused before any byte, as JSON.
        const streamed = await post('/v1/chat', 'cached/reference-chat', { ...body, stream: true });
        expect(streamed.status).toBe(503);
        expect(((await streamed.json()) as any).error.code).toBe('ai_disabled');
        const id = nextId();
        const off = await post('/v1/chat', 'cached/reference-chat', { messages: [{ role: 'user', content: 'not repeatable' }] }, { 'x-correlation-id': id });
        expect(off.status).toBe(503);
        expect(((await off.json()) as any).error).toEqual({
          code: 'ai_disabled',
          message: expect.stringContaining('temporarily unavailable'),
          correlation_id: id,
          retryable: true,
        });
        expect(await eventually('audit', () => events.audit(id))).toMatchObject({ statusCode: 503, outcome: 'error' });
      } finally {
        cacheRef.options.failEvery = 0;
      }
    });

    it('fail-closed audit: the answer is given once its audit event is durable', async () => {
      const id = nextId();
      const res = await post('/v1/agent', 'chat/reference-chat', { stream: false, messages: [{ role: 'user', content: 'risky' }] }, { 'x-correlation-id': id, 'x-airlock-audit-mode': 'fail-closed' });
      expect(res.status).toBe(200);
      expect(await eventually('audit', () => events.audit(id))).toMatchObject({ statusCode: 200, endpoint: '/v1/agent' });
    });

    it('exposes the seed metrics, time to first token, and the operator view of backends', async () => {
      // One OpenTelemetry SDK per process: the first service booted here (dlp) serves every metric.
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      expect(text).toMatch(/ai_gateway_requests_total\{[^}]*service="chat"[^}]*project_id="core"/);
      expect(text).toMatch(/ai_gateway_latency_seconds_bucket\{[^}]*service="autocomplete"/);
      expect(text).toMatch(/ai_gateway_tokens_total\{[^}]*model="reference-chat"/);
      expect(text).toMatch(/ai_gateway_time_to_first_token_seconds_bucket\{[^}]*service="chat"/);
      expect(text).toMatch(/ai_gateway_backend_circuit_state\{[^}]*backend="flaky"[^}]*\} 2/);
      const client = createClient(airlock.gateway.v1.GatewayServiceClient, gateway.grpcAddress);
      const list = await unary(client.listBackends.bind(client), {});
      client.close();
      expect(list.backends.find((b) => b.id === 'chat')).toMatchObject({ protocol: 'openai', healthy: true });
      expect(list.backends.find((b) => b.id === 'down')).toMatchObject({ healthy: false });
    });
  });
});
