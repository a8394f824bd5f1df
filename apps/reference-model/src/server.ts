import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { workloadOf } from '@airlock/grpc';
import { randomUUID } from 'node:crypto';
import {
  EMBEDDING_DIMENSIONS,
  MODELS,
  ReferenceIndex,
  type ChatMessage,
  type ToolCall,
  answerChat,
  answerCompletion,
  countTokens,
  hashVector,
  streamChunks,
  textEditAnswer,
  toolToCall,
} from './model';

const MAX_BODY = 4 * 1024 * 1024;
/** Reported as the Tabby server version: clients parse it as semver to pick protocol features. */
export const TABBY_GIT_DESCRIBE = 'v0.31.1';

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ReferenceServerOptions {
  /** Delay before the first byte of every model answer (queueing + prefill of a real server). */
  latencyMs?: number;
  /** Streaming speed; 0 or absent: as fast as possible. */
  tokensPerSecond?: number;
  /** Failure injection: every Nth model request answers 503. 0: never. */
  failEvery?: number;
  /** Failure injection: streams drop the connection (no [DONE]) after this many chunks. 0: never. */
  cutAfterChunks?: number;
  /** A fixed chat answer instead of the echo (e.g. output the gateway's DLP must catch). */
  cannedAnswer?: string;
  /** Fixed arguments (a JSON text) for the tool call instead of TOOL_ARGUMENTS (e.g. arguments DLP must catch). */
  cannedToolArguments?: string;
}

/** HTTPS with client certificates: the model routes answer only the workload `allowedClient` (the gateway). */
export interface ReferenceServerTls {
  /** PEM: this backend's certificate (+ intermediates) and key. */
  cert: Buffer;
  key: Buffer;
  /** PEM: the CA a client certificate must chain to; without one the handshake is refused. */
  ca: Buffer;
  /** The workload (certificate CN or `spiffe://airlock/<name>` URI SAN) allowed to call the model routes. */
  allowedClient: string;
}

/**
 * The options object is read on every request (not copied), so a test or a demo can change latency or
 * inject failures on a running server.
 */
export interface ReferenceServer extends Server {
  readonly options: ReferenceServerOptions;
  readonly index: ReferenceIndex;
  /** Model requests answered so far (chat, completions, embeddings, Tabby, RAG). */
  requests: number;
  /** The last model request's body as received: what actually reached the backend. */
  lastBody?: Record<string, unknown>;
}

const sleep = (ms: number) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());

/** The injected latency, cut short when the caller goes away (no timer outlives its request). */
function delay(ms: number, res: ServerResponse): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    res.once('close', done);
    function done() {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    }
  });
}

function chunkDelay(o: ReferenceServerOptions): number {
  return o.tokensPerSecond && o.tokensPerSecond > 0 ? 1000 / o.tokensPerSecond : 0;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'invalid_request_error', 'request body too large');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('not an object');
    return body as Record<string, unknown>;
  } catch {
    throw new HttpError(400, 'invalid_request_error', 'body must be a JSON object');
  }
}

