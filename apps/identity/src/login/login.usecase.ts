import { Inject, Injectable } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import { AuthAudit } from '../audit/auth-audit';
import { credentialDigest, randomSecret } from '../credentials';
import type { identityConfig } from '../config';
import { TenantSessionLimits } from '../sessions/session-limits';
import { SessionStore } from '../sessions/session-store';
import { ID_PATTERN } from '../tokens/claims';
import { LoginRefusedError, OidcNotConfiguredError, SessionLimitReachedError, SessionPolicyUnavailableError } from './errors';
import { GroupMapper, hasMfa, tenantPolicy } from './login-policy';
import { LoginStateStore } from './login-state-store';
import { OidcClient } from './oidc-client';
import { UserProfiles, profileFromClaims } from '../profile/user-profiles';

type Config = ServiceConfig<typeof identityConfig>;

/**
 * `return_to` is kept only when it stays on Airlock's origin: a path (not `//host`, no backslashes or control
 * characters) or an absolute URL with exactly that origin, reduced to its path. Anything else becomes `/`,
 * so the login flow is never an open redirect.
 *
 * The checks look at the path as the browser will use it, i.e. after `.` and `..` segments are resolved:
 * `/..//evil.example/x` and `/.//evil.example` only become `//evil.example…` (a host to a browser reading
 * `Location`) once resolved.
 */
export function safeReturnTo(value: unknown, origin: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2_048) return '/';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (/[\x00-\x20\\]/.test(value)) return '/';
  let url: URL;
  try {
    url = new URL(value, `${origin}/`);
  } catch {
    return '/';
  }
  if (url.origin !== origin) return '/';
  if (!value.startsWith('/') && !value.startsWith(`${origin}/`) && value !== origin) return '/';
  if (url.pathname.startsWith('//')) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}

@Injectable()
export class StartLogin {
  constructor(
    private readonly oidc: OidcClient,
    private readonly states: LoginStateStore,
  ) {}

  /** Resolves to the IdP URL to send the browser to and the browser-binding value for its cookie. */
  async execute(returnTo: unknown): Promise<{ redirectUrl: string; binding: string }> {
    if (!this.oidc.configured) throw new OidcNotConfiguredError();
    const state = randomSecret();
    const nonce = randomSecret();
    const codeVerifier = randomSecret();
    const binding = randomSecret();
    const redirectUrl = await this.oidc.authorizationUrl({ state, nonce, codeVerifier });
    await this.states.save(state, { nonce, codeVerifier, returnTo: safeReturnTo(returnTo, this.oidc.origin), bindingDigest: credentialDigest(binding) });
    return { redirectUrl, binding };
  }
}

export interface CallbackInput {
  state?: unknown;
  code?: unknown;
  error?: unknown;
  /** The binding cookie's value. */
  binding?: string;
  clientIp: string;
}

/**
 * The IdP's redirect back: the pending login is taken (once), the code exchanged, the ID token verified,
 * groups mapped to an Airlock principal, the tenant's MFA policy enforced, and a session created. Every
 * outcome is audited; refusals are LoginRefusedError (rendered as a page).
 */
@Injectable()
export class CompleteLogin {
  private readonly mapper: GroupMapper;

  constructor(
    @Inject(APP_CONFIG) private readonly config: Config,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly oidc: OidcClient,
    private readonly states: LoginStateStore,
    private readonly sessions: SessionStore,
    private readonly sessionLimits: TenantSessionLimits,
    private readonly audit: AuthAudit,
    private readonly profiles: UserProfiles,
  ) {
    this.mapper = new GroupMapper(config.IDENTITY_GROUP_MAPPING);
  }

  async execute(input: CallbackInput): Promise<{ sessionId: string; returnTo: string; maxAgeSeconds: number }> {
    if (!this.oidc.configured) throw new OidcNotConfiguredError();
    const failed = { type: 'auth.login' as const, outcome: 'failure' as const, clientIp: input.clientIp, endpoint: '/auth/callback' };
    try {
      return await this.complete(input);
    } catch (error) {
      if (error instanceof LoginRefusedError) {
        const { userId, tenantId, type, outcome, policyVersion } = error.refused;
        await this.audit.record({ ...failed, type: type ?? failed.type, outcome: outcome ?? failed.outcome, action: error.code, userId, tenantId, statusCode: error.httpStatus, policyVersion });
      }
      throw error;
    }
  }

