import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { APP_CONFIG, APP_LOGGER, EdgeCaller } from '@airlock/runtime';
import { currentCorrelationId, type Logger } from '@airlock/telemetry';
import type { GatewayConfig } from '../config';
import { DlpGuard, type GuardedTexts } from '../dlp/dlp-guard';
import { type DlpVerdict, strongest } from '../dlp/verdicts';
import { PromptTooLargeError } from '../gateway.errors';
import { type RepoRef, agentChangeOf, repoFromHeaders } from '../agent-changes/agent-change';
import { AiEvents, type AiRequestRecord, recordTimeToFirstToken } from '../events/ai-events';
import { type CallerContext, type Route, callerFromEdge } from '../identity/trusted-identity';
import type { CodeContext, RetrievalRequest } from '../rag-context/code-context';
import { retrieveCodeContext } from '../rag-context/retrieve';
import { ModelRouter, type RoutedReply, type StreamedReply } from '../routing/model-router';
import { resolveRoute } from '../routing/resolve-route';
import { GenAiSpan } from '../telemetry/genai-span';
import { type AnswerScan, AnswerStream, type StreamedAnswer } from './answer-stream';
import { ANSWERED, type Ending, endingOf } from './ending';
import type { ExchangeKind, ExchangeSpec, ReplyContext, StreamRenderer, Tokens } from './exchange-spec';
import { type ToolCall, scanToolCalls } from './tool-calls';

// What the exchange needs of its neighbours: narrow, so that a unit test can stand in for each.
export type ExchangeDlp = Pick<DlpGuard, 'scanInbound' | 'scanAnswer'> & {
  scanOutput(policyVersion: string, pseudonyms: airlock.dlp.v1.Pseudonym[]): AnswerScan & { close(): void };
};
export type ExchangeRouter = Pick<ModelRouter, 'call'>;
export type ExchangeEvents = Pick<AiEvents, 'accepted' | 'record'>;

interface ExchangeDeps {
  dlp: ExchangeDlp;
  router: ExchangeRouter;
  events: ExchangeEvents;
  edge: EdgeCaller;
  logger: Logger;
  trustAliasHeader: boolean;
  /** GATEWAY_MAX_TEXT_CHARS. */
  maxTextChars: number;
  /** GATEWAY_CHAT_RAG_BACKEND. */
  chatRagBackend: string;
}

/** A whole answer, read, scanned and rendered for the client. */
interface JsonAnswered {
  body: unknown;
  tokens: Tokens;
  dlpAction: DlpVerdict;
  /** The model's text as the backend sent it (an agent's diff hash is taken from it). */
  text: string;
  /** The calls as the client received them (the file changes an agent makes are read from them). */
  toolCalls: ToolCall[];
}

/** What the steps of one request returned, as far as it got: its audit record is made from this. */
interface Progress {
  caller?: CallerContext;
  spec?: ExchangeSpec;
  /** The repository and branch the client names (x-airlock-repo, x-airlock-branch). */
  repo?: RepoRef;
  target?: Route;
  prompt?: GuardedTexts;
  reply?: RoutedReply;
  answer?: JsonAnswered | StreamedAnswer;
}

/**
 * A 200 JSON answer written straight to the socket: what express's `res.json` sends (status, content type,
 * length, body) without its per-response work that an API answer to a POST has no use for (an ETag hashed
 * over the body, the freshness check, content negotiation of the charset).
 */
function sendJson(res: ServerResponse, body: unknown): void {
  // `undefined` serialises to nothing, as with res.json.
  const payload = Buffer.from((JSON.stringify(body) as string | undefined) ?? '');
  res.statusCode = 200;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', payload.length);
  res.end(payload);
}

/**
 * One AI request, whatever the surface, in the order `run` reads: identify the caller from the edge's
 * assertion → parse the body → resolve the route (the client's model through policy's aliases) → scan the
 * prompt with DLP → make an accepted audit event durable if policy marks the path fail-closed → route to a
 * model (bulkhead, breaker, retries, cache, alternative, ai_disabled) → answer JSON or stream the answer →
 * audit: audit and usage events for every outcome, metrics, the GenAI span.
 */
class AiRequest {
  private readonly started = performance.now();
  private readonly correlationId = currentCorrelationId() ?? '';
  private readonly abort = new AbortController();
  /** The model call's span, opened when the first backend request is built. */
  private span?: GenAiSpan;

  constructor(
    private readonly deps: ExchangeDeps,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly kind: ExchangeKind,
  ) {
    res.on('close', () => {
      if (!res.writableFinished) this.abort.abort(new Error('client closed the connection'));
    });
  }

