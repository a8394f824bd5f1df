import { AppError, DependencyUnavailableError, GrpcStatus, InvalidArgumentError } from '@airlock/runtime';

/** Every code the dlp service raises; the README's error table lists exactly these (errors.spec.ts). */
export const DLP_ERROR_CODES = [
  'dlp_text_too_large',
  'dlp_chunk_too_large',
  'dlp_stream_too_large',
  'dlp_stream_protocol',
  'dlp_invalid_restore',
  'dlp_invalid_context',
  'dlp_policy_version_unknown',
  'dlp_rules_unavailable',
] as const;
export type DlpErrorCode = (typeof DLP_ERROR_CODES)[number];

export class TextTooLargeError extends InvalidArgumentError<DlpErrorCode> {
  constructor(limit: number) {
    super('dlp_text_too_large', `text exceeds ${limit} characters`);
  }
}

export class ChunkTooLargeError extends InvalidArgumentError<DlpErrorCode> {
  constructor(limit: number) {
    super('dlp_chunk_too_large', `stream chunk exceeds ${limit} characters`);
  }
}

export class StreamTooLargeError extends AppError<DlpErrorCode> {
  constructor(limit: number) {
    super('dlp_stream_too_large', `stream exceeds ${limit} characters in total; nothing withheld was released`, {
      httpStatus: 413,
      grpcStatus: GrpcStatus.RESOURCE_EXHAUSTED,
    });
  }
}

/** The stream's messages are out of order (no start first, a second start, text after end...). */
export class StreamProtocolError extends InvalidArgumentError<DlpErrorCode> {
  constructor(message: string) {
    super('dlp_stream_protocol', message);
  }
}

/** A restore map that is not one the prompt scan can have produced. Never names the values. */
export class InvalidRestoreError extends InvalidArgumentError<DlpErrorCode> {
  constructor(message: string) {
    super('dlp_invalid_restore', message);
  }
}

/** A Scan context that is not a set of pairs this service can have produced. Never names the values. */
export class InvalidContextError extends InvalidArgumentError<DlpErrorCode> {
  constructor(message: string) {
    super('dlp_invalid_context', message);
  }
}

export class PolicyVersionUnknownError extends AppError<DlpErrorCode> {
  constructor(version: string) {
    super('dlp_policy_version_unknown', `policy has no version ${JSON.stringify(version)}`, {
      httpStatus: 404,
      grpcStatus: GrpcStatus.NOT_FOUND,
    });
  }
}

/** No rule set could be obtained and none was ever loaded: fail closed rather than scan with nothing. */
export class RulesUnavailableError extends DependencyUnavailableError<DlpErrorCode> {
  constructor(cause: unknown) {
    super('dlp_rules_unavailable', 'DLP rules of the policy could not be loaded; nothing was scanned', cause);
  }
}
