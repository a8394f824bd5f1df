import { Controller, Get, Header } from '@nestjs/common';
import { GetJwks } from '../tokens/get-jwks.usecase';
import { TokenStore } from '../tokens/token-store';
import type { Jwks } from '../keys/signing-key';

/** Public, unauthenticated routes (Envoy sends /auth/ here without ext_authz). */
@Controller('auth')
export class AuthController {
  constructor(
    private readonly getJwks: GetJwks,
    private readonly store: TokenStore,
  ) {}

  @Get('jwks.json')
  @Header('cache-control', 'public, max-age=300')
  jwks(): Jwks {
    return this.getJwks.execute();
  }

  /** Ready when the token store answers: without it no token verifies. */
  @Get('healthz')
  @Header('cache-control', 'no-store')
  async healthz(): Promise<{ status: 'ok' }> {
    await this.store.ping();
    return { status: 'ok' };
  }
}
