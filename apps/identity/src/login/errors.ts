import { AppError, DependencyUnavailableError, GrpcStatus } from '@airlock/runtime';
import type { IdentityErrorCode } from '../error-codes';

/** Who was refused and how the audit trail files it (the page never shows it). */
export interface RefusedLogin {
  userId?: string;
  tenantId?: string;
  type?: 'auth.login' | 'auth.login.mfa_required';
  outcome?: 'failure' | 'denied';
  /** The policy version the refusal was decided under, when policy decided it. */
  policyVersion?: string;
}

const GRPC_STATUS = {
  400: GrpcStatus.UNAUTHENTICATED,
  401: GrpcStatus.UNAUTHENTICATED,
  403: GrpcStatus.PERMISSION_DENIED,
  503: GrpcStatus.UNAVAILABLE,
} as const;

/** Login is refused: the browser gets a page saying why (never the token or claims), the audit trail the code. */
export class LoginRefusedError extends AppError<IdentityErrorCode> {
  refused: RefusedLogin = {};

  constructor(
    code: IdentityErrorCode,
    message: string,
    httpStatus: keyof typeof GRPC_STATUS = 401,
    /** What the page tells the person logging in. */
    readonly advice = 'Start the login again. If this keeps happening, contact your administrator.',
  ) {
    super(code, message, { httpStatus, grpcStatus: GRPC_STATUS[httpStatus], retryable: httpStatus === 503 });
  }

  about(refused: RefusedLogin): this {
    this.refused = refused;
    return this;
  }
}

/** The login would exceed a concurrent-session limit of the tenant's policy (bundle section `sessions`). */
export class SessionLimitReachedError extends LoginRefusedError {
  constructor(scope: 'user' | 'tenant', max: number) {
    super(
      'session_limit_reached',
      scope === 'user' ? `you already have ${max} Airlock session${max === 1 ? '' : 's'}, the most your organisation allows` : `your organisation has reached its limit of ${max} Airlock sessions`,
      403,
      scope === 'user'
        ? 'Log out of Airlock in another browser or on another device (or wait until one of those sessions ends), then log in again.'
        : 'Try again later. If this keeps happening, contact your administrator.',
    );
  }
}

/** Policy cannot say what the tenant's session limits are, and its last answer is too old to rely on: fail closed. */
export class SessionPolicyUnavailableError extends LoginRefusedError {
  constructor() {
    super('policy_unavailable', "Airlock cannot check your organisation's session policy right now", 503, 'Try again in a minute. If this keeps happening, contact your administrator.');
  }
}

export class OidcNotConfiguredError extends AppError<IdentityErrorCode> {
  constructor() {
    super('oidc_not_configured', 'single sign-on is not configured for this deployment (OIDC_ISSUER)', {
      httpStatus: 503,
      grpcStatus: GrpcStatus.UNAVAILABLE,
    });
  }
}

export class IdpUnavailableError extends DependencyUnavailableError<IdentityErrorCode> {
  constructor(cause?: unknown) {
    super('idp_unavailable', 'the identity provider cannot be reached', cause);
  }
}
