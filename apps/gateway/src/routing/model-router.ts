import { Inject, Injectable } from '@nestjs/common';
import { APP_LOGGER } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import { AiDisabledError, BackendRejectedError, BusyError } from '../gateway.errors';
import type { Route } from '../identity/trusted-identity';
import type { RequestType } from '../config';
import { type BackendClient, UpstreamError, type UpstreamRequest } from '../upstream/backend-client';
import { BulkheadFullError } from '../upstream/bulkhead';
import type { SseEvent } from '../upstream/sse';
import { BackendPool, type Backend } from './backend-pool';
import { type CachedReply, ResponseCache } from './response-cache';

export type ReplySource = 'backend' | 'fallback' | 'cache';

export interface CallPlan {
  requestType: RequestType;
  route: Route;
  /** The request for a backend of the route's protocol (the alternative backend speaks the same one). */
  build(backend: BackendClient, model: string): UpstreamRequest;
  stream: boolean;
  /** A repeat has no side effect the user would notice (model calls, not indexing). */
  retrySafe: boolean;
  /** Set (to the tenant) for repeatable requests: answers are cached and replayed when the backend fails. */
  cacheScope?: string;
  signal: AbortSignal;
}

interface ReplyOrigin {
  source: ReplySource;
  /** Backend and model that answered (the route's, or the alternative's). */
  served: Route;
  protocol: string;
}

/** The whole body of a non-streamed answer, or the backend's SSE events (ending with UpstreamError if it fails mid-stream). */
export type RoutedReply = ReplyOrigin & ({ json: string; events?: undefined } | { json?: undefined; events: AsyncGenerator<SseEvent> });
export type StreamedReply = Extract<RoutedReply, { events: AsyncGenerator<SseEvent> }>;

const BACKOFF_MS = 25;

/**
 * Sends a model request where policy routed it, isolated so one request type or backend cannot starve the
 * others, and degraded rather than failed: the request type's bulkhead; the backend's circuit breaker;
 * retries only before the first byte and only when safe; then the cached answer; then the alternative
 * backend; then 503 `ai_disabled` (the IDE shows AI as off and keeps working).
 */
