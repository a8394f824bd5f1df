import { Module } from '@nestjs/common';
import { SessionsController } from './api/sessions.controller';
import { TerminalAudit } from './audit/terminal-audit';
import { TerminalGrpcController } from './grpc/terminal.controller';
import { HotState } from './hot/hot-state';
import { SessionLifecycle } from './lifecycle/session-lifecycle';
import { Pty } from './pty/pty.provider';
import { SessionAccess } from './sessions/session-access';
import { SessionStore } from './sessions/session-store';
import { CreateSession, ReadSessions, RenameSession, TerminateSession } from './sessions/sessions.usecases';
import { IssueTicket, ShareSession } from './sessions/share.usecases';
import { AttachSession } from './stream/attach.usecase';
import { Connections } from './stream/connections';
import { TerminalSockets } from './stream/terminal-sockets';
import { WorkspaceHosts } from './workspaces/workspace-hosts';

@Module({
  controllers: [SessionsController, TerminalGrpcController],
  providers: [
    SessionStore,
    HotState,
    Pty,
    TerminalAudit,
    WorkspaceHosts,
    Connections,
    SessionAccess,
    CreateSession,
    ReadSessions,
    RenameSession,
    TerminateSession,
    ShareSession,
    IssueTicket,
    AttachSession,
    TerminalSockets,
    SessionLifecycle,
  ],
})
export class AppModule {}
