import { Inject, Injectable } from '@nestjs/common';
import type { AssertedIdentity } from '@airlock/identity-assertion';
import { APP_CONFIG, type ServiceConfig } from '@airlock/runtime';
import { tenantTimeZone } from '../login/login-policy';
import type { identityConfig } from '../config';
import { UserProfiles } from './user-profiles';

/** `GET /api/identity/v1/me`: the portal's picture of who is signed in. */
export interface Me {
  user_id: string;
  display_name: string;
  email: string | null;
  tenant_id: string;
  roles: string[];
  projects: string[];
  /** How this request authenticated: the browser's session or a bearer token. */
  auth: 'session' | 'token';
  /** When that credential expires (a session's at this request: its idle timer restarts with every use). */
  expires_at: string | null;
  /** The tenant's IANA time zone, for showing times. */
  time_zone: string;
}

/**
 * Who the caller is: identity and credential from the edge's signed assertion, name and email from the
 * latest sign-in's profile, time zone from the tenant's settings.
 */
@Injectable()
export class GetMe {
  constructor(
    private readonly profiles: UserProfiles,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof identityConfig>,
  ) {}

  async execute(caller: AssertedIdentity): Promise<Me> {
    const profile = await this.profiles.find(caller.tenantId, caller.userId);
    return {
      user_id: caller.userId,
      display_name: profile?.displayName ?? caller.userId,
      email: profile?.email ?? null,
      tenant_id: caller.tenantId,
      roles: caller.roles,
      projects: profile?.projects ?? (caller.projectId ? [caller.projectId] : []),
      // An assertion without `auth` comes from a policy that predates the claim: reported as a token (the
      // credential of callers outside a browser) rather than failing the request.
      auth: caller.auth ?? 'token',
      expires_at: caller.authExpiresAt ? new Date(caller.authExpiresAt * 1000).toISOString() : null,
      time_zone: tenantTimeZone(caller.tenantId, this.config.IDENTITY_TENANTS, this.config.IDENTITY_TIME_ZONE),
    };
  }
}