  private async complete(input: CallbackInput) {
    if (typeof input.state !== 'string' || !input.state) throw new LoginRefusedError('login_state_missing', 'the login answer has no state', 400);
    const login = await this.states.take(input.state);
    if (!login) throw new LoginRefusedError('login_state_unknown', 'this login has expired or was already used', 400);
    if (!input.binding || credentialDigest(input.binding) !== login.bindingDigest) {
      throw new LoginRefusedError('login_state_mismatch', 'this login was started in another browser', 400);
    }
    if (input.error !== undefined) {
      const reason = typeof input.error === 'string' && /^[a-z_]{1,64}$/.test(input.error) ? input.error : 'unknown';
      throw new LoginRefusedError('idp_error', `the identity provider did not log you in (${reason})`, 401);
    }
    if (typeof input.code !== 'string' || !input.code || input.code.length > 2_048) throw new LoginRefusedError('login_code_missing', 'the login answer has no code', 400);

    const idToken = await this.oidc.exchangeCode(input.code, login.codeVerifier);
    const claims = await this.oidc.verify(idToken, login.nonce);
    if (!(await this.states.consumeNonce(login.nonce))) throw new LoginRefusedError('id_token_replayed', 'this sign-in answer was already used', 401);

    const userId = claims[this.config.OIDC_USER_ID_CLAIM];
    if (typeof userId !== 'string' || !ID_PATTERN.test(userId)) throw new LoginRefusedError('id_token_malformed', `the ID token has no usable ${this.config.OIDC_USER_ID_CLAIM}`, 401);
    const mapped = this.mapper.map(claims[this.config.OIDC_GROUPS_CLAIM]);
    if (typeof mapped === 'string') {
      const message = mapped === 'tenant_ambiguous' ? 'your groups name more than one Airlock tenant' : 'you have no Airlock role';
      throw new LoginRefusedError(mapped, message, 403, 'Ask your administrator for access to Airlock.').about({ userId });
    }
    const policy = tenantPolicy(mapped.tenantId, this.config.IDENTITY_TENANTS, this.config);
    if (policy.requireMfa && !hasMfa(claims, this.config.IDENTITY_MFA_ACR_VALUES)) {
      const advice = 'Log in again with your second factor (one-time code). If you have none, contact your administrator to enrol one.';
      throw new LoginRefusedError('mfa_required', 'your organisation requires multi-factor authentication for Airlock', 403, advice).about({
        userId,
        tenantId: mapped.tenantId,
        type: 'auth.login.mfa_required',
        outcome: 'denied',
      });
    }
    const principal = airlock.identity.v1.Principal.fromPartial({
      subject: userId,
      userId,
      tenantId: mapped.tenantId,
      projectId: mapped.projectId,
      roles: mapped.roles,
      kind: airlock.identity.v1.PrincipalKind.PRINCIPAL_KIND_USER,
    });
    const limits = await this.sessionLimits.forTenant(mapped.tenantId);
    if (!limits) throw new SessionPolicyUnavailableError().about({ userId, tenantId: mapped.tenantId });
    const session = await this.sessions.admit(principal, policy, idToken, limits);
    if (!session.admitted) {
      const max = session.limit === 'user' ? limits.maxPerUser : limits.maxPerTenant;
      throw new SessionLimitReachedError(session.limit, max).about({ userId, tenantId: mapped.tenantId, policyVersion: limits.policyVersion });
    }
    await this.profiles.remember(mapped.tenantId, userId, profileFromClaims(userId, claims, mapped.projects));
    for (const digest of session.evicted) {
      // The digest prefix only: enough to match the revocation, never the session id.
      this.logger.info({ tenant_id: mapped.tenantId, session: digest.slice(0, 16), rule_id: limits.ruleId, policy_version: limits.policyVersion }, 'session evicted by a newer login');
      await this.audit.record({
        type: 'auth.session.evicted',
        outcome: 'success',
        action: `evict_oldest:${limits.ruleId}`,
        userId,
        tenantId: mapped.tenantId,
        projectId: mapped.projectId,
        clientIp: input.clientIp,
        endpoint: '/auth/callback',
        policyVersion: limits.policyVersion,
      });
    }
    await this.audit.record({
      type: 'auth.login',
      outcome: 'success',
      action: Array.isArray(claims.amr) ? `amr:${claims.amr.filter((m) => typeof m === 'string').join('+')}` : 'login',
      userId,
      tenantId: mapped.tenantId,
      projectId: mapped.projectId,
      clientIp: input.clientIp,
      endpoint: '/auth/callback',
      statusCode: 302,
      policyVersion: limits.policyVersion || undefined,
    });
    return { sessionId: session.id, returnTo: login.returnTo, maxAgeSeconds: policy.sessionMaxSeconds };
  }
}
