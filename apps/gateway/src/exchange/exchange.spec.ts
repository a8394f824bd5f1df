import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { airlock } from '@airlock/contracts';
import { ASSERTION_HEADER, AssertionSigner, AssertionVerifier } from '@airlock/identity-assertion';
import { AppError, EdgeCaller } from '@airlock/runtime';
import { createLogger } from '@airlock/telemetry';
import type { BackendConfig } from '../config';
import type { GuardedTexts } from '../dlp/dlp-guard';
import { type DlpVerdict, strongest } from '../dlp/verdicts';
import { type AiRequestRecord, diffHash } from '../events/ai-events';
import { AuditUnavailableError, DlpBlockedError, DlpOutputBlockedError } from '../gateway.errors';
import type { CallPlan, RoutedReply } from '../routing/model-router';
import { airlockAgentSpec, airlockChatSpec } from '../surfaces/airlock-api';
import { openAiChatSpec } from '../surfaces/openai';
import { BackendClient, UpstreamError, type UpstreamRequest } from '../upstream/backend-client';
import type { SseEvent } from '../upstream/sse';
import type { AnswerScan } from './answer-stream';
import { AiExchange, type ExchangeDlp, type ExchangeEvents, type ExchangeRouter } from './exchange';
import type { ExchangeSpec } from './exchange-spec';

// The exchange's steps with small fakes of its neighbours (DLP, router, events); the caller's identity is a real
// signed assertion, and requests and answers go over a real HTTP socket.

const signer = AssertionSigner.generate();
const logger = createLogger('exchange-test', 'fatal');
const bob = { subject: 'bob', userId: 'bob', tenantId: 'acme', projectId: 'core', workspaceId: 'ws-bob', roles: [], kind: 'user' as const };

/** DLP: `secret` is masked in prompts and answers; a prompt or answer with `KEY` in it is blocked. */
class FakeDlp implements ExchangeDlp {
  readonly prompts: string[][] = [];
  readonly scans: FakeOutputScan[] = [];

  async scanInbound(texts: string[]): Promise<GuardedTexts> {
    this.prompts.push(texts);
    if (texts.some((t) => t.includes('KEY'))) throw new DlpBlockedError(['secret.private_key']);
    const masked = texts.map(mask);
    return { texts: masked, verdict: masked.join() === texts.join() ? 'allow' : 'mask', findings: 0, pseudonyms: [] };
  }

  async scanAnswer(text: string): Promise<{ text: string; verdict: DlpVerdict }> {
    if (text.includes('KEY')) throw new DlpOutputBlockedError(['secret.private_key']);
    return { text: mask(text), verdict: mask(text) === text ? 'allow' : 'mask' };
  }

  scanOutput(_policyVersion: string, _pseudonyms: airlock.dlp.v1.Pseudonym[]): FakeOutputScan {
    const scan = new FakeOutputScan();
    this.scans.push(scan);
    return scan;
  }
}

const mask = (text: string) => text.replaceAll('secret', '[MASKED]');

class FakeOutputScan implements AnswerScan {
  verdict: DlpVerdict = 'allow';
  closed = false;
  /** The first push answers once what this returns, called then, settles (a scan lagging behind the model). */
  holdFirstAnswer?: () => Promise<unknown>;
  readonly pushed: string[] = [];

  async push(text: string): Promise<string> {
    this.pushed.push(text);
    if (this.pushed.length === 1) await this.holdFirstAnswer?.();
    if (text.includes('KEY')) {
      this.verdict = 'block';
      throw new DlpOutputBlockedError(['secret.private_key']);
    }
    if (mask(text) !== text) this.verdict = strongest(this.verdict, 'mask');
    return mask(text);
  }

  async end(): Promise<string> {
    return '';
  }

  close(): void {
    this.closed = true;
  }
}

const backendConfig: BackendConfig = {
  protocol: 'openai',
  baseUrl: 'http://127.0.0.1:9',
  mtls: false,
  maxConnections: 1,
  connectTimeoutMs: 1,
  idleTimeoutMs: 1,
  retries: 0,
  breaker: { failureThreshold: 1, cooldownMs: 1 },
};

