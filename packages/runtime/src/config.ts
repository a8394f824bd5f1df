import { env, z } from '@airlock/config';

/**
 * The variables of a service's HTTP face, validated at boot with the common ones (bootService). Shape and
 * defaults only: no Nest imports here.
 */
export const httpShape = {
  HTTP_PORT: env.port(),
  // Request bodies above this many bytes are refused with 413 before any handler runs, whether the client
  // declared a Content-Length or streamed the body chunked. 8 MiB matches the edge's limit.
  HTTP_BODY_LIMIT_BYTES: env.int(8 * 1024 * 1024, 1024),
  // JSON nested deeper than this (objects and arrays) is refused with 400 json_too_deep before it is parsed:
  // handlers walk bodies recursively, and a 10 000-deep document overflowed the stack.
  HTTP_JSON_MAX_DEPTH: z.coerce.number().int().min(1).max(10_000).default(64),
  // An idle keep-alive connection is closed after this long. Longer than the edge keeps one idle (Envoy's
  // clusters: 60 s), so Envoy always closes first: a request Envoy sends just as the service closes the
  // connection would fail with 503 (Node's default of 5 s made that happen between bursts).
  HTTP_KEEP_ALIVE_TIMEOUT_MS: env.int(75_000, 1_000),
};

export type HttpConfig = { [K in keyof typeof httpShape]: z.infer<(typeof httpShape)[K]> };
