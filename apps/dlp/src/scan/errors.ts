import { AppError, DependencyUnavailableError, GrpcStatus, InvalidArgumentError } from '@airlock/runtime';

export class TextTooLargeError extends InvalidArgumentError {
  constructor(limit: number) {
    super('dlp_text_too_large', `text exceeds ${limit} characters`);
  }
}

export class ChunkTooLargeError extends InvalidArgumentError {
  constructor(limit: number) {
    super('dlp_chunk_too_large', `stream chunk exceeds ${limit} characters`);
  }
}

export class StreamTooLargeError extends AppError {
  constructor(limit: number) {
    super('dlp_stream_too_large', `stream exceeds ${limit} characters in total; nothing withheld was released`, {
      httpStatus: 413,
      grpcStatus: GrpcStatus.RESOURCE_EXHAUSTED,
    });
  }
}

/** The stream's messages are out of order (no start first, a second start, text after end...). */
export class StreamProtocolError extends InvalidArgumentError {
  constructor(message: string) {
    super('dlp_stream_protocol', message);
  }
}

/** A restore map that is not one the prompt scan can have produced. Never names the values. */
export class InvalidRestoreError extends InvalidArgumentError {
  constructor(message: string) {
    super('dlp_invalid_restore', message);
  }
}

/** A Scan context that is not a set of pairs this service can have produced. Never names the values. */
export class InvalidContextError extends InvalidArgumentError {
  constructor(message: string) {
    super('dlp_invalid_context', message);
  }
}

export class PolicyVersionUnknownError extends AppError {
  constructor(version: string) {
    super('dlp_policy_version_unknown', `policy has no version ${JSON.stringify(version)}`, {
      httpStatus: 404,
      grpcStatus: GrpcStatus.NOT_FOUND,
    });
  }
}

/** No rule set could be obtained and none was ever loaded: fail closed rather than scan with nothing. */
export class RulesUnavailableError extends DependencyUnavailableError {
  constructor(cause: unknown) {
    super('dlp_rules_unavailable', 'DLP rules of the policy could not be loaded; nothing was scanned', cause);
  }
}
