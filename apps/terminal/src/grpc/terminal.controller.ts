import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { airlock } from '@airlock/contracts';
import { InvalidRequestError } from '../errors';
import { HotState } from '../hot/hot-state';
import { SessionStore } from '../sessions/session-store';
import { TerminateSession } from '../sessions/sessions.usecases';

/** The workspace service's and operators' face (proto/airlock/terminal/v1). */
@Controller()
export class TerminalGrpcController {
  constructor(
    private readonly store: SessionStore,
    private readonly hot: HotState,
    private readonly terminate: TerminateSession,
  ) {}

  @GrpcMethod('TerminalService', 'ListSessions')
  async list(request: airlock.terminal.v1.ListSessionsRequest): Promise<airlock.terminal.v1.ListSessionsResponse> {
    if (!request.tenantId) throw new InvalidRequestError('tenant_id is required');
    const sessions = await this.store.listLive({ tenantId: request.tenantId, workspaceId: request.workspaceId });
    return {
      sessions: await Promise.all(
        sessions.map(async (s) => ({
          id: s.id,
          tenantId: s.tenantId,
          workspaceId: s.workspaceId,
          ownerUserId: s.ownerUserId,
          name: s.name,
          state: s.state,
          createdAt: s.createdAt.toISOString(),
          locked: (await this.hot.live(s.id)).locked,
        })),
      ),
    };
  }

  @GrpcMethod('TerminalService', 'TerminateSessions')
  async terminateAll(request: airlock.terminal.v1.TerminateSessionsRequest): Promise<airlock.terminal.v1.TerminateSessionsResponse> {
    if (!request.tenantId || !request.workspaceId) throw new InvalidRequestError('tenant_id and workspace_id are required');
    let terminated = 0;
    for (const s of await this.store.listLive({ tenantId: request.tenantId, workspaceId: request.workspaceId })) {
      if (await this.terminate.execute(s, '', request.reason || 'workspace_request')) terminated++;
    }
    return { terminated };
  }
}
