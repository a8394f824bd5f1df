import { Inject, Injectable } from '@nestjs/common';
import { decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { airlock } from '@airlock/contracts';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import { API_TOKEN_PREFIX, ApiTokens } from '../api-tokens/api-tokens.usecases';
import { AuthAudit } from '../audit/auth-audit';
import { SigningKeys, TOKEN_ALG } from '../keys/signing-key';
import type { identityConfig } from '../config';
import { TOKEN_AUDIENCE, airlockClaims, principalFromClaims, tokenDigest, type TokenErrorCode } from './claims';
import { TokenStore } from './token-store';

type VerifyTokenResponse = airlock.identity.v1.VerifyTokenResponse;

// Far above any token this service issues; bounds the work an attacker can make us do.
const MAX_TOKEN_LENGTH = 8_192;

/** Why jose rejected a token, as the public error code. */
function errorCode(error: unknown): TokenErrorCode {
  if (error instanceof errors.JWTExpired) return 'token_expired';
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JOSEAlgNotAllowed) {
    return 'token_invalid_signature';
  }
  return 'token_malformed';
}

/**
 * Checks a bearer credential. Opaque API tokens (`alk_…`) are looked up in PostgreSQL (ApiTokens). JWTs: ES256 signature by this service's key (no other algorithm, `none` included),
 * issuer, audience, expiry, claim shapes, and that its id is still live. A bad token is an answer
 * (`valid: false` + code), not an error; only an unreachable token store throws (UNAVAILABLE).
 */
@Injectable()
export class VerifyToken {
  constructor(
    @Inject(APP_CONFIG) private readonly config: Pick<ServiceConfig<typeof identityConfig>, 'IDENTITY_ISSUER'>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly keys: SigningKeys,
    private readonly store: TokenStore,
    private readonly apiTokens: ApiTokens,
    private readonly audit: AuthAudit,
  ) {}

  async execute(token: string, clientIp = ''): Promise<VerifyTokenResponse> {
    if (token.startsWith(API_TOKEN_PREFIX)) return this.apiTokens.verify(token, clientIp);
    const checked = await this.checkSignedClaims(token);
    if (typeof checked === 'string') return this.reject(token, checked);
    if (!(await this.store.isLive(checked.jti))) {
      // Signature and expiry are fine, so this was a real token until revoked: someone still holds it.
      await this.audit.record({ type: 'auth.token.used_after_revoke', outcome: 'denied', action: `jwt:${checked.jti}`, userId: checked.uid ?? checked.sub, tenantId: checked.tid, projectId: checked.pid, workspaceId: checked.wid, clientIp, statusCode: 401 });
      return this.reject(token, 'token_revoked');
    }
    return { valid: true, principal: principalFromClaims(checked), errorCode: '', expiresAtUnix: checked.exp };
  }

  private async checkSignedClaims(token: string) {
    if (!token || token.length > MAX_TOKEN_LENGTH) return 'token_malformed' as const;
    try {
      const { kid } = decodeProtectedHeader(token);
      if (kid !== undefined && kid !== this.keys.current.kid) return 'token_invalid_signature' as const;
      const { payload } = await jwtVerify(token, this.keys.current.publicKey, {
        algorithms: [TOKEN_ALG],
        issuer: this.config.IDENTITY_ISSUER,
        audience: TOKEN_AUDIENCE,
        requiredClaims: ['exp', 'jti', 'sub'],
      });
      const claims = airlockClaims.safeParse(payload);
      return claims.success ? { ...claims.data, exp: payload.exp! } : ('token_malformed' as const);
    } catch (error) {
      return errorCode(error);
    }
  }

  private reject(token: string, code: TokenErrorCode): VerifyTokenResponse {
    this.logger.debug({ token_sha256: tokenDigest(token), code }, 'token rejected');
    return { valid: false, principal: undefined, errorCode: code, expiresAtUnix: 0 };
  }
}
