/**
 * The codes the runtime itself answers with (the HTTP envelope's `error.code`) when no service error applies:
 * the HTTP status Nest or a route raised, and the request-body refusals of `http-body.ts`. The README's table
 * lists exactly these (error-codes.spec.ts); each service's own codes live in its own error-codes list.
 */
export const RUNTIME_ERROR_CODES = [
  'bad_request',
  'unauthenticated',
  'forbidden',
  'caller_not_allowed',
  'not_found',
  'method_not_allowed',
  'payload_too_large',
  'unsupported_media_type',
  'json_too_deep',
  'rate_limited',
  'internal',
] as const;

export type RuntimeErrorCode = (typeof RUNTIME_ERROR_CODES)[number];

/** The code for an HTTP status raised without one of its own (Nest's HttpException). */
export const HTTP_STATUS_CODES: Readonly<Record<number, RuntimeErrorCode>> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};
