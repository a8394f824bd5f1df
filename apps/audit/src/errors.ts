import { isAuthenticationFailure } from '@airlock/postgres';
import { AppError, DependencyUnavailableError, GrpcStatus, InvalidArgumentError } from '@airlock/runtime';

/** Every code the audit service raises; the README's error table lists exactly these (errors.spec.ts). */
export const AUDIT_ERROR_CODES = [
  'audit_forbidden',
  'audit_invalid_time_range',
  'audit_invalid_filter',
  'audit_invalid_limit',
  'audit_invalid_cursor',
  'audit_invalid_format',
  'audit_export_too_large',
  'audit_event_not_found',
  'audit_index_unavailable',
  'audit_index_auth_failed',
  'audit_read_not_recorded',
] as const;
export type AuditErrorCode = (typeof AUDIT_ERROR_CODES)[number];

/** Reading the audit trail is for auditors and security administrators; the edge checks it too. */
export class AuditForbiddenError extends AppError<AuditErrorCode> {
  constructor() {
    super('audit_forbidden', 'reading the audit trail needs the auditor or security-admin role', { httpStatus: 403, grpcStatus: GrpcStatus.PERMISSION_DENIED });
  }
}

export class InvalidTimeRangeError extends InvalidArgumentError<AuditErrorCode> {
  constructor(detail: string) {
    super('audit_invalid_time_range', detail);
  }
}

export class InvalidFilterError extends InvalidArgumentError<AuditErrorCode> {
  constructor(name: string) {
    super('audit_invalid_filter', `${name} must be given once, 1 to 256 characters`);
  }
}

export class InvalidLimitError extends InvalidArgumentError<AuditErrorCode> {
  constructor(max: number) {
    super('audit_invalid_limit', `limit must be a whole number from 1 to ${max}`);
  }
}

export class InvalidCursorError extends InvalidArgumentError<AuditErrorCode> {
  constructor() {
    super('audit_invalid_cursor', 'cursor must be a next_cursor this API returned');
  }
}

export class InvalidFormatError extends InvalidArgumentError<AuditErrorCode> {
  constructor() {
    super('audit_invalid_format', 'format must be json or csv');
  }
}

export class ExportTooLargeError extends InvalidArgumentError<AuditErrorCode> {
  constructor(max: number) {
    super('audit_export_too_large', `the search matches more than ${max} events: narrow the time range or add filters to export it`);
  }
}

/** Not in the index, or another tenant's: the answer is the same, so ids of other tenants cannot be probed. */
export class AuditEventNotFoundError extends AppError<AuditErrorCode> {
  constructor() {
    super('audit_event_not_found', 'no such audit event in your tenant', { httpStatus: 404, grpcStatus: GrpcStatus.NOT_FOUND });
  }
}

/** The index's PostgreSQL is unreachable (or not configured): retryable; the SIEM sinks still have every event. */
export class AuditIndexUnavailableError extends DependencyUnavailableError<AuditErrorCode> {
  constructor(cause: unknown) {
    super('audit_index_unavailable', 'the audit index is unavailable', cause);
  }
}

/** PostgreSQL refused the service's role (wrong or rotated password): credentials to fix, not a quick retry. */
export class AuditIndexAuthFailedError extends AppError<AuditErrorCode> {
  constructor(cause: unknown) {
    super('audit_index_auth_failed', 'the audit index refused the service credentials', { httpStatus: 503, grpcStatus: GrpcStatus.UNAVAILABLE, retryable: false, cause });
  }
}

/** The index's failure as the typed error callers get: a refused login, or the index unreachable. */
export function auditIndexError(cause: unknown): AuditIndexAuthFailedError | AuditIndexUnavailableError {
  return isAuthenticationFailure(cause) ? new AuditIndexAuthFailedError(cause) : new AuditIndexUnavailableError(cause);
}

/** The read of the trail could not be made durable as an audit event, so it is not answered. */
export class ReadNotRecordedError extends DependencyUnavailableError<AuditErrorCode> {
  constructor(cause: unknown) {
    super('audit_read_not_recorded', 'this read of the audit trail could not be recorded, so it is refused', cause);
  }
}
