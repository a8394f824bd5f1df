import { BackendBadResponseError, BackendProtocolError } from '../gateway.errors';
import type { Tokens } from '../exchange/exchange-spec';
import type { BackendClient } from '../upstream/backend-client';
import type { Json } from './request-body';

/** The routed backend must speak one of `protocols` (policy routes by path, the table says what each speaks). */
export function requireProtocol(client: BackendClient, ...protocols: string[]): string {
  if (!protocols.includes(client.config.protocol)) throw new BackendProtocolError(client.id, client.config.protocol, protocols);
  return client.config.protocol;
}

/** A backend's whole answer; anything but a JSON object is a failed backend (502), not a client error. */
export function parseBackendJson(text: string): Json {
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    throw new BackendBadResponseError('not JSON');
  }
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) throw new BackendBadResponseError('not a JSON object');
  return answer as Json;
}

/** The backend's own count (OpenAI `usage`); undefined when it sent none. */
export function usageTokens(body: Json): Tokens | undefined {
  const usage = body.usage as { prompt_tokens?: unknown; completion_tokens?: unknown } | undefined;
  if (!usage || typeof usage !== 'object') return undefined;
  return { prompt: Number(usage.prompt_tokens) || 0, completion: Number(usage.completion_tokens) || 0 };
}
