import { Injectable } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { AuthAudit } from '../audit/auth-audit';
import { OidcClient } from '../login/oidc-client';
import { SessionStore } from './session-store';

/** The airlock_session cookie's session → its principal, restarting the idle timer. */
@Injectable()
export class VerifySession {
  constructor(private readonly sessions: SessionStore) {}

  async execute(sessionId: string): Promise<airlock.identity.v1.VerifySessionResponse> {
    const found = await this.sessions.touch(sessionId);
    if (typeof found === 'string') return { valid: false, principal: undefined, errorCode: found, expiresAtUnix: 0 };
    return { valid: true, principal: found.session.principal, errorCode: '', expiresAtUnix: found.expiresAt };
  }
}

/** Ends the session (policy's caches are told) and names the IdP's logout URL, when it has one. */
@Injectable()
export class Logout {
  constructor(
    private readonly sessions: SessionStore,
    private readonly oidc: OidcClient,
    private readonly audit: AuthAudit,
  ) {}

  async execute(sessionId: string | undefined, clientIp: string): Promise<{ endSessionUrl?: string }> {
    const ended = sessionId ? await this.sessions.revoke(sessionId) : undefined;
    if (!ended) return {};
    const p = ended.principal;
    await this.audit.record({ type: 'auth.logout', outcome: 'success', action: 'logout', userId: p.userId, tenantId: p.tenantId, projectId: p.projectId, clientIp, endpoint: '/auth/logout', statusCode: 303 });
    return { endSessionUrl: this.oidc.configured ? await this.oidc.endSessionUrl(ended.idToken) : undefined };
  }
}
