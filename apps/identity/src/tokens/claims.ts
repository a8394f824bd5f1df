import { createHash } from 'node:crypto';
import { airlock } from '@airlock/contracts';
import { z } from '@airlock/config';

const { PrincipalKind } = airlock.identity.v1;
type Principal = airlock.identity.v1.Principal;

export const TOKEN_AUDIENCE = 'airlock';

/** Verification failures, as VerifyTokenResponse.error_code. */
export type TokenErrorCode = 'token_malformed' | 'token_expired' | 'token_invalid_signature' | 'token_revoked';

/** Ids end up in HTTP headers at the edge: visible ASCII only, no spaces or control characters. */
export const ID_PATTERN = /^[\x21-\x7e]{1,256}$/;
export const ROLE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const id = z.string().regex(ID_PATTERN);

/**
 * Airlock's own claims (registered ones — iss, aud, sub, jti, iat, exp — are checked by jose). `uid` is
 * carried only when the user id differs from `sub`.
 */
export const airlockClaims = z.object({
  sub: id,
  jti: id,
  tid: id,
  pid: id.optional(),
  wid: id.optional(),
  uid: id.optional(),
  roles: z.array(z.string().regex(ROLE_PATTERN)),
  kind: z.enum(['user', 'service_account']),
});
export type AirlockClaims = z.infer<typeof airlockClaims>;

export function kindClaim(kind: number): AirlockClaims['kind'] {
  return kind === PrincipalKind.PRINCIPAL_KIND_SERVICE_ACCOUNT ? 'service_account' : 'user';
}

export function principalFromClaims(claims: AirlockClaims): Principal {
  return {
    subject: claims.sub,
    // Every principal has a user id downstream services can attribute work to: a service account's is its subject.
    userId: claims.uid ?? claims.sub,
    tenantId: claims.tid,
    projectId: claims.pid ?? '',
    workspaceId: claims.wid ?? '',
    roles: claims.roles,
    kind:
      claims.kind === 'service_account' ? PrincipalKind.PRINCIPAL_KIND_SERVICE_ACCOUNT : PrincipalKind.PRINCIPAL_KIND_USER,
  };
}

/** What logs may say about a token: a short digest, never the token. */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 16);
}
