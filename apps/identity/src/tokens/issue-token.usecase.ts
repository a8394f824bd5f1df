import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { SignJWT } from 'jose';
import type { airlock } from '@airlock/contracts';
import { APP_CONFIG, type ServiceConfig } from '@airlock/runtime';
import { SigningKeys, TOKEN_ALG } from '../keys/signing-key';
import { MAX_TOKEN_TTL_SECONDS, type identityConfig } from '../config';
import { ID_PATTERN, ROLE_PATTERN, TOKEN_AUDIENCE, kindClaim, type AirlockClaims } from './claims';
import { InvalidPrincipalError, TokenIssueDisabledError, TokenTtlTooLongError } from './errors';
import { TokenStore } from './token-store';

type IssueTokenRequest = airlock.identity.v1.IssueTokenRequest;
type IssueTokenResponse = airlock.identity.v1.IssueTokenResponse;

/** Mints a signed access token for a principal (dev/CI only) and records its id as live. */
@Injectable()
export class IssueToken {
  constructor(
    @Inject(APP_CONFIG) private readonly config: Pick<ServiceConfig<typeof identityConfig>, 'IDENTITY_ALLOW_ISSUE' | 'IDENTITY_TOKEN_TTL_SECONDS' | 'IDENTITY_ISSUER'>,
    private readonly keys: SigningKeys,
    private readonly store: TokenStore,
  ) {}

  async execute(request: IssueTokenRequest): Promise<IssueTokenResponse> {
    if (!this.config.IDENTITY_ALLOW_ISSUE) throw new TokenIssueDisabledError();
    const principal = request.principal;
    const invalid: string[] = [];
    if (!principal?.userId && !principal?.subject) invalid.push('principal.user_id (or principal.subject)');
    if (!principal?.tenantId) invalid.push('principal.tenant_id');
    if (principal) {
      const ids = { subject: principal.subject, user_id: principal.userId, tenant_id: principal.tenantId, project_id: principal.projectId, workspace_id: principal.workspaceId };
      for (const [field, value] of Object.entries(ids)) {
        if (value && !ID_PATTERN.test(value)) invalid.push(`principal.${field} (visible ASCII, no spaces, at most 256)`);
      }
      if (principal.roles.some((r) => !ROLE_PATTERN.test(r))) invalid.push('principal.roles (letters, digits, ".", "_", ":", "-")');
    }
    if (!principal || invalid.length > 0) throw new InvalidPrincipalError(invalid);

    const ttl = request.ttlSeconds || this.config.IDENTITY_TOKEN_TTL_SECONDS;
    if (ttl > MAX_TOKEN_TTL_SECONDS) throw new TokenTtlTooLongError(MAX_TOKEN_TTL_SECONDS);

    const subject = principal.subject || principal.userId;
    const claims: Omit<AirlockClaims, 'sub' | 'jti'> = {
      tid: principal.tenantId,
      roles: [...new Set(principal.roles)],
      kind: kindClaim(principal.kind),
    };
    if (principal.projectId) claims.pid = principal.projectId;
    if (principal.workspaceId) claims.wid = principal.workspaceId;
    if (principal.userId && principal.userId !== subject) claims.uid = principal.userId;

    const jti = randomUUID();
    const now = Math.floor(Date.now() / 1000);
    const accessToken = await new SignJWT(claims)
      .setProtectedHeader({ alg: TOKEN_ALG, kid: this.keys.current.kid, typ: 'JWT' })
      .setIssuer(this.config.IDENTITY_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setSubject(subject)
      .setJti(jti)
      .setIssuedAt(now)
      .setExpirationTime(now + ttl)
      .sign(this.keys.current.privateKey);
    await this.store.remember(jti, ttl);
    return { accessToken, tokenType: 'Bearer', expiresIn: ttl };
  }
}
