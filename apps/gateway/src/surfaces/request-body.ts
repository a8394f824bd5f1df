import { BackendProtocolError, InvalidRequestError } from '../gateway.errors';
import type { BackendClient } from '../upstream/backend-client';

export type Json = Record<string, unknown>;

export function asObject(body: unknown): Json {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidRequestError('the body must be a JSON object');
  return body as Json;
}

export function optionalString(body: Json, field: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new InvalidRequestError(`${field} must be a string`);
  return v;
}

export function optionalNumber(body: Json, field: string): number | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidRequestError(`${field} must be a number`);
  return v;
}

export function optionalBoolean(body: Json, field: string): boolean | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new InvalidRequestError(`${field} must be a boolean`);
  return v;
}

export function requireProtocol(client: BackendClient, ...protocols: string[]): string {
  if (!protocols.includes(client.config.protocol)) throw new BackendProtocolError(client.id, client.config.protocol, protocols);
  return client.config.protocol;
}

/** Reads a backend JSON body; a backend answering something else is a failed backend, not a client error. */
export function parseBackendJson(text: string): Json {
  try {
    return asObject(JSON.parse(text));
  } catch {
    return {};
  }
}

export function usageTokens(body: Json): { prompt: number; completion: number } | undefined {
  const usage = body.usage as { prompt_tokens?: unknown; completion_tokens?: unknown } | undefined;
  if (!usage || typeof usage !== 'object') return undefined;
  return { prompt: Number(usage.prompt_tokens) || 0, completion: Number(usage.completion_tokens) || 0 };
}
