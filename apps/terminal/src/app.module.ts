import { Module } from '@nestjs/common';
import { ConfigError } from '@airlock/config';
import { APP_CONFIG, type ServiceConfig } from '@airlock/runtime';
import { RecordingsController } from './api/recordings.controller';
import { SessionsController } from './api/sessions.controller';
import { TerminalAudit } from './audit/terminal-audit';
import { TerminalGrpcController } from './grpc/terminal.controller';
import { HotState } from './hot/hot-state';
import type { terminalConfig } from './config';
import { SessionLifecycle } from './lifecycle/session-lifecycle';
import { TerminalPolicy } from './policy/terminal-policy';
import { Pty } from './pty/pty.provider';
import { FileRecordingKeys, RecordingKeys } from './recording/recording-keys';
import { RecordingStore } from './recording/recording-store';
import { ReadRecordings } from './recording/recordings.usecases';
import { SessionRecorder } from './recording/session-recorder';
import { SessionAccess } from './sessions/session-access';
import { SessionStore } from './sessions/session-store';
import { CreateSession, ReadSessions, RenameSession, TerminateSession } from './sessions/sessions.usecases';
import { IssueTicket, ShareSession } from './sessions/share.usecases';
import { AttachSession } from './stream/attach.usecase';
import { Connections } from './stream/connections';
import { TerminalSockets } from './stream/terminal-sockets';
import { WorkspaceHosts } from './workspaces/workspace-hosts';

@Module({
  controllers: [SessionsController, RecordingsController, TerminalGrpcController],
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
    TerminalPolicy,
    // The key-encryption key of recordings; a KMS-backed RecordingKeys would be provided here instead.
    {
      provide: RecordingKeys,
      inject: [APP_CONFIG],
      useFactory: (config: ServiceConfig<typeof terminalConfig>) => {
        if (!config.TERMINAL_RECORDING_KEY_FILE) return null;
        try {
          return new FileRecordingKeys(config.TERMINAL_RECORDING_KEY_FILE.reveal());
        } catch (error) {
          throw new ConfigError([{ variable: 'TERMINAL_RECORDING_KEY_FILE', message: (error as Error).message }]);
        }
      },
    },
    RecordingStore,
    SessionRecorder,
    ReadRecordings,
  ],
})
export class AppModule {}
