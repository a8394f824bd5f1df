import { createHash } from 'node:crypto';
import { McpInvalidRequestError } from './mcp.errors';

/** One JSON-RPC 2.0 message as MCP sends it: a request (method + id), a notification (method) or a response (id). */
export interface JsonRpcMessage {
  jsonrpc: '2.0';
  id?: string | number | null;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: unknown;
}

/**
 * The body of a client's POST: one message. Batches (arrays) were dropped from MCP's Streamable HTTP in
 * 2025-06-18 and are refused, so that every tool call is its own request, decision and audit event.
 */
export function readClientMessage(body: unknown): JsonRpcMessage {
  if (Array.isArray(body)) throw new McpInvalidRequestError('JSON-RPC batches are not accepted: send one message per request');
  if (typeof body !== 'object' || body === null || (body as { jsonrpc?: unknown }).jsonrpc !== '2.0') {
    throw new McpInvalidRequestError('the body must be one JSON-RPC 2.0 message');
  }
  const message = body as JsonRpcMessage;
  if (message.method !== undefined && typeof message.method !== 'string') throw new McpInvalidRequestError('method must be a string');
  if (message.params !== undefined && (typeof message.params !== 'object' || message.params === null || Array.isArray(message.params))) {
    throw new McpInvalidRequestError('params must be an object');
  }
  return message;
}

/** `tools/call` params: the tool's name and its arguments (an object; absent is `{}`). */
export function readToolCall(message: JsonRpcMessage): { name: string; arguments: Record<string, unknown> } {
  const name = message.params?.name;
  const args = message.params?.arguments ?? {};
  if (typeof name !== 'string' || name === '') throw new McpInvalidRequestError('params.name must be the tool name');
  if (typeof args !== 'object' || args === null || Array.isArray(args)) throw new McpInvalidRequestError('params.arguments must be an object');
  return { name, arguments: args as Record<string, unknown> };
}

/** JSON with object keys sorted at every level and no whitespace: the form the audit's arguments hash is taken of. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function argumentsHash(args: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(args)).digest('hex');
}

/** Every string in a JSON value, depth first (keys included: a key can carry data as well as a value). */
export function stringsOf(value: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') {
      for (const [k, inner] of Object.entries(v)) {
        out.push(k);
        walk(inner);
      }
    }
  };
  walk(value);
  return out;
}

/** The value with its strings replaced, in stringsOf's order, by `replacements`. */
export function withStrings<T>(value: T, replacements: readonly string[]): T {
  let i = 0;
  const next = () => replacements[i++];
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return next();
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const inner of Object.values(v)) {
        const key = next();
        out[key] = walk(inner);
      }
      return out;
    }
    return v;
  };
  return walk(value) as T;
}
