import type { IncomingHttpHeaders } from 'node:http';
import {
  ASSERTION_HEADER,
  AssertionError,
  verifierFromConfig,
  type AssertedIdentity,
  type AssertionErrorCode,
  type AssertionVerifier,
  type IdentityAssertionConfig,
} from '@airlock/identity-assertion';
import { mtlsHttpsClientOptions, type MtlsMaterial } from '@airlock/grpc';
import { metrics, type Logger } from '@airlock/telemetry';
import { AppError, GrpcStatus } from './errors';

/** The caller as the edge authenticated it, from a verified `x-airlock-identity` assertion. */
export type EdgeIdentity = AssertedIdentity;

/**
 * No verified edge identity: the request bypassed Envoy, or its assertion is forged, expired or unreadable.
 * Clients see one generic answer whatever the reason; `reason` is for logs and metrics only.
 */
export class UnauthenticatedError extends AppError {
  constructor(readonly reason: AssertionErrorCode) {
    super('unauthenticated', 'no verified identity on the request', { httpStatus: 401, grpcStatus: GrpcStatus.UNAUTHENTICATED });
  }
}

/** A request without an assertion is ordinary (no edge in front); a bad one looks like an attempt, or a key problem. */
const LEVEL: Partial<Record<AssertionErrorCode, 'info' | 'error'>> = { missing: 'info', expired: 'info', not_yet_valid: 'info', keys_unavailable: 'error' };

/**
 * Who is calling, for HTTP routes behind Envoy. The plain `x-user-id`/`x-tenant-id`… headers prove nothing
 * on a request that reached the service some other way, so identity is taken only from the assertion
 * policy's ext_authz signs (`@airlock/identity-assertion`). Provided by bootService to services whose
 * definition sets `edgeIdentity: true`.
 */
export class EdgeCaller {
  // Made here, not at import: a meter taken before the telemetry SDK starts stays a no-op.
  private readonly refused = metrics
    .getMeter('airlock-runtime')
    .createCounter('airlock_edge_identity_refused_total', { description: 'Requests refused 401 for want of a verified edge identity assertion, by reason' });

  constructor(
    private readonly verifier: AssertionVerifier,
    private readonly logger: Logger,
  ) {}

  /** IDENTITY_ASSERTION_PUBLIC_KEY_FILE or _JWKS_URL; a ConfigError naming them otherwise (the boot stops). */
  static async fromConfig(config: IdentityAssertionConfig, logger: Logger, mtls?: MtlsMaterial): Promise<EdgeCaller> {
    // Policy's HTTP port, where the JWKS is served, admits only workloads with a certificate from the internal CA.
    return new EdgeCaller(await verifierFromConfig(config, { tls: mtls ? mtlsHttpsClientOptions(mtls, 'policy') : undefined }), logger);
  }

  /** The verified identity, or UnauthenticatedError (401 `unauthenticated`). The assertion itself is never logged. */
  async callerFrom(req: { headers: IncomingHttpHeaders }): Promise<EdgeIdentity> {
    const value = req.headers[ASSERTION_HEADER];
    try {
      return await this.verifier.verify(typeof value === 'string' ? value : undefined);
    } catch (error) {
      if (!(error instanceof AssertionError)) throw error;
      this.refused.add(1, { reason: error.code });
      this.logger[LEVEL[error.code] ?? 'warn']({ reason: error.code }, 'request refused: no verified edge identity');
      throw new UnauthenticatedError(error.code);
    }
  }
}
