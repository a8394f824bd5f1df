import { createHash } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { ConfigError } from '@airlock/config';
import { APP_CONFIG, type ServiceConfig } from '@airlock/runtime';
import type { identityConfig } from '../config';
import type { IdentityErrorCode } from '../error-codes';
import { IdpUnavailableError, LoginRefusedError, OidcNotConfiguredError } from './errors';

type Config = ServiceConfig<typeof identityConfig>;

export interface ProviderMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  end_session_endpoint?: string;
}

interface Provider {
  metadata: ProviderMetadata;
  jwks: JWTVerifyGetKey;
}

const IDP_TIMEOUT_MS = 5_000;
// Far above any real ID token; bounds the work a hostile token endpoint can make us do.
const MAX_ID_TOKEN_LENGTH = 16_384;

/** Plain HTTP only on loopback (the dev IdP); anything reachable over a network must be HTTPS. */
export function isAcceptableEndpoint(url: string): boolean {
  try {
    const u = new URL(url);
    if (u.protocol === 'https:') return true;
    return u.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
  } catch {
    return false;
  }
}

export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

export interface IdTokenExpectations {
  issuer: string;
  clientId: string;
  algorithms: string[];
  nonce: string;
}

/**
 * Verifies an ID token (OIDC Core 3.1.3.7): signature by a key of the issuer's JWKS with an allowed
 * asymmetric algorithm (`none` and HS* are never allowed, so a token MACed with a public key cannot pass),
 * `iss`, `aud` (and `azp` when several audiences), `exp`, `nbf`, `iat`, and the login's `nonce`.
 */
export async function verifyIdToken(idToken: string, keys: JWTVerifyGetKey, expect: IdTokenExpectations): Promise<JWTPayload> {
  if (!idToken || idToken.length > MAX_ID_TOKEN_LENGTH) throw refused('id_token_malformed');
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(idToken, keys, {
      algorithms: expect.algorithms,
      issuer: expect.issuer,
      audience: expect.clientId,
      requiredClaims: ['sub', 'exp', 'iat'],
      clockTolerance: 30,
      maxTokenAge: '1h',
    }));
  } catch (error) {
    throw refused(idTokenErrorCode(error));
  }
  if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== expect.clientId) throw refused('id_token_wrong_audience');
  if (payload.nonce !== expect.nonce) throw refused('id_token_nonce_mismatch');
  return payload;
}

function idTokenErrorCode(error: unknown): IdentityErrorCode {
  if (error instanceof errors.JWTExpired) return 'id_token_expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    const byClaim: Record<string, IdentityErrorCode> = { nbf: 'id_token_not_yet_valid', iat: 'id_token_not_yet_valid', aud: 'id_token_wrong_audience', iss: 'id_token_wrong_issuer' };
    return byClaim[error.claim] ?? 'id_token_malformed';
  }
  if (
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JOSEAlgNotAllowed ||
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys ||
    error instanceof errors.JOSENotSupported
  ) {
    return 'id_token_invalid_signature';
  }
  if (error instanceof errors.JWKSTimeout || (error instanceof Error && error.name === 'TypeError')) return 'idp_unavailable';
  return 'id_token_malformed';
}

function refused(code: IdentityErrorCode): LoginRefusedError {
  return new LoginRefusedError(code, `the identity provider's answer was not accepted (${code})`, 401);
}

/**
 * The relying party's view of the OpenID provider at OIDC_ISSUER: discovery and JWKS (fetched lazily and
 * cached, so identity boots while the IdP is down), the authorization URL, the code exchange
 * (client_secret_basic + PKCE) and ID token verification.
 */
@Injectable()
export class OidcClient implements OnModuleInit {
  private provider?: Promise<Provider>;

  constructor(@Inject(APP_CONFIG) private readonly config: Config) {}

  onModuleInit(): void {
    const c = this.config;
    const set = { OIDC_ISSUER: c.OIDC_ISSUER, OIDC_CLIENT_ID: c.OIDC_CLIENT_ID, OIDC_CLIENT_SECRET: c.OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI: c.OIDC_REDIRECT_URI };
    const missing = Object.entries(set).filter(([, v]) => !v).map(([k]) => k);
    if (missing.length > 0 && missing.length < 4) {
      throw new ConfigError(missing.map((variable) => ({ variable, message: 'required when any OIDC_* variable is set' })));
    }
    if (c.OIDC_ISSUER && !isAcceptableEndpoint(c.OIDC_ISSUER)) {
      throw new ConfigError([{ variable: 'OIDC_ISSUER', message: 'must be https (plain http only on loopback)' }]);
    }
  }

  get configured(): boolean {
    return Boolean(this.config.OIDC_ISSUER);
  }