  async run(parse: () => ExchangeSpec): Promise<void> {
    const done: Progress = {};
    let ending = ANSWERED;
    let audited = false;
    try {
      const caller = (done.caller = await this.identify());
      const spec = (done.spec = parse());
      done.repo = repoFromHeaders(this.req.headers);
      const target = (done.target = resolveRoute(caller, this.kind.endpoint, spec.requestedModel));
      const prompt = (done.prompt = await this.scanPrompt(caller, spec));
      const context = spec.retrieval ? await this.retrieve(caller, spec.retrieval, prompt) : undefined;
      if (caller.auditFailClosed && spec.streamRenderer) await this.deps.events.accepted(this.auditRecord(done, ANSWERED, 0));
      const reply = (done.reply = await this.route(caller, spec, target, prompt, context));
      const ctx: ReplyContext = { correlationId: this.correlationId, clientModel: spec.requestedModel || target.model, dlpAction: prompt.verdict, source: reply.source };
      if (context) ctx.citations = context.citations;

      if (spec.streamRenderer && reply.events) {
        const streamed = (done.answer = await this.streamAnswer(caller, prompt, reply, spec.streamRenderer, ctx));
        ending = streamed.ending;
        return;
      }
      const answer = (done.answer = await this.answerJson(caller, spec, prompt, reply.json ?? '', ctx));
      if (caller.auditFailClosed) {
        audited = true;
        // The answer is withheld unless its audit event is durable (AuditUnavailableError otherwise).
        await this.audit(done, ending, { durable: true });
      }
      sendJson(this.res, answer.body);
    } catch (error) {
      ending = endingOf(error);
      // A client that went away gets no answer; anything else is answered with the error envelope.
      if (ending.outcome !== 'cancelled') throw error;
    } finally {
      if (!audited) void this.audit(done, ending);
    }
  }

  /** The caller only from the edge's signed assertion (401 without a valid one). */
  private identify(): Promise<CallerContext> {
    return callerFromEdge(this.req, this.deps.edge, this.deps.trustAliasHeader);
  }

  /**
   * Every prompt text through DLP before any backend sees it: masked, pseudonymised, or refused (422). A prompt
   * over GATEWAY_MAX_TEXT_CHARS is refused (413) without asking DLP.
   */
  private scanPrompt(caller: CallerContext, spec: ExchangeSpec): Promise<GuardedTexts> {
    const chars = spec.texts.reduce((sum, text) => sum + text.length, 0);
    if (chars > this.deps.maxTextChars) throw new PromptTooLargeError(chars, this.deps.maxTextChars);
    return this.deps.dlp.scanInbound(spec.texts, caller.policyVersion);
  }

  /**
   * Code context for a chat that opted in: the RAG service's chunks of the caller's projects for the question as
   * DLP left it. The chunks were DLP's output when they were indexed, so they are not scanned again here.
   */
  private retrieve(caller: CallerContext, retrieval: RetrievalRequest, prompt: GuardedTexts): Promise<CodeContext> {
    const question = prompt.texts[retrieval.question];
    return retrieveCodeContext(this.deps.router, { caller, backend: this.deps.chatRagBackend, question, topK: retrieval.topK, signal: this.abort.signal });
  }

  /** The prompt as DLP left it (with the code context, if any), to a model where the route points (or what degradation offers instead). */
  private route(caller: CallerContext, spec: ExchangeSpec, target: Route, prompt: GuardedTexts, context: CodeContext | undefined): Promise<RoutedReply> {
    const stream = spec.streamRenderer !== undefined;
    return this.deps.router.call({
      requestType: this.kind.requestType,
      route: target,
      stream,
      retrySafe: spec.retrySafe,
      signal: this.abort.signal,
      cacheScope: spec.repeatable ? caller.tenantId : undefined,
      build: (client, model) => {
        this.span ??= new GenAiSpan({
          operation: spec.operation,
          provider: client.config.protocol,
          model,
          serverAddress: client.host,
          serverPort: client.port,
          stream,
          maxTokens: spec.params?.maxTokens,
          temperature: spec.params?.temperature,
        });
        return { ...spec.build(client, model, prompt.texts, caller, context), trace: this.span.traceHeaders() };
      },
    });
  }

