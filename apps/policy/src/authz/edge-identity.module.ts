import type { IncomingHttpHeaders } from 'node:http';
import { Global, Inject, Injectable, Module } from '@nestjs/common';
import { AssertionVerifier } from '@airlock/identity-assertion';
import { APP_LOGGER, EdgeCaller, type EdgeIdentity } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import { AssertionIssuer } from './assertion-issuer';

/**
 * The Policy API's caller, verified as every service behind Envoy verifies it (the runtime's EdgeCaller: the
 * `x-airlock-identity` assertion, never the plain x-user-id/x-airlock-roles headers). Policy signs those
 * assertions itself, so it verifies them with its own issuer's key and needs no IDENTITY_ASSERTION_* variable.
 *
 * The EdgeCaller is built on first use rather than by a factory: the issuer loads its key in onModuleInit,
 * which Nest calls only after every provider has been constructed; no request arrives before that.
 */
@Injectable()
export class PolicyEdgeCaller {
  private edge?: EdgeCaller;

  constructor(
    private readonly issuer: AssertionIssuer,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  /** The verified identity, or UnauthenticatedError (401 `unauthenticated`). */
  callerFrom(req: { headers: IncomingHttpHeaders }): Promise<EdgeIdentity> {
    // The issuer's key never changes while the process lives, so its JWKS is a fixed key set.
    this.edge ??= new EdgeCaller(AssertionVerifier.fromJwks(this.issuer.jwks), this.logger);
    return this.edge.callerFrom(req);
  }
}

/** Global: the DLP rules module's HTTP route takes its caller from here too. */
@Global()
@Module({
  providers: [AssertionIssuer, PolicyEdgeCaller],
  exports: [AssertionIssuer, PolicyEdgeCaller],
})
export class EdgeIdentityModule {}