  /** Airlock's public origin, where `return_to` must point. */
  get origin(): string {
    return new URL(this.config.OIDC_REDIRECT_URI!).origin;
  }

  async authorizationUrl(p: { state: string; nonce: string; codeVerifier: string }): Promise<string> {
    const { metadata } = await this.load();
    const url = new URL(metadata.authorization_endpoint);
    const params = {
      response_type: 'code',
      client_id: this.config.OIDC_CLIENT_ID!,
      redirect_uri: this.config.OIDC_REDIRECT_URI!,
      scope: this.config.OIDC_SCOPES,
      state: p.state,
      nonce: p.nonce,
      code_challenge: pkceChallenge(p.codeVerifier),
      code_challenge_method: 'S256',
    };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return url.toString();
  }

  /** Authorization code → ID token (the access token is not used: Airlock issues its own credentials). */
  async exchangeCode(code: string, codeVerifier: string): Promise<string> {
    const { metadata } = await this.load();
    // RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding.
    const basic = Buffer.from(`${encodeURIComponent(this.config.OIDC_CLIENT_ID!)}:${encodeURIComponent(this.config.OIDC_CLIENT_SECRET!)}`).toString('base64');
    let response: Response;
    try {
      response = await fetch(metadata.token_endpoint, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: this.config.OIDC_REDIRECT_URI!, code_verifier: codeVerifier }),
        redirect: 'error',
        signal: AbortSignal.timeout(IDP_TIMEOUT_MS),
      });
    } catch (error) {
      throw new IdpUnavailableError(error);
    }
    const body = (await response.json().catch(() => ({}))) as { id_token?: unknown; error?: unknown };
    if (!response.ok || typeof body.id_token !== 'string') {
      const reason = typeof body.error === 'string' ? body.error.slice(0, 64) : `http_${response.status}`;
      throw new LoginRefusedError('code_exchange_failed', `the identity provider refused the authorization code (${reason})`, 401);
    }
    return body.id_token;
  }

  async verify(idToken: string, nonce: string): Promise<JWTPayload> {
    const { jwks } = await this.load();
    return verifyIdToken(idToken, jwks, {
      issuer: this.config.OIDC_ISSUER!,
      clientId: this.config.OIDC_CLIENT_ID!,
      algorithms: this.config.OIDC_ID_TOKEN_ALGS,
      nonce,
    });
  }

  /** The IdP's RP-initiated logout URL, when it has one. */
  async endSessionUrl(idTokenHint: string | undefined): Promise<string | undefined> {
    const endpoint = (await this.load().catch(() => undefined))?.metadata.end_session_endpoint;
    if (!endpoint) return undefined;
    const url = new URL(endpoint);
    url.searchParams.set('client_id', this.config.OIDC_CLIENT_ID!);
    if (idTokenHint) url.searchParams.set('id_token_hint', idTokenHint);
    if (this.config.OIDC_POST_LOGOUT_REDIRECT_URI) url.searchParams.set('post_logout_redirect_uri', this.config.OIDC_POST_LOGOUT_REDIRECT_URI);
    return url.toString();
  }

  private load(): Promise<Provider> {
    if (!this.configured) return Promise.reject(new OidcNotConfiguredError());
    // A failed discovery is not cached: the next login tries again.
    this.provider ??= this.discover().catch((error: unknown) => {
      this.provider = undefined;
      throw error;
    });
    return this.provider;
  }

  private async discover(): Promise<Provider> {
    const issuer = this.config.OIDC_ISSUER!;
    let metadata: ProviderMetadata;
    try {
      const response = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, {
        headers: { accept: 'application/json' },
        redirect: 'error',
        signal: AbortSignal.timeout(IDP_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`discovery answered ${response.status}`);
      metadata = (await response.json()) as ProviderMetadata;
    } catch (error) {
      throw new IdpUnavailableError(error);
    }
    // OIDC Discovery §4.3: the document must name exactly the issuer it was fetched for.
    if (metadata.issuer !== issuer) throw new IdpUnavailableError(new Error(`discovery names issuer ${String(metadata.issuer)}, expected ${issuer}`));
    for (const field of ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
      if (typeof metadata[field] !== 'string' || !isAcceptableEndpoint(metadata[field])) {
        throw new IdpUnavailableError(new Error(`discovery field ${field} is missing or not https`));
      }
    }
    if (metadata.end_session_endpoint !== undefined && !isAcceptableEndpoint(metadata.end_session_endpoint)) delete metadata.end_session_endpoint;
    const jwks = createRemoteJWKSet(new URL(metadata.jwks_uri), { timeoutDuration: IDP_TIMEOUT_MS, cooldownDuration: 30_000, cacheMaxAge: 600_000 });
    return { metadata, jwks };
  }
}
