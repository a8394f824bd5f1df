import { Injectable } from '@nestjs/common';
import { TerminalAudit } from '../audit/terminal-audit';
import { InvalidRequestError, SessionTerminatedError, ShareModeForbiddenError } from '../errors';
import { HotState } from '../hot/hot-state';
import { CLOSE, Connections } from '../stream/connections';
import { sessionView, type Caller, type SessionView, type ShareMode } from './session';
import { SessionAccess } from './session-access';
import { SessionStore } from './session-store';

export function parseShare(body: unknown): { userId: string; mode: ShareMode } {
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b.user_id !== 'string' || !/^[^\p{Cc}]{1,128}$/u.test(b.user_id)) throw new InvalidRequestError('user_id is required');
  if (b.mode !== 'read-only' && b.mode !== 'read-write') throw new InvalidRequestError('mode must be read-only or read-write');
  return { userId: b.user_id, mode: b.mode };
}

/** The owner invites someone of the same tenant (the session's tenant is the only one a guest can be from). */
@Injectable()
export class ShareSession {
  constructor(
    private readonly store: SessionStore,
    private readonly access: SessionAccess,
    private readonly hot: HotState,
    private readonly connections: Connections,
    private readonly audit: TerminalAudit,
  ) {}

  async share(caller: Caller, id: string, guest: { userId: string; mode: ShareMode }): Promise<SessionView> {
    const { session } = await this.access.require(id, caller, true);
    if (guest.userId === caller.userId) throw new InvalidRequestError('the owner already has the session');
    if (guest.mode === 'read-write' && !session.limits.allowReadWriteSharing) throw new ShareModeForbiddenError();
    await this.store.share(id, guest.userId, guest.mode);
    // A changed mode takes effect on the guest's next attach; an open connection keeps the access it had.
    if (guest.mode === 'read-only') this.connections.closeUser(id, guest.userId, CLOSE.unshared, 'access changed');
    await this.audit.record({ action: 'share', session, actor: caller.userId, target: `${guest.userId} ${guest.mode}` });
    const shares = [...session.shares.filter((s) => s.userId !== guest.userId), guest].sort((a, b) => a.userId.localeCompare(b.userId));
    return sessionView({ ...session, shares }, 'owner', (await this.hot.live(id)).locked);
  }

  async unshare(caller: Caller, id: string, userId: string): Promise<void> {
    const { session } = await this.access.require(id, caller, true);
    await this.store.unshare(id, userId);
    this.connections.closeUser(id, userId, CLOSE.unshared, 'invitation withdrawn');
    if (session.shares.some((s) => s.userId === userId)) await this.audit.record({ action: 'unshare', session, actor: caller.userId, target: userId });
  }
}

export interface IssuedTicket {
  ticket: string;
  expires_in: number;
  url: string;
  mode: 'read-write' | 'read-only';
}

/**
 * A single-use ticket for one attach. The edge has just authenticated the caller for this call, so for the owner
 * it is also the re-authentication an idle-locked session waits for: the lock is lifted here.
 */
@Injectable()
export class IssueTicket {
  constructor(
    private readonly access: SessionAccess,
    private readonly hot: HotState,
    private readonly connections: Connections,
    private readonly audit: TerminalAudit,
  ) {}

  async execute(caller: Caller, id: string, correlationId?: string): Promise<IssuedTicket> {
    const { session, access } = await this.access.require(id, caller);
    if (session.state === 'terminated') throw new SessionTerminatedError();
    if (access === 'owner' && (await this.hot.live(id)).locked) {
      await this.hot.setLocked(id, false, Date.now());
      this.connections.setLocked(id, false);
      await this.audit.record({ action: 'unlock', session, actor: caller.userId, correlationId });
    }
    const ticket = await this.hot.issueTicket({ sessionId: id, tenantId: caller.tenantId, userId: caller.userId, access });
    return { ticket, expires_in: this.hot.ticketTtl, url: `/ws/terminal/v1/sessions/${id}?ticket=${ticket}`, mode: access === 'read-only' ? 'read-only' : 'read-write' };
  }
}
