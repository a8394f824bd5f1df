import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import type { AirlockSettings } from './settings';

/**
 * A failed call, named by the gateway's error envelope code (`dlp_blocked`, `rate_limited`, ...) or, when the
 * gateway never answered with one, by a code of this extension (`gateway_unreachable`, `tls_untrusted`,
 * `token_unavailable`, `timeout`, `cancelled`, ...). Messages never carry the token or prompt text.
 */
export class GatewayError extends Error {
  readonly code: string;
  readonly status: number;
  readonly retryable: boolean;
  readonly correlationId: string;

  constructor(code: string, message: string, status = 0, retryable = false, correlationId = '') {
    super(message);
    this.name = 'GatewayError';
    this.code = code;
    this.status = status;
    this.retryable = retryable;
    this.correlationId = correlationId;
  }
}

export interface GatewayRequest {
  url: URL;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export interface AutocompleteInput {
  prefix: string;
  suffix: string;
  language: string;
  maxTokens?: number;
}

export const AUTOCOMPLETE_PATH = '/v1/autocomplete';
export const CHAT_PATH = '/v1/chat';
const MAX_RESPONSE_BYTES = 1024 * 1024;
const TOKEN = /^[\x21-\x7e]+$/;

/** `POST /v1/autocomplete` body (gateway README, seed endpoints): deterministic, short, FIM suffix when there is one. */
export function autocompletePayload(input: AutocompleteInput): Record<string, unknown> {
  const body: Record<string, unknown> = { prefix: input.prefix, language: input.language, max_tokens: input.maxTokens ?? 64, temperature: 0 };
  if (input.suffix) body.suffix = input.suffix;
  return body;
}

/** `POST /v1/chat` body (JSON answer, not a stream): a question about a piece of code. */
export function chatPayload(question: string, selection: string, language: string): Record<string, unknown> {
  return {
    messages: [
      { role: 'system', content: 'You are a coding assistant inside the developer\'s editor. Answer concisely; use Markdown.' },
      { role: 'user', content: `${question.trim()}\n\n\`\`\`${language}\n${selection}\n\`\`\`` },
    ],
    stream: false,
  };
}

/**
 * The HTTP request for one call. The workspace headers are the ones the other rendered clients send; the
 * edge takes the caller from the token, so they label the request and grant nothing.
 */
export function buildRequest(settings: AirlockSettings, token: string, path: string, payload: unknown, options: { correlationId: string; userAgent: string; timeoutMs: number }): GatewayRequest {
  if (!TOKEN.test(token)) throw new GatewayError('token_unavailable', 'the gateway token file does not hold a token');
  const url = new URL(`${settings.gatewayUrl.replace(/\/+$/, '')}${path}`);
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    accept: 'application/json',
    'user-agent': options.userAgent,
    'x-correlation-id': options.correlationId,
  };
  if (settings.workspaceId) headers['x-workspace-id'] = settings.workspaceId;
  if (settings.projectId) headers['x-project-id'] = settings.projectId;
  if (settings.tenantId) headers['x-tenant-id'] = settings.tenantId;
  return { url, headers, body: JSON.stringify(payload), timeoutMs: options.timeoutMs };
}

const STATUS_CODES: Record<number, [string, boolean]> = {
  400: ['invalid_request', false],
  401: ['unauthenticated', false],
  403: ['forbidden', false],
  404: ['not_found', false],
  408: ['timeout', true],
  413: ['too_large', false],
  429: ['rate_limited', true],
  502: ['gateway_unavailable', true],
  503: ['gateway_unavailable', true],
  504: ['timeout', true],
};

/** A non-2xx answer: the platform envelope `{error:{code,message,correlation_id,retryable}}`, else by status. */
export function errorFromResponse(status: number, body: string, correlationId: string): GatewayError {
  let envelope: { code?: unknown; message?: unknown; correlation_id?: unknown; retryable?: unknown } | undefined;
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (parsed && typeof parsed.error === 'object' && parsed.error !== null) envelope = parsed.error as typeof envelope;
  } catch {
    envelope = undefined;
  }
  const [fallbackCode, fallbackRetryable] = STATUS_CODES[status] ?? [status >= 500 ? 'gateway_unavailable' : `http_${status}`, status >= 500];
  const code = typeof envelope?.code === 'string' && /^[a-z0-9_.-]{1,64}$/.test(envelope.code) ? envelope.code : fallbackCode;
  const message = typeof envelope?.message === 'string' ? envelope.message.slice(0, 300) : `the gateway answered HTTP ${status}`;
  const retryable = typeof envelope?.retryable === 'boolean' ? envelope.retryable : fallbackRetryable;
  const id = typeof envelope?.correlation_id === 'string' ? envelope.correlation_id : correlationId;
  return new GatewayError(code, message, status, retryable, id);
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ETIMEDOUT']);

