import { Inject, Injectable } from '@nestjs/common';
import { AppError, APP_CONFIG, APP_LOGGER, EdgeCaller, type ServiceConfig } from '@airlock/runtime';
import { currentCorrelationId, type Logger } from '@airlock/telemetry';
import type { Request, Response } from 'express';
import { DlpGuard, type DlpVerdict } from '../dlp/dlp-guard';
import type { OutputScan } from '../dlp/output-scan';
import { strongest } from '../dlp/verdicts';
import { type AgentChange, AiEvents, type AiRequestRecord, type Outcome, recordTimeToFirstToken } from '../events/ai-events';
import { BackendStreamError, DlpBlockedError, DlpOutputBlockedError } from '../gateway.errors';
import { callerFromEdge, resolveRoute } from '../identity/trusted-identity';
import { type ReplySource, ModelRouter } from '../routing/model-router';
import type { RequestType, gatewayConfig } from '../service';
import { GenAiSpan, type GenAiOperation } from '../telemetry/genai-span';
import { type BackendClient, UpstreamError, type UpstreamRequest } from '../upstream/backend-client';
import { type StreamChunk, estimateTokens, parseStreamChunk } from './stream-chunks';

export interface Tokens {
  prompt: number;
  completion: number;
}

export interface ReplyContext {
  correlationId: string;
  /** The model name the client sees (its alias, or the policy route's model). */
  clientModel: string;
  dlpAction: DlpVerdict;
  source: ReplySource;
}

export interface JsonRendering {
  body: unknown;
  tokens: Tokens;
  /** The answer text (hashed for agent audit events; never stored). */
  text?: string;
  /** The body with the answer text replaced by its DLP-scanned form; absent: the answer is not model text. */
  withText?: (text: string) => unknown;
}

export interface StreamSummary extends ReplyContext {
  tokens: Tokens;
  finishReason: string;
  /** The backend's usage chunk arrived (otherwise tokens are counted from what was sent). */
  usageReported: boolean;
}

/** How one surface (OpenAI, seed, Tabby) frames a streamed answer. */
export interface StreamRenderer {
  /** Frames for one backend chunk, with its text after output filtering; '' to send nothing. */
  chunk(chunk: StreamChunk, text: string, ctx: ReplyContext): string;
  end(summary: StreamSummary): string;
  /** The error event that ends a failed stream. */
  error(error: AppError, correlationId: string): string;
}

/** What the controller knows before the body is parsed (a malformed body is still audited). */
export interface ExchangeKind {
  endpoint: string;
  requestType: RequestType;
}

export interface ExchangeSpec {
  operation: GenAiOperation;
  /** The client's `model`, mapped through the policy's aliases; absent: the policy's route. */
  requestedModel?: string;
  /** Prompt texts for the DLP inbound scan, in an order `build` understands. */
  texts: string[];
  stream: boolean;
  /** Same request, same answer (temperature 0, autocomplete): cached for degradation. */
  repeatable: boolean;
  retrySafe: boolean;
  params?: { maxTokens?: number; temperature?: number };
  build(backend: BackendClient, model: string, texts: string[]): UpstreamRequest;
  renderJson(body: string, ctx: ReplyContext): JsonRendering;
  renderer?: StreamRenderer;
  /** Agent requests: audited change metadata; the diff hash is computed from the answer. */
  agent?: Omit<AgentChange, 'diffHash'>;
  /** Answer text → diff hash for agent audit events. */
  hash?: (text: string) => string;
}

/** A failure after the stream started: the status the audit records (the client already has 200). */
class StreamFailure extends Error {
  constructor(
    readonly status: number,
    readonly outcome: Outcome,
  ) {
    super('stream ended with an error');
  }
}

const CANCELLED_STATUS = 499;

/**
 * A 200 JSON answer written straight to the socket: what express's `res.json` sends (status, content type,
 * length, body) without its per-response work that an API answer to a POST has no use for (an ETag hashed
 * over the body, the freshness check, content negotiation of the charset).
 */
function sendJson(res: Response, body: unknown): void {
  // `undefined` serialises to nothing, as with res.json.
  const payload = Buffer.from((JSON.stringify(body) as string | undefined) ?? '');
  res.statusCode = 200;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', payload.length);
  res.end(payload);
}

/**
 * One AI request, whatever the surface: edge identity → policy route (client model through aliases) →
 * DLP on the prompt → fail-closed audit if policy asks → the router (bulkhead, breaker, retries, cache,
 * alternative, ai_disabled) → the surface's framing → audit + usage for every outcome, metrics, GenAI span.
 */
