import { Inject, Injectable } from '@nestjs/common';
import { APP_LOGGER } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import { refusalCode, type IdentityRefusalCode } from '../error-codes';
import { TokenVerifier, type Verdict } from './identity-client';
import { PrincipalCache, credentialDigest, type Verified } from './principal-cache';

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

export interface Credential {
  kind: 'bearer' | 'session';
  value: string;
}

/** The token of an `Authorization: Bearer` value; undefined when absent or malformed. */
export function bearerCredential(authorization: string | undefined): Credential | undefined {
  const token = authorization ? BEARER.exec(authorization)?.[1] : undefined;
  return token ? { kind: 'bearer', value: token } : undefined;
}

export type Authentication =
  /** `expiresAtUnix`: when the credential expires (a session's as of this use); 0 when identity did not say. */
  | Verified
  /** `code`: identity's own error code where it gave one, else `unauthenticated`. */
  | { refused: { code: IdentityRefusalCode | 'unauthenticated'; message: string } }
  /** Identity could not be asked: every caller denies (fail closed), never lets through. */
  | { unavailable: true };

/**
 * Credential → principal, the one way policy authenticates a caller: ext_authz Check (authz/check.usecase.ts)
 * and the PolicyAdminService gRPC API (admin/). A short-lived cache of verified principals first
 * (authz/principal-cache.ts), else identity verifies the credential.
 */
@Injectable()
export class Authenticator {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly cache: PrincipalCache,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  async authenticate(credential: Credential, clientIp: string): Promise<Authentication> {
    const digest = credentialDigest(credential.value);
    const cached = this.cache.get(digest);
    if (cached) return cached;
    let verdict: Verdict;
    try {
      verdict = credential.kind === 'bearer' ? await this.verifier.verify(credential.value, clientIp) : await this.verifier.verifySession(credential.value, clientIp);
    } catch (error) {
      this.logger.warn({ err: (error as Error).message, client_ip: clientIp }, 'identity unavailable; denying (fail closed)');
      return { unavailable: true };
    }
    if (!verdict.valid || !verdict.principal) {
      const message = credential.kind === 'bearer' ? 'the bearer token is not valid' : 'the session is not valid; log in again';
      return { refused: { code: refusalCode(verdict.errorCode), message } };
    }
    this.cache.set(digest, verdict.principal, verdict.expiresAtUnix);
    return { principal: verdict.principal, expiresAtUnix: verdict.expiresAtUnix };
  }
}