  /** A whole answer: its model text scanned like a stream's (masked, pseudonyms restored, or blocked), then rendered. */
  private async answerJson(caller: CallerContext, spec: ExchangeSpec, prompt: GuardedTexts, body: string, ctx: ReplyContext): Promise<JsonAnswered> {
    const answer = spec.readJson(body);
    const scan = (text: string) => this.deps.dlp.scanAnswer(text, caller.policyVersion, prompt.pseudonyms);
    const scanned = answer.text === undefined ? undefined : await scan(answer.text);
    const { calls, verdict } = await scanToolCalls(answer.toolCalls ?? [], scan);
    const dlpAction = strongest(scanned ? strongest(prompt.verdict, scanned.verdict) : prompt.verdict, verdict);
    return { body: answer.render({ ...ctx, dlpAction }, scanned?.text ?? '', calls), tokens: answer.tokens, dlpAction, text: answer.text ?? '', toolCalls: calls };
  }

  /** The backend's stream to the client through the DLP output scan (see AnswerStream). */
  private async streamAnswer(caller: CallerContext, prompt: GuardedTexts, reply: StreamedReply, renderer: StreamRenderer, ctx: ReplyContext): Promise<StreamedAnswer> {
    const scan = this.deps.dlp.scanOutput(caller.policyVersion, prompt.pseudonyms);
    try {
      const stream = new AnswerStream({
        res: this.res,
        renderer,
        ctx,
        backend: reply.served.backend,
        promptTexts: prompt.texts,
        scan,
        scanArguments: (text) => this.deps.dlp.scanAnswer(text, caller.policyVersion, prompt.pseudonyms),
        logger: this.deps.logger,
        onFirstToken: () => {
          const ms = performance.now() - this.started;
          recordTimeToFirstToken(this.kind.requestType, ms);
          this.span?.firstToken(ms);
        },
      });
      return await stream.relay(reply.events);
    } finally {
      scan.close();
    }
  }

  /** Audit and usage events, metrics and the span's end, for every request whatever its ending. */
  private audit(done: Progress, ending: Ending, options?: { durable: boolean }): Promise<void> {
    const record = this.auditRecord(done, ending, Math.round(performance.now() - this.started));
    this.span?.end({
      inputTokens: record.promptTokens,
      outputTokens: record.completionTokens,
      responseModel: done.reply?.served.model,
      errorType: ending.outcome === 'success' ? undefined : String(ending.statusCode),
      source: record.source,
    });
    return this.deps.events.record(record, options);
  }

  private auditRecord(done: Progress, ending: Ending, latencyMs: number): AiRequestRecord {
    const { caller, spec, answer, reply } = done;
    return {
      caller,
      correlationId: this.correlationId,
      endpoint: this.kind.endpoint,
      action: this.kind.requestType,
      statusCode: ending.statusCode,
      outcome: ending.outcome,
      latencyMs,
      promptTokens: answer?.tokens.prompt ?? 0,
      completionTokens: answer?.tokens.completion ?? 0,
      dlpAction: ending.dlpBlocked ? 'block' : (answer?.dlpAction ?? done.prompt?.verdict ?? 'none'),
      route: reply?.served ?? done.target ?? caller?.policyRoute,
      source: reply?.source,
      agent: answer ? agentChangeOf(answer, done.repo ?? { repoId: '', branch: '' }, spec?.agent) : undefined,
    };
  }
}

/** Runs every AI request of every surface (see AiRequest for the steps). */
@Injectable()
export class AiExchange {
  private readonly deps: ExchangeDeps;

  constructor(
    @Inject(DlpGuard) dlp: ExchangeDlp,
    @Inject(ModelRouter) router: ExchangeRouter,
    @Inject(AiEvents) events: ExchangeEvents,
    edge: EdgeCaller,
    @Inject(APP_LOGGER) logger: Logger,
    @Inject(APP_CONFIG) config: Pick<GatewayConfig, 'GATEWAY_TRUST_ALIAS_HEADER' | 'GATEWAY_MAX_TEXT_CHARS' | 'GATEWAY_CHAT_RAG_BACKEND'>,
  ) {
    this.deps = {
      dlp,
      router,
      events,
      edge,
      logger,
      trustAliasHeader: config.GATEWAY_TRUST_ALIAS_HEADER,
      maxTextChars: config.GATEWAY_MAX_TEXT_CHARS,
      chatRagBackend: config.GATEWAY_CHAT_RAG_BACKEND,
    };
  }

  run(req: IncomingMessage, res: ServerResponse, kind: ExchangeKind, parse: () => ExchangeSpec): Promise<void> {
    return new AiRequest(this.deps, req, res, kind).run(parse);
  }
}
