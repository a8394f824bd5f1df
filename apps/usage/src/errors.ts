import { isAuthenticationFailure } from '@airlock/postgres';
import { AppError, DependencyUnavailableError, GrpcStatus, InvalidArgumentError } from '@airlock/runtime';

/** Every code the usage service raises; the README's error table lists exactly these (errors.spec.ts). */
export const USAGE_ERROR_CODES = [
  'usage_tenant_required',
  'usage_invalid_period',
  'usage_quota_scope_required',
  'usage_quota_scope_id_required',
  'usage_quota_period_required',
  'usage_invalid_time',
  'usage_project_required',
  'usage_tenant_forbidden',
  'usage_invalid_format',
  'usage_invalid_range',
  'usage_invalid_choice',
  'usage_report_too_large',
  'usage_project_forbidden',
  'usage_reports_forbidden',
  'usage_store_unavailable',
  'usage_store_auth_failed',
] as const;
export type UsageErrorCode = (typeof USAGE_ERROR_CODES)[number];

export class TenantRequiredError extends InvalidArgumentError<UsageErrorCode> {
  constructor() {
    super('usage_tenant_required', 'tenant_id is required');
  }
}

export class InvalidPeriodError extends InvalidArgumentError<UsageErrorCode> {
  constructor(expected = 'a calendar month "YYYY-MM" or day "YYYY-MM-DD"') {
    super('usage_invalid_period', `period must be ${expected}`);
  }
}

export class QuotaScopeRequiredError extends InvalidArgumentError<UsageErrorCode> {
  constructor() {
    super('usage_quota_scope_required', 'scope must be tenant, project, workspace or user');
  }
}

export class QuotaScopeIdRequiredError extends InvalidArgumentError<UsageErrorCode> {
  constructor(scope: string) {
    super('usage_quota_scope_id_required', `scope_id (the ${scope} id) is required for a ${scope} quota`);
  }
}

export class QuotaPeriodRequiredError extends InvalidArgumentError<UsageErrorCode> {
  constructor() {
    super('usage_quota_period_required', 'period must be day or month');
  }
}

export class InvalidInstantError extends InvalidArgumentError<UsageErrorCode> {
  constructor() {
    super('usage_invalid_time', 'at must be an RFC 3339 date-time with an offset');
  }
}

export class ProjectRequiredError extends InvalidArgumentError<UsageErrorCode> {
  constructor() {
    super('usage_project_required', 'project_id is required');
  }
}

/** The reports API names another tenant than the caller's. */
export class OtherTenantError extends AppError<UsageErrorCode> {
  constructor() {
    super('usage_tenant_forbidden', "a caller sees only its own tenant's usage", { httpStatus: 403, grpcStatus: GrpcStatus.PERMISSION_DENIED });
  }
}

export class InvalidFormatError extends InvalidArgumentError<UsageErrorCode> {
  constructor() {
    super('usage_invalid_format', 'format must be csv or json');
  }
}

/** A report's `from`/`to` are not UTC days, run backwards, or span more than the most a report may. */
export class InvalidRangeError extends InvalidArgumentError<UsageErrorCode> {
  constructor(maxDays: number) {
    super('usage_invalid_range', `from and to must be UTC days "YYYY-MM-DD", from not after to, at most ${maxDays} days apart`);
  }
}

/** A report parameter with a fixed set of values (`group_by`, `interval`) has another. */
export class InvalidChoiceError extends InvalidArgumentError<UsageErrorCode> {
  constructor(name: string, allowed: readonly string[]) {
    super('usage_invalid_choice', `${name} must be one of ${allowed.join(', ')}`);
  }
}

/** More rows than one answer carries: the caller narrows the range, the project or the grouping. */
export class ReportTooLargeError extends InvalidArgumentError<UsageErrorCode> {
  constructor(maxRows: number) {
    super('usage_report_too_large', `the report would have more than ${maxRows} rows: narrow the range, the project or group by a coarser period`);
  }
}

/** A project lead asked about a project other than the one their credential is scoped to (or has none). */
export class ProjectForbiddenError extends AppError<UsageErrorCode> {
  constructor() {
    super('usage_project_forbidden', "a project administrator sees only their own project's usage", { httpStatus: 403, grpcStatus: GrpcStatus.PERMISSION_DENIED });
  }
}

/** The caller holds none of the roles usage reports are for (the edge should have refused it already). */
export class ReportsForbiddenError extends AppError<UsageErrorCode> {
  constructor() {
    super('usage_reports_forbidden', 'usage reports are for FinOps, project administrators, security administrators and auditors', {
      httpStatus: 403,
      grpcStatus: GrpcStatus.PERMISSION_DENIED,
    });
  }
}

/** PostgreSQL, the source of truth, is unreachable: retryable, and the caller decides whether to fail open. */
export class UsageStoreUnavailableError extends DependencyUnavailableError<UsageErrorCode> {
  constructor(cause: unknown) {
    super('usage_store_unavailable', 'usage store unavailable', cause);
  }
}

/** PostgreSQL refused usage's role (wrong or rotated password, no pg_hba.conf entry): credentials to fix, not a quick retry. */
export class UsageStoreAuthFailedError extends AppError<UsageErrorCode> {
  constructor(cause: unknown) {
    super('usage_store_auth_failed', 'the usage store refused the service credentials', { httpStatus: 503, grpcStatus: GrpcStatus.UNAVAILABLE, retryable: false, cause });
  }
}

/** The store's failure as the typed error callers get: a refused login, or the store unreachable. */
export function usageStoreError(cause: unknown): UsageStoreAuthFailedError | UsageStoreUnavailableError {
  return isAuthenticationFailure(cause) ? new UsageStoreAuthFailedError(cause) : new UsageStoreUnavailableError(cause);
}

export class InvalidDaysError extends InvalidArgumentError {
  constructor(max: number) {
    super('usage_invalid_days', `days must be a whole number from 1 to ${max}`);
  }
}

/** Policy could not say which token budget applies: retryable; no budget is shown rather than a wrong one. */
export class BudgetUnavailableError extends DependencyUnavailableError {
  constructor(cause: unknown) {
    super('usage_budget_unavailable', 'the token budget cannot be read from policy now', cause);
  }
}
