import { AppError, DependencyUnavailableError, GrpcStatus, InvalidArgumentError } from '@airlock/runtime';

/** Policy chose no route for this request type (the client never picks the model). */
export class NoRouteError extends AppError {
  constructor(endpoint: string) {
    super('no_route', `policy selected no backend for ${endpoint}`, { httpStatus: 403, grpcStatus: GrpcStatus.PERMISSION_DENIED });
  }
}

export class InvalidRequestError extends InvalidArgumentError {
  constructor(message: string) {
    super('invalid_request', message);
  }
}

/**
 * A Responses request continuing a stored response: the gateway stores no responses (an answer stored is a
 * prompt kept outside the audit trail), so the client must send the whole conversation as `input` items.
 */
export class PreviousResponseNotSupportedError extends InvalidArgumentError {
  constructor() {
    super('previous_response_unsupported', 'previous_response_id is not supported: this gateway stores no responses; send the conversation as input items');
  }
}

/**
 * The prompt's texts together are longer than GATEWAY_MAX_TEXT_CHARS: refused before DLP is asked (which would
 * refuse an oversized text itself, and that refusal read as `dlp_unavailable`).
 */
export class PromptTooLargeError extends AppError {
  constructor(chars: number, maxChars: number) {
    super('prompt_too_large', `prompt text of ${chars} characters is over the limit of ${maxChars}`, { httpStatus: 413, grpcStatus: GrpcStatus.RESOURCE_EXHAUSTED });
  }
}

/** DLP found something that must not reach a model at all. */
export class DlpBlockedError extends AppError {
  constructor(readonly ruleIds: string[]) {
    super('dlp_blocked', `request blocked by data-loss-prevention rules: ${ruleIds.join(', ')}`, {
      httpStatus: 422,
      grpcStatus: GrpcStatus.FAILED_PRECONDITION,
    });
  }
}

/** The DLP service cannot be reached: the prompt is never forwarded unscanned. */
export class DlpUnavailableError extends DependencyUnavailableError {
  constructor(cause: unknown) {
    super('dlp_unavailable', 'data-loss-prevention scan unavailable; request not forwarded', cause);
  }
}

export class BackendUnavailableError extends DependencyUnavailableError {
  constructor(backend: string, cause?: unknown) {
    super('backend_unavailable', `model backend ${backend} is unavailable`, cause);
  }
}

/** The backend refused the request itself (4xx): passed on, not a reason to degrade. */
export class BackendRejectedError extends AppError {
  constructor(backend: string, status: number, detail: string) {
    super('backend_rejected', `model backend ${backend} rejected the request${detail ? `: ${detail}` : ''}`, {
      httpStatus: status === 404 || status === 413 || status === 422 ? status : 400,
      grpcStatus: GrpcStatus.INVALID_ARGUMENT,
    });
  }
}

/** Every way to answer failed (backend, cache, alternative backend): the IDE shows AI as off and keeps working. */
export class AiDisabledError extends AppError {
  constructor(requestType: string) {
    super('ai_disabled', `AI ${requestType} is temporarily unavailable; the editor keeps working without it`, {
      httpStatus: 503,
      grpcStatus: GrpcStatus.UNAVAILABLE,
      retryable: true,
    });
  }
}

/** The request type's bulkhead is full: refused at once rather than queued behind slow requests. */
export class BusyError extends AppError {
  constructor(requestType: string) {
    super('busy', `too many ${requestType} requests in flight; retry shortly`, { httpStatus: 503, grpcStatus: GrpcStatus.RESOURCE_EXHAUSTED, retryable: true });
  }
}

/** The client's `model` is not one of the aliases policy allows it here. */
export class ModelNotAllowedError extends AppError {
  constructor(model: string, allowed: string[]) {
    super('model_not_allowed', `model "${model}" is not available to you here; allowed: ${allowed.join(', ') || 'none'}`, {
      httpStatus: 404,
      grpcStatus: GrpcStatus.PERMISSION_DENIED,
    });
  }
}

/** A high-risk request (fail-closed audit) whose audit event could not be made durable in time. */
export class AuditUnavailableError extends DependencyUnavailableError {
  constructor(cause: unknown) {
    super('audit_unavailable', 'the audit trail cannot record this request right now; it was not answered', cause);
  }
}

/** The model's answer contained something DLP blocks on the way out; the stream ends without it. */
export class DlpOutputBlockedError extends AppError {
  constructor(readonly ruleIds: string[]) {
    super('dlp_blocked_output', `answer withheld by data-loss-prevention rules: ${ruleIds.join(', ')}`, {
      httpStatus: 422,
      grpcStatus: GrpcStatus.FAILED_PRECONDITION,
    });
  }
}

/** The backend failed after the answer had started (killed mid-stream, silent too long). */
export class BackendStreamError extends AppError {
  constructor(backend: string, detail: string) {
    super('backend_stream_failed', `model backend ${backend} failed mid-answer (${detail})`, {
      httpStatus: 502,
      grpcStatus: GrpcStatus.UNAVAILABLE,
      retryable: true,
    });
  }
}

/** Policy routed a request type to a backend that does not speak its protocol (a configuration error). */
export class BackendProtocolError extends AppError {
  constructor(backend: string, protocol: string, needed: string[]) {
    super('backend_misconfigured', `backend ${backend} speaks ${protocol}; this request needs ${needed.join(' or ')}`, {
      httpStatus: 502,
      grpcStatus: GrpcStatus.FAILED_PRECONDITION,
    });
  }
}

/** The backend answered 2xx with a body the gateway cannot read (an HTML error page, a truncated body). */
export class BackendBadResponseError extends AppError {
  constructor(detail: string) {
    super('backend_bad_response', `the model backend's answer could not be read (${detail})`, {
      httpStatus: 502,
      grpcStatus: GrpcStatus.INTERNAL,
    });
  }
}
