import type { ExchangeSpec } from '../exchange/exchange';
import { InvalidRequestError } from '../gateway.errors';
import { autocompleteSpec } from './seed';
import { type Json, asObject, optionalNumber, optionalString } from './request-body';

/**
 * The Tabby version this surface speaks, reported as `version.git_describe`: the extension reads it as
 * semver to decide which protocol features to use.
 */
export const TABBY_COMPAT_VERSION = 'v0.31.1';

/** `POST /tabby/v1/completions`: `{language, segments:{prefix, suffix, ...}}` → `{id, choices:[{index, text}]}`. */
export function tabbyCompletionSpec(raw: unknown): ExchangeSpec {
  const body = asObject(raw);
  const segments = body.segments;
  if (typeof segments !== 'object' || segments === null) throw new InvalidRequestError('segments must be an object');
  const prefix = optionalString(segments as Json, 'prefix');
  if (prefix === undefined) throw new InvalidRequestError('segments.prefix must be a string');
  const input = {
    prefix,
    suffix: optionalString(segments as Json, 'suffix') ?? '',
    language: optionalString(body, 'language') ?? '',
    temperature: optionalNumber(body, 'temperature'),
  };
  return autocompleteSpec(input, (c, ctx) => ({ id: c.id || `cmpl-${ctx.correlationId}`, choices: [{ index: 0, text: c.text }] }));
}

/** `GET|POST /tabby/v1/health`: answered by the gateway itself, so the IDE sees a live server even when degraded. */
export function tabbyHealth(model: string | undefined): Json {
  return {
    model: model ?? 'airlock',
    chat_model: null,
    device: 'remote',
    arch: process.arch,
    cpu_info: 'airlock gateway',
    cpu_count: 1,
    cuda_devices: [],
    version: { build_date: '', build_timestamp: '', git_sha: '', git_describe: TABBY_COMPAT_VERSION },
  };
}