@Injectable()
export class ModelRouter {
  constructor(
    private readonly pool: BackendPool,
    private readonly cache: ResponseCache,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  async call(plan: CallPlan): Promise<RoutedReply> {
    let release: () => void;
    try {
      release = await this.pool.bulkhead(plan.requestType).acquire(plan.signal);
    } catch (error) {
      if (error instanceof BulkheadFullError) throw new BusyError(plan.requestType);
      if (plan.signal.aborted) throw new UpstreamError('aborted', plan.route.backend, 'the client went away while queued');
      throw error;
    }
    try {
      const reply = await this.degrade(plan);
      if (!reply.events) {
        release();
        return reply;
      }
      return { ...reply, events: this.guarded(reply.events, release) };
    } catch (error) {
      release();
      throw error;
    }
  }

  private async degrade(plan: CallPlan): Promise<RoutedReply> {
    const primary = this.pool.get(plan.route.backend);
    let cacheKey: string | undefined;
    if (plan.cacheScope !== undefined && this.cache.enabled) {
      // The request exactly as the routed backend gets it (prompt already masked by DLP), per tenant.
      const request = plan.build(primary.client, plan.route.model);
      cacheKey = this.cache.key([plan.cacheScope, primary.client.id, request.path, JSON.stringify(request.body ?? null)]);
    }
    const first = await this.attempt(plan, primary, plan.route.model, 'backend', cacheKey);
    if (first.reply) return first.reply;
    if (cacheKey) {
      const cached = await this.cache.get(cacheKey);
      if (cached) return this.replay(cached, plan.route, primary.client.config.protocol);
    }
    const alternative = primary.client.config.fallback;
    if (alternative) {
      const second = await this.attempt(plan, this.pool.get(alternative), plan.route.model, 'fallback', cacheKey);
      if (second.reply) return second.reply;
    }
    this.logger.warn({ request_type: plan.requestType, backend: plan.route.backend, err: first.error?.message }, 'no backend could answer; AI disabled for this request');
    throw new AiDisabledError(plan.requestType);
  }

  /** One backend with its retries. Client errors and cancellation are thrown; backend failures returned. */
  private async attempt(
    plan: CallPlan,
    backend: Backend,
    model: string,
    source: ReplySource,
    cacheKey: string | undefined,
  ): Promise<{ reply?: RoutedReply; error?: Error }> {
    const { client, breaker } = backend;
    let lastError: Error | undefined;
    for (let attempt = 0; attempt <= client.config.retries; attempt++) {
      if (!breaker.tryAcquire()) return { error: lastError ?? new Error(`${client.id}: circuit open`) };
      try {
        const res = await client.send(plan.requestType, { ...plan.build(client, model), signal: plan.signal });
        const served = { backend: client.id, model };
        if (!plan.stream) {
          const json = await res.text();
          breaker.success();
          if (cacheKey) this.cache.put(cacheKey, { kind: 'json', body: json });
          return { reply: { source, served, protocol: client.config.protocol, json } };
        }
        // The breaker learns the stream's outcome when it ends (see tracked).
        return { reply: { source, served, protocol: client.config.protocol, events: this.tracked(res.events(), backend, cacheKey) } };
      } catch (error) {
        if (!(error instanceof UpstreamError)) throw error;
        if (error.kind === 'aborted') {
          breaker.success();
          throw error;
        }
        if (!error.backendFault) {
          breaker.success();
          throw new BackendRejectedError(client.id, error.status, backendMessage(error.body));
        }
        breaker.failure();
        lastError = error;
        const repeatable = error.beforeSend || (plan.retrySafe && error.kind !== 'idle_timeout' && error.status !== 429);
        if (!repeatable) break;
        if (attempt < client.config.retries) await new Promise((r) => setTimeout(r, BACKOFF_MS * (attempt + 1)));
      }
    }
    return { error: lastError };
  }

  /** Reports the stream's outcome to the breaker and keeps a complete answer for the cache. */
  private async *tracked(events: AsyncGenerator<SseEvent>, backend: Backend, cacheKey: string | undefined): AsyncGenerator<SseEvent> {
    const kept: string[] | undefined = cacheKey ? [] : undefined;
    let ok = false;
    try {
      for await (const e of events) {
        kept?.push(e.data);
        yield e;
      }
      ok = true;
    } catch (error) {
      if (error instanceof UpstreamError && error.backendFault) backend.breaker.failure();
      throw error;
    } finally {
      if (ok) {
        backend.breaker.success();
        if (cacheKey && kept && kept.at(-1) === '[DONE]') this.cache.put(cacheKey, { kind: 'sse', events: kept });
      }
    }
  }

  /** Holds the bulkhead slot until the stream ends, however it ends. */
  private async *guarded(events: AsyncGenerator<SseEvent>, release: () => void): AsyncGenerator<SseEvent> {
    try {
      yield* events;
    } finally {
      release();
    }
  }

  private replay(cached: CachedReply, route: Route, protocol: string): RoutedReply {
    if (cached.kind === 'json') return { source: 'cache', served: route, protocol, json: cached.body };
    async function* events(): AsyncGenerator<SseEvent> {
      for (const data of cached.kind === 'sse' ? cached.events : []) yield { data };
    }
    return { source: 'cache', served: route, protocol, events: events() };
  }
}

/** The backend's own error message (OpenAI `{error:{message}}` or TGI `{error}`), bounded, for the client. */
function backendMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    const message = typeof parsed.error === 'string' ? parsed.error : (parsed.error?.message ?? parsed.message);
    return typeof message === 'string' ? message.slice(0, 500) : '';
  } catch {
    return '';
  }
}
