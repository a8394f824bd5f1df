import { z } from '@airlock/config';
import type { ExchangeSpec } from '../exchange/exchange-spec';
import { autocompleteSpec } from './autocomplete';
import { type Json, bodyObject, field, optional, parseBody } from './request-body';

/**
 * The Tabby version this surface speaks, reported as `version.git_describe`: the extension reads it as
 * semver to decide which protocol features to use.
 */
export const TABBY_COMPAT_VERSION = 'v0.31.1';

/** Tabby's completion request; the segments Airlock does not use (git context, declarations) are ignored. */
const completionBody = bodyObject({
  language: optional(field.string()),
  segments: z.looseObject({ prefix: field.string(), suffix: optional(field.string()) }, { error: 'must be an object' }),
  temperature: optional(field.number()),
});

/** `POST /tabby/v1/completions`: `{language, segments:{prefix, suffix, ...}}` → `{id, choices:[{index, text}]}`. */
export function tabbyCompletionSpec(raw: unknown): ExchangeSpec {
  const { language, segments, temperature } = parseBody(completionBody, raw);
  const input = { prefix: segments.prefix, suffix: segments.suffix ?? '', language: language ?? '', temperature };
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
