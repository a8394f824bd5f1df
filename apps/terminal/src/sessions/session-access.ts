import { Injectable } from '@nestjs/common';
import { SessionNotFoundError, TerminalForbiddenError } from '../errors';
import { accessOf, type Access, type Caller, type TerminalSession } from './session';
import { SessionStore } from './session-store';

const SESSION_ID = /^t_[A-Za-z0-9_-]{22}$/;

/** Loads a session for a caller and says what the caller may do with it; the one place that decides 404 vs 403. */
@Injectable()
export class SessionAccess {
  constructor(private readonly store: SessionStore) {}

  async require(id: string, caller: Caller, ownerOnly = false): Promise<{ session: TerminalSession; access: Access }> {
    const session = SESSION_ID.test(id) ? await this.store.get(id) : undefined;
    if (!session) throw new SessionNotFoundError();
    const access = accessOf(session, caller);
    if (!access) throw new TerminalForbiddenError();
    if (ownerOnly && access !== 'owner') throw new TerminalForbiddenError('only the owner of this terminal session may do this');
    return { session, access };
  }
}