@Injectable()
export class AiExchange {
  constructor(
    private readonly dlp: DlpGuard,
    private readonly router: ModelRouter,
    private readonly events: AiEvents,
    private readonly edge: EdgeCaller,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof gatewayConfig>,
  ) {}

  async run(req: Request, res: Response, kind: ExchangeKind, parse: () => ExchangeSpec): Promise<void> {
    const started = performance.now();
    const correlationId = currentCorrelationId() ?? '';
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort(new Error('client closed the connection'));
    });
    const record: AiRequestRecord = {
      caller: undefined,
      correlationId,
      endpoint: kind.endpoint,
      action: kind.requestType,
      statusCode: 200,
      latencyMs: 0,
      promptTokens: 0,
      completionTokens: 0,
      dlpAction: 'none',
      outcome: 'success',
    };
    let span: GenAiSpan | undefined;
    let recorded = false;
    const finish = (errorType?: string) => {
      record.latencyMs = Math.round(performance.now() - started);
      span?.end({ inputTokens: record.promptTokens, outputTokens: record.completionTokens, responseModel: record.servedBy?.model, errorType, source: record.source });
    };
    try {
      const caller = await callerFromEdge(req, this.edge, this.config.GATEWAY_TRUST_ALIAS_HEADER);
      record.caller = caller;
      const spec = parse();
      const route = resolveRoute(caller, kind.endpoint, spec.requestedModel);
      const guarded = await this.dlp.scanInbound(spec.texts, caller.policyVersion);
      record.dlpAction = guarded.verdict;
      const ctx: ReplyContext = { correlationId, clientModel: spec.requestedModel || route.model, dlpAction: guarded.verdict, source: 'backend' };
      if (caller.auditFailClosed && spec.stream) await this.events.accepted(record);

      const reply = await this.router.call({
        requestType: kind.requestType,
        route,
        stream: spec.stream,
        retrySafe: spec.retrySafe,
        signal: abort.signal,
        cacheScope: spec.repeatable ? caller.tenantId : undefined,
        build: (client, model) => {
          span ??= new GenAiSpan({
            operation: spec.operation,
            provider: client.config.protocol,
            model,
            serverAddress: client.host,
            serverPort: client.port,
            stream: spec.stream,
            maxTokens: spec.params?.maxTokens,
            temperature: spec.params?.temperature,
          });
          return { ...spec.build(client, model, guarded.texts), trace: span.traceHeaders() };
        },
      });
      record.servedBy = reply.served;
      record.source = reply.source;
      ctx.source = reply.source;

      if (reply.json !== undefined) {
        const out = spec.renderJson(reply.json, ctx);
        let body = out.body;
        if (out.withText) {
          // The answer is scanned like a stream's: masked, pseudonyms restored, or blocked.
          try {
            const safe = await this.dlp.scanAnswer(out.text ?? '', caller.policyVersion, guarded.pseudonyms);
            ctx.dlpAction = strongest(guarded.verdict, safe.verdict);
            record.dlpAction = ctx.dlpAction;
            body = out.withText(safe.text);
          } catch (error) {
            if (error instanceof DlpOutputBlockedError) record.dlpAction = 'block';
            throw error;
          }
        }
        record.promptTokens = out.tokens.prompt;
        record.completionTokens = out.tokens.completion;
        if (spec.agent) record.agent = { ...spec.agent, diffHash: spec.hash?.(out.text ?? '') ?? '' };
        if (caller.auditFailClosed) {
          finish();
          recorded = true;
          // The answer is withheld unless its audit event is durable (AuditUnavailableError otherwise).
          await this.events.record(record, { durable: true });
        }
        sendJson(res, body);
        return;
      }
      const scan = spec.renderer && (spec.operation === 'chat' || spec.operation === 'text_completion') ? this.dlp.scanOutput(caller.policyVersion, guarded.pseudonyms) : undefined;
      try {
        await this.pipe(res, reply.events!, kind, spec, ctx, record, guarded.texts, started, scan, (ms) => span?.firstToken(ms));
      } finally {
        scan?.close();
      }
    } catch (error) {
      if (error instanceof StreamFailure) {
        record.statusCode = error.status;
        record.outcome = error.outcome;
        return;
      }
      const cancelled = error instanceof UpstreamError && error.kind === 'aborted';
      record.statusCode = cancelled ? CANCELLED_STATUS : error instanceof AppError ? error.httpStatus : 500;
      record.outcome = cancelled ? 'cancelled' : record.statusCode < 500 ? 'denied' : 'error';
      if (error instanceof DlpBlockedError) record.dlpAction = 'block';
      if (!cancelled) throw error;
    } finally {
      if (!recorded) {
        finish(record.outcome === 'success' ? undefined : String(record.statusCode));
        void this.events.record(record);
      }
    }
  }

  /** Streams the backend's chunks to the client in the surface's framing; failures become an error event. */
  private async pipe(
    res: Response,
    events: AsyncGenerator<{ data: string }>,
    kind: ExchangeKind,
    spec: ExchangeSpec,
    ctx: ReplyContext,
    record: AiRequestRecord,
    promptTexts: string[],
    started: number,
    scan: OutputScan | undefined,
    onFirstToken: (ms: number) => void,
  ): Promise<void> {
    const renderer = spec.renderer!;
    res.status(200);
    res.setHeader('content-type', 'text/event-stream; charset=utf-8');
    res.setHeader('cache-control', 'no-cache, no-transform');
    // Proxies that buffer (nginx) must pass each event at once.
    res.setHeader('x-accel-buffering', 'no');
    res.flushHeaders();
    const write = (frame: string) => (frame && !res.writableEnded ? res.write(frame) : true);

    let sent = 0;
    let firstToken = false;
    let usage: Tokens | undefined;
    let finishReason = '';
    let done = false;
    let text = '';
    let lastText: StreamChunk | undefined;
    const inbound = ctx.dlpAction;
    const emit = (frame: string, safe: string) => {
      if (res.destroyed) throw new UpstreamError('aborted', record.servedBy?.backend ?? '', 'the client went away');
      if (safe && !firstToken) {
        firstToken = true;
        const ms = performance.now() - started;
        recordTimeToFirstToken(kind.requestType, ms);
        onFirstToken(ms);
      }
      return write(frame);
    };
    try {
      for await (const event of events) {
        if (event.data === '[DONE]') {
          done = true;
          continue;
        }
        const chunk = parseStreamChunk(event.data);
        if (chunk.error) throw new BackendStreamError(record.servedBy?.backend ?? '', chunk.error);
        if (chunk.usage) usage = { prompt: chunk.usage.prompt_tokens ?? 0, completion: chunk.usage.completion_tokens ?? 0 };
        if (chunk.text) {
          sent += 1;
          text += chunk.text;
          lastText = chunk;
        }
        let safe = chunk.text;
        if (scan) {
          safe = await scan.push(chunk.text);
          // The model is done: release what the scanner held back, in the chunk that ends the choice.
          if (chunk.finishReason) safe += await scan.end();
          ctx.dlpAction = strongest(inbound, scan.verdict);
        }
        if (chunk.finishReason) finishReason = chunk.finishReason;
        // A piece the scanner is still holding back: nothing to send for it yet.
        if (chunk.text && !safe && !chunk.finishReason) continue;
        // Backpressure: a slow client slows the read from the backend instead of growing a buffer.
        if (!emit(renderer.chunk(chunk, safe, ctx), safe)) await new Promise((r) => (res.destroyed ? r(undefined) : res.once('drain', r).once('close', r)));
      }
      if (!done) throw new UpstreamError('reset', record.servedBy?.backend ?? '', 'stream ended without [DONE]');
      const rest = scan ? await scan.end() : '';
      if (rest && lastText) emit(renderer.chunk(lastText, rest, ctx), rest);
      record.dlpAction = ctx.dlpAction;
      const tokens = usage ?? { prompt: estimateTokens(promptTexts.join(' ')), completion: sent };
      record.promptTokens = tokens.prompt;
      record.completionTokens = tokens.completion;
      if (spec.agent) record.agent = { ...spec.agent, diffHash: spec.hash?.(text) ?? '' };
      res.end(renderer.end({ ...ctx, tokens, finishReason: finishReason || 'stop', usageReported: usage !== undefined }));
    } catch (error) {
      // What was sent is what is billed: the prompt estimated, one token per streamed chunk.
      record.promptTokens = usage?.prompt ?? estimateTokens(promptTexts.join(' '));
      record.completionTokens = sent;
      record.dlpAction = error instanceof DlpOutputBlockedError ? 'block' : ctx.dlpAction;
      if (spec.agent) record.agent = { ...spec.agent, diffHash: spec.hash?.(text) ?? '' };
      if (error instanceof UpstreamError && error.kind === 'aborted') throw new StreamFailure(CANCELLED_STATUS, 'cancelled');
      const failure =
        error instanceof AppError ? error : new BackendStreamError(record.servedBy?.backend ?? '', error instanceof UpstreamError ? error.kind : 'internal error');
      if (!(error instanceof AppError || error instanceof UpstreamError)) this.logger.error({ err: error }, 'stream failed');
      if (!res.writableEnded && !res.destroyed) res.end(renderer.error(failure, ctx.correlationId));
      throw new StreamFailure(failure.httpStatus, failure.httpStatus < 500 ? 'denied' : 'error');
    }
  }
}