/** A request that got no HTTP answer. */
export function errorFromTransport(error: unknown, correlationId: string): GatewayError {
  if (error instanceof GatewayError) return error;
  const e = error as NodeJS.ErrnoException;
  const code = e?.code ?? '';
  if (e?.name === 'AbortError' || code === 'ABORT_ERR') return new GatewayError('cancelled', 'cancelled', 0, true, correlationId);
  if (TLS_CODES.has(code)) return new GatewayError('tls_untrusted', `the gateway's TLS certificate is not trusted (${code}); set airlock.caFile`, 0, false, correlationId);
  if (NETWORK_CODES.has(code)) return new GatewayError('gateway_unreachable', `cannot reach the gateway (${code})`, 0, true, correlationId);
  return new GatewayError('gateway_unreachable', `request failed (${code || e?.name || 'error'})`, 0, true, correlationId);
}

/** `{id, model, text, usage, dlp_action, source}` → the completion text. */
export function parseAutocomplete(body: unknown, correlationId: string): { text: string } {
  const text = (body as { text?: unknown } | null)?.text;
  if (typeof text !== 'string') throw new GatewayError('bad_response', 'the autocomplete answer has no text', 200, true, correlationId);
  return { text };
}

/** `{id, model, message:{role, content}, ...}` → the answer text. */
export function parseChat(body: unknown, correlationId: string): { content: string; model: string } {
  const answer = body as { message?: { content?: unknown }; model?: unknown } | null;
  const content = answer?.message?.content;
  if (typeof content !== 'string') throw new GatewayError('bad_response', 'the chat answer has no message content', 200, true, correlationId);
  return { content, model: typeof answer?.model === 'string' ? answer.model : '' };
}

/** The token, read from its file on every call: the workspace service rotates it in place. */
export async function readToken(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    throw new GatewayError('token_unavailable', `cannot read the gateway token file (${(error as NodeJS.ErrnoException).code ?? 'error'})`, 0, true);
  }
}

async function trustedCas(caFile: string): Promise<string[] | undefined> {
  if (!caFile) return undefined;
  try {
    return [...rootCertificates, await readFile(caFile, 'utf8')];
  } catch (error) {
    throw new GatewayError('ca_unavailable', `cannot read airlock.caFile (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

export interface GatewayAnswer {
  status: number;
  body: string;
}

/** One POST; resolves with any HTTP answer (bounded), rejects only without one. */
export function send(request: GatewayRequest, ca: string[] | undefined, signal?: AbortSignal): Promise<GatewayAnswer> {
  return new Promise((resolve, reject) => {
    const options = { method: 'POST', headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) }, signal, timeout: request.timeoutMs };
    const onResponse = (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) {
          res.destroy();
          reject(new GatewayError('bad_response', 'the gateway answer is too large', res.statusCode ?? 0, false));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    };
    const req = request.url.protocol === 'https:' ? httpsRequest(request.url, { ...options, ca }, onResponse) : httpRequest(request.url, options, onResponse);
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(request.body);
  });
}

export interface CallOutcome<T> {
  value: T;
  correlationId: string;
}

/** The extension's calls to the gateway; settings are read at each call, so a settings change applies at once. */
export class GatewayClient {
  constructor(
    private readonly settings: () => AirlockSettings,
    private readonly userAgent: string,
  ) {}

  async autocomplete(input: AutocompleteInput, signal?: AbortSignal): Promise<CallOutcome<{ text: string }>> {
    return this.call(AUTOCOMPLETE_PATH, autocompletePayload(input), 5_000, signal, parseAutocomplete);
  }

  async chat(question: string, selection: string, language: string, signal?: AbortSignal): Promise<CallOutcome<{ content: string; model: string }>> {
    return this.call(CHAT_PATH, chatPayload(question, selection, language), 120_000, signal, parseChat);
  }

  private async call<T>(path: string, payload: unknown, timeoutMs: number, signal: AbortSignal | undefined, parse: (body: unknown, correlationId: string) => T): Promise<CallOutcome<T>> {
    const settings = this.settings();
    const correlationId = randomUUID();
    let answer: GatewayAnswer;
    try {
      const token = await readToken(settings.tokenFile);
      const request = buildRequest(settings, token, path, payload, { correlationId, userAgent: this.userAgent, timeoutMs });
      answer = await send(request, await trustedCas(settings.caFile), signal);
    } catch (error) {
      throw errorFromTransport(error, correlationId);
    }
    if (answer.status < 200 || answer.status > 299) throw errorFromResponse(answer.status, answer.body, correlationId);
    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      throw new GatewayError('bad_response', 'the gateway answer is not JSON', answer.status, true, correlationId);
    }
    return { value: parse(body, correlationId), correlationId };
  }
}
