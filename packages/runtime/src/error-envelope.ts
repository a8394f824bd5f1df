/** The body of every HTTP error the platform answers: services, the edge's ext_authz denials, streamed errors. */
export interface ErrorEnvelope {
  error: {
    /** Machine-readable, snake_case; the service README's error table lists each. */
    code: string;
    message: string;
    /** `null` when the request carried none: one spelling for "missing", never `''`. */
    correlation_id: string | null;
    retryable: boolean;
  };
}

/** Builds the envelope; an empty or absent correlation id becomes `null`. */
export function errorEnvelope(error: { code: string; message: string; retryable: boolean }, correlationId: string | undefined): ErrorEnvelope {
  return { error: { code: error.code, message: error.message, correlation_id: correlationId || null, retryable: error.retryable } };
}
