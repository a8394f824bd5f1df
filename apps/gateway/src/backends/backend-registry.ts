import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '@airlock/runtime';
import { BackendTimeoutError, BackendUnavailableError } from '../gateway.errors';
import type { gatewayConfig } from '../service';

export interface ChatMessage {
  role: string;
  content: string;
}

export interface ChatResult {
  content: string;
  promptTokens: number;
  completionTokens: number;
}

export interface BackendInfo {
  id: string;
  protocol: string;
  baseUrl: string;
}

/** The model backends this gateway may route to, configured per environment (GATEWAY_BACKENDS). */
@Injectable()
export class BackendRegistry {
  constructor(@Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof gatewayConfig>) {}

  list(): BackendInfo[] {
    return Object.entries(this.config.GATEWAY_BACKENDS).map(([id, b]) => ({ id, protocol: b.protocol, baseUrl: b.baseUrl }));
  }

  get(id: string): BackendInfo {
    const backend = this.config.GATEWAY_BACKENDS[id];
    if (!backend) throw new BackendUnavailableError(id);
    return { id, ...backend };
  }

  /** Non-streaming chat completion against an OpenAI-compatible backend (vLLM, TGI, the reference backend). */
  async chat(backendId: string, model: string, messages: ChatMessage[]): Promise<ChatResult> {
    const backend = this.get(backendId);
    let response: Response;
    try {
      response = await fetch(new URL('v1/chat/completions', backend.baseUrl.endsWith('/') ? backend.baseUrl : `${backend.baseUrl}/`), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages, stream: false }),
        signal: AbortSignal.timeout(this.config.GATEWAY_BACKEND_TIMEOUT_MS),
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'TimeoutError') throw new BackendTimeoutError(backendId);
      throw new BackendUnavailableError(backendId, error);
    }
    if (!response.ok) throw new BackendUnavailableError(backendId, new Error(`HTTP ${response.status}`));
    const body = (await response.json()) as {
      choices?: { message?: { content?: string } }[];
      usage?: { prompt_tokens?: number; completion_tokens?: number };
    };
    return {
      content: body.choices?.[0]?.message?.content ?? '',
      promptTokens: body.usage?.prompt_tokens ?? 0,
      completionTokens: body.usage?.completion_tokens ?? 0,
    };
  }

  /** Liveness probe used by the operator view: the backend lists its models. */
  async probe(backendId: string): Promise<boolean> {
    const backend = this.get(backendId);
    try {
      const res = await fetch(new URL('v1/models', `${backend.baseUrl.replace(/\/$/, '')}/`), { signal: AbortSignal.timeout(500) });
      return res.ok;
    } catch {
      return false;
    }
  }
}