/** The router: builds the request for a backend as the real one does, then answers what the test set. */
class FakeRouter implements ExchangeRouter {
  readonly plans: CallPlan[] = [];
  readonly sent: UpstreamRequest[] = [];
  answer: (plan: CallPlan) => Promise<RoutedReply> = async () => ({ source: 'backend', served: { backend: 'chat', model: 'm1' }, protocol: 'openai', json: chatJson('hello') });

  async call(plan: CallPlan): Promise<RoutedReply> {
    this.plans.push(plan);
    const protocol = plan.requestType === 'rag' ? 'rag' : 'openai';
    this.sent.push(plan.build(new BackendClient(plan.route.backend, { ...backendConfig, protocol }, 1_000), plan.route.model));
    return this.answer(plan);
  }
}

class FakeEvents implements ExchangeEvents {
  readonly order: string[] = [];
  readonly records: { record: AiRequestRecord; durable: boolean }[] = [];
  readonly acceptedRecords: AiRequestRecord[] = [];
  durableFails = false;

  async accepted(record: AiRequestRecord): Promise<void> {
    this.order.push('accepted');
    this.acceptedRecords.push(record);
  }

  async record(record: AiRequestRecord, options: { durable?: boolean } = {}): Promise<void> {
    this.order.push(options.durable ? 'durable record' : 'record');
    this.records.push({ record, durable: options.durable ?? false });
    if (options.durable && this.durableFails) throw new AuditUnavailableError(new Error('broker down'));
  }
}

const chatJson = (content: string) => JSON.stringify({ choices: [{ message: { role: 'assistant', content } }], usage: { prompt_tokens: 5, completion_tokens: 7 } });
const chunk = (content: string, finish?: string) => ({ data: JSON.stringify({ choices: [{ delta: { content }, finish_reason: finish ?? null }] }) });

async function* sse(events: SseEvent[], signal?: AbortSignal): AsyncGenerator<SseEvent> {
  for (const e of events) yield e;
  // Without [DONE] the test wants the backend to hang until the client goes away.
  if (signal) await new Promise((_, reject) => signal.addEventListener('abort', () => reject(new UpstreamError('aborted', 'chat', 'the client went away'))));
}

