import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { MODELS, type ChatMessage, answerChat, answerCompletion, countTokens, streamChunks } from './model';

const MAX_BODY = 4 * 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'invalid_request_error', 'request body too large');
    chunks.push(chunk as Buffer);
  }
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

/** OpenAI SSE framing: `data: {json}\n\n` per chunk, then `data: [DONE]\n\n`. */
async function sendStream(res: ServerResponse, chunks: unknown[], delayMs: number): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  for (const chunk of chunks) {
    res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
  }
  res.end('data: [DONE]\n\n');
}

async function chatCompletions(req: IncomingMessage, res: ServerResponse, delayMs: number): Promise<void> {
  const body = await readJson(req);
  const model = pickModel(body);
  if (!Array.isArray(body.messages) || body.messages.some((m) => typeof m?.content !== 'string' || typeof m?.role !== 'string')) {
    throw new HttpError(400, 'invalid_request_error', 'messages must be an array of {role, content} with string content');
  }
  const messages = body.messages as ChatMessage[];
  const content = answerChat(model, messages);
  const usage = {
    prompt_tokens: messages.reduce((n, m) => n + countTokens(m.content), 0),
    completion_tokens: countTokens(content),
    total_tokens: 0,
  };
  usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
  const id = `chatcmpl-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  if (body.stream === true) {
    const base = { id, object: 'chat.completion.chunk', created, model };
    const chunks: unknown[] = [{ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }];
    for (const piece of streamChunks(content)) chunks.push({ ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] });
    chunks.push({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
    const options = body.stream_options as { include_usage?: boolean } | undefined;
    if (options?.include_usage) chunks.push({ ...base, choices: [], usage });
    return sendStream(res, chunks, delayMs);
  }
  sendJson(res, 200, {
    id,
    object: 'chat.completion',
    created,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage,
  });
}

async function completions(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJson(req);
  const model = pickModel(body);
  if (typeof body.prompt !== 'string') throw new HttpError(400, 'invalid_request_error', 'prompt must be a string');
  const text = answerCompletion(body.prompt, typeof body.suffix === 'string' ? body.suffix : '');
  sendJson(res, 200, {
    id: `cmpl-${randomUUID()}`,
    object: 'text_completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, text, finish_reason: 'stop' }],
    usage: { prompt_tokens: countTokens(body.prompt), completion_tokens: countTokens(text), total_tokens: countTokens(body.prompt) + countTokens(text) },
  });
}

export interface ReferenceServerOptions {
  /** Pause between streamed chunks, to make streaming observable in tests and demos. */
  streamDelayMs?: number;
}

export function createReferenceServer(options: ReferenceServerOptions = {}): Server {
  const delayMs = options.streamDelayMs ?? 0;
  return createServer((req, res) => {
    const route = `${req.method} ${(req.url ?? '').split('?')[0]}`;
    const handle = async () => {
      switch (route) {
        case 'GET /health':
          return sendJson(res, 200, { status: 'ok' });
        case 'GET /v1/models':
          return sendJson(res, 200, { object: 'list', data: MODELS.map((id) => ({ id, object: 'model', owned_by: 'airlock-reference' })) });
        case 'POST /v1/chat/completions':
          return chatCompletions(req, res, delayMs);
        case 'POST /v1/completions':
          return completions(req, res);
        default:
          throw new HttpError(404, 'not_found', `no route ${route}`);
      }
    };
    handle().catch((error: unknown) => {
      const e = error instanceof HttpError ? error : new HttpError(500, 'server_error', 'internal error');
      if (!res.headersSent) sendJson(res, e.status, { error: { message: e.message, type: e.type, code: e.type } });
      else res.end();
    });
  });
}
