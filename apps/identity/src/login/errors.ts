import { AppError, DependencyUnavailableError, GrpcStatus } from '@airlock/runtime';

/** Who was refused and how the audit trail files it (the page never shows it). */
export interface RefusedLogin {
  userId?: string;
  tenantId?: string;
  type?: 'auth.login' | 'auth.login.mfa_required';
  outcome?: 'failure' | 'denied';
}

/** Login is refused: the browser gets a page saying why (never the token or claims), the audit trail the code. */
export class LoginRefusedError extends AppError {
  refused: RefusedLogin = {};

  constructor(
    code: string,
    message: string,
    httpStatus: 400 | 401 | 403 = 401,
    /** What the page tells the person logging in. */
    readonly advice = 'Start the login again. If this keeps happening, contact your administrator.',
  ) {
    super(code, message, {
      httpStatus,
      grpcStatus: httpStatus === 403 ? GrpcStatus.PERMISSION_DENIED : GrpcStatus.UNAUTHENTICATED,
    });
  }

  about(refused: RefusedLogin): this {
    this.refused = refused;
    return this;
  }
}

export class OidcNotConfiguredError extends AppError {
  constructor() {
    super('oidc_not_configured', 'single sign-on is not configured for this deployment (OIDC_ISSUER)', {
      httpStatus: 503,
      grpcStatus: GrpcStatus.UNAVAILABLE,
    });
  }
}

export class IdpUnavailableError extends DependencyUnavailableError {
  constructor(cause?: unknown) {
    super('idp_unavailable', 'the identity provider cannot be reached', cause);
  }
}