/** The exchange behind a real HTTP server; a thrown error is answered as the runtime's filter would. */
async function serve(parse: (body: unknown) => ExchangeSpec, options: { maxTextChars?: number } = {}) {
  const dlp = new FakeDlp();
  const router = new FakeRouter();
  const events = new FakeEvents();
  const exchange = new AiExchange(dlp, router, events, new EdgeCaller(AssertionVerifier.fromPublicPem(signer.publicKeyPem), logger), logger, {
    GATEWAY_TRUST_ALIAS_HEADER: false,
    GATEWAY_MAX_TEXT_CHARS: options.maxTextChars ?? 1_000_000,
    GATEWAY_CHAT_RAG_BACKEND: 'rag',
  });
  const runs: Promise<void>[] = [];
  const server = http.createServer(async (req, res) => {
    let text = '';
    for await (const piece of req) text += piece;
    const run = exchange.run(req, res, { endpoint: '/v1/chat', requestType: 'chat' }, () => parse(JSON.parse(text)));
    runs.push(run);
    run.catch((error: unknown) => {
      res.statusCode = error instanceof AppError ? error.httpStatus : 500;
      res.end(JSON.stringify({ error: { code: error instanceof AppError ? error.code : 'internal' } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = (body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) =>
    fetch(url, {
      method: 'POST',
      signal,
      headers: {
        [ASSERTION_HEADER]: signer.sign(bob).token,
        'x-airlock-route-backend': 'chat',
        'x-airlock-route-model': 'm1',
        'x-airlock-policy-version': 'v7',
        ...headers,
      },
      body: JSON.stringify(body),
    });
  return {
    dlp,
    router,
    events,
    post,
    /** Every request's run has ended (its audit recorded). */
    settled: () => Promise.allSettled(runs),
    close: () => new Promise((r) => server.close(r)),
  };
}

type Served = Awaited<ReturnType<typeof serve>>;
const ask = (content: string, extra: Record<string, unknown> = {}) => ({ messages: [{ role: 'user', content }], ...extra });

describe('AiExchange', () => {
  let s: Served;
  beforeEach(async () => {
    s = await serve(airlockChatSpec);
  });
  afterEach(() => s.close());

  it('identifies, scans the prompt, routes the masked prompt, scans the answer and audits what the steps returned', async () => {
    s.router.answer = async () => ({ source: 'fallback', served: { backend: 'chat-dr', model: 'm1' }, protocol: 'openai', json: chatJson('your secret is safe') });
    const res = await s.post(ask('my secret'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      id: expect.any(String),
      model: 'm1',
      message: { role: 'assistant', content: 'your [MASKED] is safe' },
      usage: { prompt_tokens: 5, completion_tokens: 7 },
      dlp_action: 'mask',
      source: 'fallback',
    });
    expect(s.dlp.prompts).toEqual([['my secret']]);
    expect(s.router.plans[0]).toMatchObject({ requestType: 'chat', route: { backend: 'chat', model: 'm1' }, stream: false, retrySafe: true, cacheScope: undefined });
    expect(s.router.sent[0].body).toMatchObject({ model: 'm1', messages: [{ role: 'user', content: 'my [MASKED]' }] });
    expect(s.events.records).toHaveLength(1);
    expect(s.events.records[0]).toEqual({
      durable: false,
      record: {
        caller: expect.objectContaining({ userId: 'bob', tenantId: 'acme', policyVersion: 'v7' }),
        correlationId: expect.any(String),
        endpoint: '/v1/chat',
        action: 'chat',
        statusCode: 200,
        outcome: 'success',
        latencyMs: expect.any(Number),
        promptTokens: 5,
        completionTokens: 7,
        dlpAction: 'mask',
        route: { backend: 'chat-dr', model: 'm1' },
        source: 'fallback',
        agent: undefined,
      },
    });
  });

  it('refuses a caller without a verified assertion before reading the body, and audits the refusal without a caller', async () => {
    const res = await s.post('not even an object', { [ASSERTION_HEADER]: AssertionSigner.generate().sign(bob).token });
    expect(res.status).toBe(401);
    expect(s.dlp.prompts).toEqual([]);
    expect(s.router.plans).toEqual([]);
    expect(s.events.records[0].record).toMatchObject({ caller: undefined, statusCode: 401, outcome: 'denied', dlpAction: 'none', route: undefined });
  });

  it('refuses a prompt over GATEWAY_MAX_TEXT_CHARS with 413 prompt_too_large without asking DLP, audited', async () => {
    await s.close();
    s = await serve(airlockChatSpec, { maxTextChars: 10 });
    const fits = await s.post(ask('0123456789'));
    expect(fits.status).toBe(200);
    const res = await s.post({ messages: [{ role: 'system', content: '012345' }, { role: 'user', content: '6789!' }] });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('prompt_too_large');
    expect(s.dlp.prompts).toEqual([['0123456789']]);
    expect(s.router.plans).toHaveLength(1);
    await s.settled();
    expect(s.events.records[1].record).toMatchObject({ caller: expect.objectContaining({ userId: 'bob' }), statusCode: 413, outcome: 'denied', dlpAction: 'none' });
  });

  it('refuses a malformed body with 400 invalid_request, audited with the caller and the policy route', async () => {
    const res = await s.post({ messages: [{ role: 'user', content: 42 }] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    expect(s.dlp.prompts).toEqual([]);
    expect(s.events.records[0].record).toMatchObject({ caller: expect.objectContaining({ userId: 'bob' }), statusCode: 400, outcome: 'denied', route: { backend: 'chat', model: 'm1' } });
  });

  it('sends no prompt DLP blocks to any backend, and audits the block', async () => {
    const res = await s.post(ask('here is my KEY'));
    expect(res.status).toBe(422);
    expect(s.router.plans).toEqual([]);
    expect(s.events.records[0].record).toMatchObject({ statusCode: 422, outcome: 'denied', dlpAction: 'block', promptTokens: 0, completionTokens: 0 });
  });

  it('withholds a whole answer DLP blocks', async () => {
    s.router.answer = async () => ({ source: 'backend', served: { backend: 'chat', model: 'm1' }, protocol: 'openai', json: chatJson('the KEY is 42') });
    const res = await s.post(ask('show me'));
    expect(res.status).toBe(422);
    expect(await res.text()).not.toContain('42');
    expect(s.events.records[0].record).toMatchObject({ statusCode: 422, outcome: 'denied', dlpAction: 'block' });
  });

  it('answers 502 backend_bad_response when the backend body is not a JSON object', async () => {
    s.router.answer = async () => ({ source: 'backend', served: { backend: 'chat', model: 'm1' }, protocol: 'openai', json: '<html>upstream error</html>' });
    const res = await s.post(ask('hi'));
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('backend_bad_response');
    expect(s.events.records[0].record).toMatchObject({ statusCode: 502, outcome: 'error', route: { backend: 'chat', model: 'm1' } });
  });

  it('streams through the output scan, then audits the backend usage and the strongest verdict', async () => {
    const usage = { data: JSON.stringify({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 2 } }) };
    s.router.answer = async () => ({ source: 'backend', served: { backend: 'chat', model: 'm1' }, protocol: 'openai', events: sse([chunk('a secret '), chunk('told', 'stop'), usage, { data: '[DONE]' }]) });
    const res = await s.post(ask('hi', { stream: true }));
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const frames = (await res.text()).split('\n\n').filter(Boolean);
    expect(frames.slice(0, 2)).toEqual(['event: delta\ndata: {"content":"a [MASKED] "}', 'event: delta\ndata: {"content":"told"}']);
    expect(JSON.parse(frames[2].split('data: ')[1])).toMatchObject({ finish_reason: 'stop', usage: { prompt_tokens: 3, completion_tokens: 2 }, dlp_action: 'mask' });
    expect(s.dlp.scans[0].closed).toBe(true);
    expect(s.events.records[0].record).toMatchObject({ statusCode: 200, outcome: 'success', promptTokens: 3, completionTokens: 2, dlpAction: 'mask' });
  });

  it('sends the chunks that arrive while the output scan answers to it together, in the framing of the last', async () => {
    s.router.answer = async () => ({ source: 'backend', served: { backend: 'chat', model: 'm1' }, protocol: 'openai', events: sse([chunk('one '), chunk('two '), chunk('three'), chunk('', 'stop'), { data: '[DONE]' }]) });
    const scan = new FakeOutputScan();
    scan.holdFirstAnswer = () => new Promise((r) => setImmediate(r));
    s.dlp.scanOutput = () => scan;
    const frames = (await (await s.post(ask('hi', { stream: true }))).text()).split('\n\n').filter(Boolean);
    expect(scan.pushed).toEqual(['one ', 'two three', '']);
    expect(frames.slice(0, 2)).toEqual(['event: delta\ndata: {"content":"one "}', 'event: delta\ndata: {"content":"two three"}']);
    expect(JSON.parse(frames[2].split('data: ')[1])).toMatchObject({ finish_reason: 'stop', usage: { completion_tokens: 3 } });
  });

  it('reads at most 64 chunks ahead of what the scan has answered, then the whole answer once it does', async () => {
    let pulled = 0;
    async function* words(): AsyncGenerator<SseEvent> {
      for (let i = 0; i < 200; i++) {
        pulled += 1;
        yield chunk(`w${i} `);
      }
      yield chunk('', 'stop');
      yield { data: '[DONE]' };
    }
    s.router.answer = async () => ({ source: 'backend', served: { backend: 'chat', model: 'm1' }, protocol: 'openai', events: words() });
    const scan = new FakeOutputScan();
    let answer!: (value: unknown) => void;
    const answered = new Promise((r) => (answer = r));
    scan.holdFirstAnswer = () => answered;
    s.dlp.scanOutput = () => scan;
    const res = await s.post(ask('hi', { stream: true }));
    // Turns of the event loop enough for the reader to go as far as it may (it needs none to get there).
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(scan.pushed).toEqual(['w0 ']);
    expect(pulled).toBe(65);
    answer(undefined);
    const content = (await res.text())
      .split('\n\n')
      .filter((f) => f.startsWith('event: delta'))
      .map((f) => (JSON.parse(f.split('data: ')[1]) as { content: string }).content)
      .join('');
    expect(content).toBe(Array.from({ length: 200 }, (_, i) => `w${i} `).join(''));
  });

  it('ends a stream DLP blocks with the error event, and meters what the model sent', async () => {
    s.router.answer = async () => ({ source: 'backend', served: { backend: 'chat', model: 'm1' }, protocol: 'openai', events: sse([chunk('fine '), chunk('KEY'), chunk('more'), { data: '[DONE]' }]) });
    const frames = (await (await s.post(ask('hi', { stream: true }))).text()).split('\n\n').filter(Boolean);
    expect(frames).toEqual([
      'event: delta\ndata: {"content":"fine "}',
      `event: error\ndata: ${JSON.stringify({ error: { code: 'dlp_blocked_output', message: new DlpOutputBlockedError(['secret.private_key']).message, correlation_id: null, retryable: false } })}`,
    ]);
    expect(s.events.records[0].record).toMatchObject({ statusCode: 422, outcome: 'denied', dlpAction: 'block', completionTokens: 2, promptTokens: 1 });
  });

  it('audits a client that goes away mid-stream as cancelled (499), without answering it', async () => {
    const client = new AbortController();
    s.router.answer = async (plan) => ({ source: 'backend', served: { backend: 'chat', model: 'm1' }, protocol: 'openai', events: sse([chunk('partial ')], plan.signal) });
    const res = await s.post(ask('hi', { stream: true }), {}, client.signal);
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('event: delta\ndata: {"content":"partial "}\n\n');
    client.abort();
    await s.settled();
    expect(s.events.records.map((r) => r.record)).toEqual([expect.objectContaining({ statusCode: 499, outcome: 'cancelled', completionTokens: 1 })]);
  });

  it('fail-closed: a stream is accepted durably before the model call; a whole answer is sent only once its audit is durable', async () => {
    const failClosed = { 'x-airlock-audit-mode': 'fail-closed' };
    s.router.answer = async () => ({ source: 'backend', served: { backend: 'chat', model: 'm1' }, protocol: 'openai', events: sse([chunk('ok', 'stop'), { data: '[DONE]' }]) });
    const streamed = await s.post(ask('hi', { stream: true }), failClosed);
    expect(streamed.status).toBe(200);
    expect(await streamed.text()).toContain('event: done');
    expect(s.events.order).toEqual(['accepted', 'record']);
    expect(s.events.acceptedRecords[0]).toMatchObject({ statusCode: 200, latencyMs: 0, completionTokens: 0, route: { backend: 'chat', model: 'm1' } });
    expect(s.router.plans).toHaveLength(1);

    s.router.answer = async () => ({ source: 'backend', served: { backend: 'chat', model: 'm1' }, protocol: 'openai', json: chatJson('done') });
    s.events.durableFails = true;
    const res = await s.post(ask('hi'), failClosed);
    expect(res.status).toBe(503);
    expect(await res.text()).not.toContain('done');
    // One event per request: the durable one the answer waited for.
    expect(s.events.order).toEqual(['accepted', 'record', 'durable record']);
  });
});

describe('AiExchange on other surfaces', () => {
  it('refuses a model outside the caller\'s aliases before DLP or any backend sees the prompt', async () => {
    const s = await serve(openAiChatSpec);
    try {
      const res = await s.post(ask('hi', { model: 'gpt-4o' }));
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('model_not_allowed');
      expect(s.dlp.prompts).toEqual([]);
      expect(s.router.plans).toEqual([]);
      expect(s.events.records[0].record).toMatchObject({ statusCode: 404, outcome: 'denied', route: { backend: 'chat', model: 'm1' } });
    } finally {
      await s.close();
    }
  });

  it('holds a streamed call back until it is whole, scans its arguments as one text, then sends it before the finish', async () => {
    const s = await serve(openAiChatSpec);
    try {
      const piece = (call: Record<string, unknown>) => ({ data: JSON.stringify({ id: 'x', choices: [{ index: 0, delta: { tool_calls: [call] }, finish_reason: null }] }) });
      s.router.answer = async () => ({
        source: 'backend',
        served: { backend: 'chat', model: 'm1' },
        protocol: 'openai',
        // The secret is split across two pieces: scanned piece by piece it would pass.
        events: sse([chunk('let me look'), piece({ index: 0, id: 'call_1', type: 'function', function: { name: 'grep', arguments: '{"q":"sec' } }), piece({ index: 0, function: { arguments: 'ret"}' } }), chunk('', 'tool_calls'), { data: '[DONE]' }]),
      });
      const frames = (await (await s.post(ask('hi', { stream: true }))).text()).split('\n\n').filter(Boolean);
      const chunks = frames.slice(0, -1).map((f) => JSON.parse(f.slice(6)));
      expect(chunks.map((c) => c.choices[0].delta)).toEqual([
        { content: 'let me look' },
        { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'grep', arguments: '{"q":"[MASKED]"}' } }] },
        { content: '' },
      ]);
      expect(chunks.at(-1).choices[0].finish_reason).toBe('tool_calls');
      expect(frames.at(-1)).toBe('data: [DONE]');
      expect(s.events.records[0].record).toMatchObject({ statusCode: 200, dlpAction: 'mask' });
    } finally {
      await s.close();
    }
  });

  it('withholds a streamed call whose arguments DLP blocks, ending the stream with the error event', async () => {
    const s = await serve(openAiChatSpec);
    try {
      const call = { index: 0, id: 'call_1', type: 'function', function: { name: 'write', arguments: '{"k":"KEY"}' } };
      const events = sse([{ data: JSON.stringify({ choices: [{ index: 0, delta: { tool_calls: [call] } }] }) }, chunk('', 'tool_calls'), { data: '[DONE]' }]);
      s.router.answer = async () => ({ source: 'backend', served: { backend: 'chat', model: 'm1' }, protocol: 'openai', events });
      const body = await (await s.post(ask('hi', { stream: true }))).text();
      expect(body).not.toContain('KEY');
      expect(JSON.parse(body.trim().split('\n\n').at(-1)!.slice(6)).error.code).toBe('dlp_blocked_output');
      expect(s.events.records[0].record).toMatchObject({ statusCode: 422, dlpAction: 'block' });
    } finally {
      await s.close();
    }
  });

  it('records the change and the hash of the answer the agent proposed', async () => {
    const s = await serve(airlockAgentSpec);
    try {
      s.router.answer = async () => ({ source: 'backend', served: { backend: 'chat', model: 'm1' }, protocol: 'openai', json: chatJson('diff --git a/x b/x') });
      const res = await s.post(ask('refactor', { stream: false, repo_id: 'core-api', branch: 'feat/x', changed_files: ['src/a.ts'] }));
      expect(res.status).toBe(200);
      expect(s.events.records[0].record.agent).toEqual({ repoId: 'core-api', branch: 'feat/x', changedFiles: ['src/a.ts'], diffHash: diffHash('diff --git a/x b/x') });
      expect(diffHash('diff --git a/x b/x')).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await s.close();
    }
  });

  describe('code context (airlock: {rag: true})', () => {
    let s: Served;
    beforeEach(async () => {
      s = await serve(airlockChatSpec);
    });
    afterEach(() => s.close());
    const refund = { project_id: 'core', repository: 'pay', path: 'src/Refund.java', symbol: 'Refund', start_line: 3, end_line: 9, language: 'java', commit: 'c1', snippet: 'class Refund {}', score: 2 };
    const citation = { project_id: 'core', repository: 'pay', path: 'src/Refund.java', symbol: 'Refund', start_line: 3, end_line: 9, commit: 'c1' };
    const answerWithChunks = (results: unknown[]) => async (plan: CallPlan): Promise<RoutedReply> =>
      plan.requestType === 'rag'
        ? { source: 'backend', served: plan.route, protocol: 'rag', json: JSON.stringify({ results }) }
        : { source: 'backend', served: { backend: 'chat', model: 'm1' }, protocol: 'openai', json: chatJson('see [1]') };

    it('retrieves for the masked question as the caller, puts the chunks in the prompt and cites them', async () => {
      s.router.answer = answerWithChunks([refund]);
      const res = await s.post(ask('refund my secret', { airlock: { rag: true, rag_top_k: 3 } }));
      expect(await res.json()).toMatchObject({ message: { content: 'see [1]' }, citations: [citation] });
      expect(s.router.plans.map((p) => [p.requestType, p.route.backend])).toEqual([['rag', 'rag'], ['chat', 'chat']]);
      expect(s.router.sent[0]).toMatchObject({ path: 'v1/rag/query', body: { query: 'refund my [MASKED]', top_k: 3, caller: { userId: 'bob', tenantId: 'acme', projectIds: ['core'] } } });
      const [system, user] = (s.router.sent[1].body as { messages: { role: string; content: string }[] }).messages;
      expect(system.role).toBe('system');
      expect(system.content).toContain('[1] pay: src/Refund.java lines 3-9 (Refund)\n```java\nclass Refund {}\n```');
      expect(user).toEqual({ role: 'user', content: 'refund my [MASKED]' });
    });

    it('cites nothing and adds no context when nothing is found; retrieves nothing without the opt-in', async () => {
      s.router.answer = answerWithChunks([]);
      expect(await (await s.post(ask('refund', { airlock: { rag: true } }))).json()).toMatchObject({ citations: [] });
      expect((s.router.sent[1].body as { messages: unknown[] }).messages).toEqual([{ role: 'user', content: 'refund' }]);
      expect(await (await s.post(ask('??', { airlock: { rag: true } }))).json()).toMatchObject({ citations: [] });
      const plain = await (await s.post(ask('refund'))).json();
      expect(plain).not.toHaveProperty('citations');
      expect(s.router.plans.map((p) => p.requestType)).toEqual(['rag', 'chat', 'chat', 'chat']);
    });

    it('ends a streamed answer with the citations, in both framings', async () => {
      s.router.answer = async (plan) =>
        plan.requestType === 'rag'
          ? { source: 'backend', served: plan.route, protocol: 'rag', json: JSON.stringify({ results: [refund] }) }
          : { source: 'backend', served: { backend: 'chat', model: 'm1' }, protocol: 'openai', events: sse([chunk('ok', 'stop'), { data: '[DONE]' }]) };
      const own = await (await s.post(ask('refund', { stream: true, airlock: { rag: true } }))).text();
      expect(JSON.parse(own.split('event: done\ndata: ')[1])).toMatchObject({ citations: [citation] });
      await s.close();
      s = await serve(openAiChatSpec);
      s.router.answer = answerWithChunks([refund]);
      const body = { messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: [{ type: 'text', text: 'refund' }] }], airlock: { rag: true } };
      const json = await (await s.post(body)).json();
      expect(json).toMatchObject({ airlock: { citations: [citation] } });
      const sent = s.router.sent[1].body as { messages: { content: string }[]; airlock?: unknown };
      expect(sent.airlock).toBeUndefined();
      expect(sent.messages[0].content).toMatch(/^be brief\n\nExcerpts from the organisation's repositories/);
      s.router.answer = async (plan) =>
        plan.requestType === 'rag'
          ? { source: 'backend', served: plan.route, protocol: 'rag', json: JSON.stringify({ results: [refund] }) }
          : { source: 'backend', served: { backend: 'chat', model: 'm1' }, protocol: 'openai', events: sse([chunk('ok', 'stop'), { data: '[DONE]' }]) };
      const frames = (await (await s.post({ ...body, stream: true })).text()).split('\n\n').filter(Boolean);
      expect(frames.at(-1)).toBe('data: [DONE]');
      expect(JSON.parse(frames.at(-2)!.slice('data: '.length))).toMatchObject({ choices: [], airlock: { citations: [citation] } });
    });

    it('refuses a malformed opt-in naming the field', async () => {
      const res = await s.post(ask('refund', { airlock: { rag: 'yes', rag_top_k: 99 } }));
      expect(res.status).toBe(400);
      expect(s.router.plans).toEqual([]);
    });
  });
});
