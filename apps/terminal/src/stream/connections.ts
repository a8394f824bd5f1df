import { Injectable } from '@nestjs/common';

/** What the service needs of one open terminal connection. */
export interface OpenConnection {
  readonly userId: string;
  /** Text frame with a control message. */
  notify(message: Record<string, unknown>): void;
  setLocked(locked: boolean): void;
  close(code: number, reason: string): void;
}

/** WebSocket close codes the client can act on (openapi.yaml). */
export const CLOSE = { unshared: 4403, terminated: 4410 } as const;

/**
 * The open connections of this process by session: whom to tell about a lock, a withdrawn invitation or the
 * end of a session. A connection lives only as long as this process, so this is memory, not Redis.
 */
@Injectable()
export class Connections {
  private readonly bySession = new Map<string, Set<OpenConnection>>();

  add(sessionId: string, connection: OpenConnection): number {
    const set = this.bySession.get(sessionId) ?? new Set();
    set.add(connection);
    this.bySession.set(sessionId, set);
    return set.size;
  }

  /** How many remain. */
  remove(sessionId: string, connection: OpenConnection): number {
    const set = this.bySession.get(sessionId);
    if (!set) return 0;
    set.delete(connection);
    if (set.size === 0) this.bySession.delete(sessionId);
    return set.size;
  }

  count(sessionId: string): number {
    return this.bySession.get(sessionId)?.size ?? 0;
  }

  setLocked(sessionId: string, locked: boolean): void {
    for (const c of this.bySession.get(sessionId) ?? []) c.setLocked(locked);
  }

  closeAll(sessionId: string, code: number, reason: string): void {
    for (const c of [...(this.bySession.get(sessionId) ?? [])]) c.close(code, reason);
  }

  closeUser(sessionId: string, userId: string, code: number, reason: string): void {
    for (const c of [...(this.bySession.get(sessionId) ?? [])]) if (c.userId === userId) c.close(code, reason);
  }

  /** Sessions with at least one connection here. */
  attachedIds(): string[] {
    return [...this.bySession.keys()];
  }
}