function pickModel(body: Record<string, unknown>): string {
  const model = body.model;
  if (typeof model !== 'string' || !(MODELS as readonly string[]).includes(model)) {
    throw new HttpError(404, 'model_not_found', `unknown model: ${String(model)}`);
  }
  return model;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function usageOf(promptText: string, answer: string) {
  const prompt = countTokens(promptText);
  const completion = countTokens(answer);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** OpenAI SSE framing: `data: {json}\n\n` per chunk, then `data: [DONE]\n\n`. */
async function sendStream(res: ServerResponse, chunks: unknown[], o: ReferenceServerOptions): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  let sent = 0;
  for (const chunk of chunks) {
    if (res.destroyed) return;
    if (o.cutAfterChunks && sent >= o.cutAfterChunks) {
      // A crashed model server: the connection drops with no terminating event.
      res.socket?.destroy();
      return;
    }
    // Waiting for each write to be flushed keeps a slow reader from growing the buffer, and makes an
    // injected cut happen after exactly the chunks the client can receive.
    await new Promise<void>((resolve) => res.write(`data: ${JSON.stringify(chunk)}\n\n`, () => resolve()));
    sent += 1;
    await sleep(chunkDelay(o));
  }
  res.end('data: [DONE]\n\n');
}

/** Chat messages as OpenAI sends them: a role, and string content (null on an assistant turn that calls tools). */
function chatMessages(body: Record<string, unknown>): ChatMessage[] {
  const ok = (m: Record<string, unknown> | null) =>
    typeof m?.role === 'string' && (typeof m.content === 'string' || (m.role === 'assistant' && m.content == null && Array.isArray(m.tool_calls)));
  if (!Array.isArray(body.messages) || !body.messages.every(ok)) {
    throw new HttpError(400, 'invalid_request_error', 'messages must be an array of {role, content} with string content (or an assistant tool call)');
  }
  return body.messages as ChatMessage[];
}

async function chatCompletions(body: Record<string, unknown>, res: ServerResponse, o: ReferenceServerOptions): Promise<void> {
  const model = pickModel(body);
  const messages = chatMessages(body);
  const tool = toolToCall(messages, body.tools);
  const call: ToolCall | undefined = tool
    ? { id: `call_${randomUUID().replaceAll('-', '').slice(0, 24)}`, type: 'function', function: { name: tool.name, arguments: o.cannedToolArguments ?? tool.arguments } }
    : undefined;
  const content = call ? '' : (o.cannedAnswer ?? textEditAnswer(messages, body.tools) ?? answerChat(model, messages));
  const finish = call ? 'tool_calls' : 'stop';
  const usage = usageOf(messages.map((m) => m.content ?? '').join(' '), call ? call.function.arguments : content);
  const id = `chatcmpl-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  if (body.stream === true) {
    const base = { id, object: 'chat.completion.chunk', created, model };
    const delta = (d: Record<string, unknown>, finishReason: string | null = null) => ({ ...base, choices: [{ index: 0, delta: d, finish_reason: finishReason }] });
    const chunks: unknown[] = [delta({ role: 'assistant', content: call ? null : '' })];
    if (call) {
      // As vLLM streams a call: id and name first, then the arguments in pieces.
      chunks.push(delta({ tool_calls: [{ index: 0, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] }));
      for (const piece of call.function.arguments.match(/.{1,8}/gs) ?? []) chunks.push(delta({ tool_calls: [{ index: 0, function: { arguments: piece } }] }));
    }
    for (const piece of streamChunks(content)) chunks.push(delta({ content: piece }));
    chunks.push(delta({}, finish));
    const options = body.stream_options as { include_usage?: boolean } | undefined;
    if (options?.include_usage) chunks.push({ ...base, choices: [], usage });
    return sendStream(res, chunks, o);
  }
  const message = call ? { role: 'assistant', content: null, tool_calls: [call] } : { role: 'assistant', content };
  sendJson(res, 200, { id, object: 'chat.completion', created, model, choices: [{ index: 0, message, finish_reason: finish }], usage });
}

/** OpenAI embeddings: one hash vector per input text (see hashVector), floats or base64 float32 as asked. */
function embeddings(body: Record<string, unknown>, res: ServerResponse): void {
  const model = pickModel(body);
  const input = typeof body.input === 'string' ? [body.input] : body.input;
  if (!Array.isArray(input) || input.length === 0 || input.some((t) => typeof t !== 'string')) {
    throw new HttpError(400, 'invalid_request_error', 'input must be a string or a non-empty array of strings');
  }
  const dims = typeof body.dimensions === 'number' && body.dimensions >= 1 ? Math.min(Math.floor(body.dimensions), 1024) : EMBEDDING_DIMENSIONS;
  const base64 = body.encoding_format === 'base64';
  const data = (input as string[]).map((text, index) => {
    const vector = hashVector(text, dims);
    // The OpenAI SDKs ask for base64 by default: little-endian float32, as the real API sends.
    const embedding = base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
    return { object: 'embedding', index, embedding };
  });
  const tokens = (input as string[]).reduce((n, t) => n + countTokens(t), 0);
  sendJson(res, 200, { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
}

async function completions(body: Record<string, unknown>, res: ServerResponse, o: ReferenceServerOptions): Promise<void> {
  const model = pickModel(body);
  if (typeof body.prompt !== 'string') throw new HttpError(400, 'invalid_request_error', 'prompt must be a string');
  const text = answerCompletion(body.prompt, typeof body.suffix === 'string' ? body.suffix : '');
  const usage = usageOf(body.prompt, text);
  const id = `cmpl-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  if (body.stream === true) {
    const base = { id, object: 'text_completion', created, model };
    const chunks: unknown[] = streamChunks(text).map((piece) => ({ ...base, choices: [{ index: 0, text: piece, finish_reason: null }] }));
    chunks.push({ ...base, choices: [{ index: 0, text: '', finish_reason: 'stop' }] });
    if ((body.stream_options as { include_usage?: boolean } | undefined)?.include_usage) chunks.push({ ...base, choices: [], usage });
    return sendStream(res, chunks, o);
  }
  sendJson(res, 200, { id, object: 'text_completion', created, model, choices: [{ index: 0, text, finish_reason: 'stop' }], usage });
}

/** Tabby's completion API: `{language, segments:{prefix, suffix}}` → `{id, choices:[{index, text}]}`. */
function tabbyCompletion(body: Record<string, unknown>, res: ServerResponse): void {
  const segments = body.segments as { prefix?: unknown; suffix?: unknown } | undefined;
  if (typeof segments?.prefix !== 'string') throw new HttpError(422, 'invalid_request_error', 'segments.prefix must be a string');
  const suffix = typeof segments.suffix === 'string' ? segments.suffix : '';
  sendJson(res, 200, { id: `cmpl-${randomUUID()}`, choices: [{ index: 0, text: answerCompletion(segments.prefix, suffix) }] });
}

function tabbyHealth(res: ServerResponse): void {
  sendJson(res, 200, {
    model: 'reference-code',
    chat_model: 'reference-chat',
    device: 'cpu',
    arch: process.arch,
    cpu_info: 'reference backend (not a model)',
    cpu_count: 1,
    cuda_devices: [],
    version: { build_date: '2026-01-01', build_timestamp: '2026-01-01T00:00:00Z', git_sha: '0000000', git_describe: TABBY_GIT_DESCRIBE },
  });
}

function ragIndex(body: Record<string, unknown>, res: ServerResponse, index: ReferenceIndex): void {
  const docs = body.documents;
  if (!Array.isArray(docs) || docs.some((d) => typeof d?.path !== 'string' || typeof d?.content !== 'string')) {
    throw new HttpError(400, 'invalid_request_error', 'documents must be an array of {path, content}');
  }
  sendJson(res, 200, { indexed: index.add(docs as { path: string; content: string }[]) });
}

function ragQuery(body: Record<string, unknown>, res: ServerResponse, index: ReferenceIndex): void {
  if (typeof body.query !== 'string') throw new HttpError(400, 'invalid_request_error', 'query must be a string');
  const topK = typeof body.top_k === 'number' && body.top_k > 0 ? Math.min(body.top_k, 50) : 5;
  sendJson(res, 200, { results: index.query(body.query, topK) });
}

const MODEL_ROUTES = new Set(['POST /v1/chat/completions', 'POST /v1/completions', 'POST /v1/embeddings', 'POST /v1/rag/index', 'POST /v1/rag/query']);

/** Whether a request may use the model routes: always over plain HTTP, only from `allowedClient` over mTLS. */
function clientAllowed(req: IncomingMessage, tls: ReferenceServerTls | undefined): boolean {
  if (!tls) return true;
  return workloadOf((req.socket as TLSSocket).getPeerCertificate()) === tls.allowedClient;
}

/**
 * Plain HTTP, or with `tls` HTTPS that refuses a handshake without a client certificate from `tls.ca` and answers
 * the model routes only to `tls.allowedClient` (403 to other holders of a certificate; `/health` stays open to them,
 * for readiness checks).
 */
export function createReferenceServer(options: ReferenceServerOptions = {}, tls?: ReferenceServerTls): ReferenceServer {
  const index = new ReferenceIndex();
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const route = `${req.method} ${(req.url ?? '').split('?')[0]}`;
    const handle = async () => {
      if (route !== 'GET /health' && !clientAllowed(req, tls)) throw new HttpError(403, 'permission_denied', 'this client may not call the model');
      if (MODEL_ROUTES.has(route)) {
        const body = await readJson(req);
        ref.requests += 1;
        ref.lastBody = body;
        await delay(options.latencyMs ?? 0, res);
        if (res.destroyed) return;
        if (options.failEvery && ref.requests % options.failEvery === 0) throw new HttpError(503, 'server_error', 'injected failure');
        switch (route) {
          case 'POST /v1/chat/completions':
            return chatCompletions(body, res, options);
          case 'POST /v1/completions':
            // Tabby and OpenAI share this path: Tabby's body has segments, OpenAI's a prompt.
            return body.segments !== undefined ? tabbyCompletion(body, res) : completions(body, res, options);
          case 'POST /v1/embeddings':
            return embeddings(body, res);
          case 'POST /v1/rag/index':
            return ragIndex(body, res, index);
          default:
            return ragQuery(body, res, index);
        }
      }
      switch (route) {
        case 'GET /health':
          return sendJson(res, 200, { status: 'ok' });
        case 'GET /v1/models':
          return sendJson(res, 200, { object: 'list', data: MODELS.map((id) => ({ id, object: 'model', owned_by: 'airlock-reference' })) });
        case 'GET /v1/health':
        case 'POST /v1/health':
          return tabbyHealth(res);
        case 'POST /v1/events':
          await readJson(req);
          res.writeHead(200).end();
          return;
        default:
          throw new HttpError(404, 'not_found', `no route ${route}`);
      }
    };
    handle().catch((error: unknown) => {
      const e = error instanceof HttpError ? error : new HttpError(500, 'server_error', 'internal error');
      if (!res.headersSent) sendJson(res, e.status, { error: { message: e.message, type: e.type, code: e.type } });
      else res.end();
    });
  };
  const server = tls
    ? createTlsServer({ cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: true, rejectUnauthorized: true }, handler)
    : createServer(handler);
  const ref: ReferenceServer = Object.assign(server, { options, index, requests: 0 });
  return ref;
}
