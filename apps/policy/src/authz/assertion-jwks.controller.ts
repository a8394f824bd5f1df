import { Controller, Get, Header } from '@nestjs/common';
import type { Jwks } from '@airlock/identity-assertion';
import { AssertionIssuer } from './assertion-issuer';

/**
 * The identity assertion's public key for services (IDENTITY_ASSERTION_JWKS_URL), read on policy's own HTTP
 * port rather than through Envoy. Public by nature; through the edge it is only reachable as any other Policy
 * API route (ext_authz, rule api.policy.read.allow).
 */
@Controller('api/policy/v1/assertion')
export class AssertionJwksController {
  constructor(private readonly issuer: AssertionIssuer) {}

  @Get('jwks.json')
  @Header('cache-control', 'public, max-age=300')
  jwks(): Jwks {
    return this.issuer.jwks;
  }
}
