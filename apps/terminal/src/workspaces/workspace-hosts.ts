// Where a terminal may run: the caller's own running workspace, as that workspace's OS account. The workspace
// service is the one that knows (WORKSPACE_ADDR); without it only the explicit development mode works.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { ConfigError } from '@airlock/config';
import { createClient, unary } from '@airlock/grpc';
import { APP_CONFIG, APP_LOGGER, GrpcStatus, grpcClientCredentials, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { terminalConfig } from '../config';
import { WorkspaceUnavailableError } from '../errors';
import { POD_ACCOUNT_PREFIX, Pty } from '../pty/pty.provider';
import type { ShellAccount } from '../pty/tmux-host';
import type { Caller } from '../sessions/session';

const { WorkspaceState } = airlock.workspace.v1;

/** Why a workspace's terminals must end: it was deleted (or is being), or it is stopped or stopping. */
export type WorkspaceEnd = 'workspace_deleted' | 'workspace_stopped';

/** What the workspace service's answer means for the terminals in it; undefined: they go on. */
export function workspaceEnd(workspace: airlock.workspace.v1.Workspace | undefined): WorkspaceEnd | undefined {
  if (!workspace) return 'workspace_deleted';
  const states = [workspace.desiredState, workspace.observedState];
  if (states.some((s) => s === WorkspaceState.WORKSPACE_STATE_DELETING || s === WorkspaceState.WORKSPACE_STATE_DELETED)) return 'workspace_deleted';
  // A restart passes through other states with RUNNING desired: only a wanted stop ends the shells.
  if (workspace.desiredState === WorkspaceState.WORKSPACE_STATE_STOPPED) return 'workspace_stopped';
  return undefined;
}

export interface WorkspaceHost {
  tenantId: string;
  ownerUserId: string;
  running: boolean;
  account: ShellAccount;
}

const hashOf = (workspaceId: string): string => createHash('sha256').update(workspaceId).digest('hex').slice(0, 16);

/** A directory name for any workspace id (ids are the workspace service's; never trusted as a path). */
export const accountKeyOf = (workspaceId: string): string => `w-${hashOf(workspaceId)}`;

/** The account key of a workspace whose shells its pod's shell host holds (Kubernetes driver). */
export const podAccountKeyOf = (workspaceId: string): string => `${POD_ACCOUNT_PREFIX}${hashOf(workspaceId)}`;

/** An account by the key a session row keeps: enough to reach its tmux socket (no new server is started). */
export const accountByKey = (key: string): ShellAccount => ({ key, home: '/' });

@Injectable()
export class WorkspaceHosts implements OnApplicationShutdown {
  private readonly client?: airlock.workspace.v1.WorkspaceServiceClient;
  private readonly homeRoot: string;

  constructor(
    @Inject(APP_CONFIG) config: ServiceConfig<typeof terminalConfig>,
    @Inject(APP_LOGGER) logger: Logger,
    private readonly pty: Pty,
  ) {
    this.homeRoot = path.join(config.TERMINAL_ROOT_DIR, 'home');
    if (config.WORKSPACE_ADDR && config.TERMINAL_STANDALONE_FOR_DEVELOPMENT) {
      throw new ConfigError([{ variable: 'TERMINAL_STANDALONE_FOR_DEVELOPMENT', message: 'must not be true when WORKSPACE_ADDR is set' }]);
    }
    if (config.WORKSPACE_ADDR) {
      this.client = createClient(airlock.workspace.v1.WorkspaceServiceClient, config.WORKSPACE_ADDR, {
        deadlineMs: config.TERMINAL_WORKSPACE_DEADLINE_MS,
        credentials: grpcClientCredentials(config),
        idempotent: ['airlock.workspace.v1.WorkspaceService/GetShellHost'],
      });
    } else if (config.TERMINAL_STANDALONE_FOR_DEVELOPMENT) {
      logger.warn('TERMINAL_STANDALONE_FOR_DEVELOPMENT: shells run as this service user, outside any workspace; development only');
    } else {
      throw new ConfigError([{ variable: 'WORKSPACE_ADDR', message: 'required (or TERMINAL_STANDALONE_FOR_DEVELOPMENT=true on a development machine)' }]);
    }
  }

  onApplicationShutdown(): void {
    this.client?.close();
  }

  /**
   * Whether the terminals of a workspace must end (the reaper asks once per workspace with live sessions). A
   * lookup that fails says nothing: shells are never ended on a guess. Development mode: never.
   */
  async ended(workspaceId: string): Promise<WorkspaceEnd | undefined> {
    if (!this.client) return undefined;
    try {
      const host = await unary(this.client.getShellHost.bind(this.client), { workspaceId });
      this.pty.rememberShellHost(podAccountKeyOf(workspaceId), host.shellHostAddress || undefined);
      return workspaceEnd(host.workspace);
    } catch (error) {
      return (error as { code?: number }).code === GrpcStatus.NOT_FOUND ? 'workspace_deleted' : undefined;
    }
  }

  /** The workspace, or undefined when it does not exist (the caller then gets the same answer as for another's). */
  async resolve(workspaceId: string, caller: Caller): Promise<WorkspaceHost | undefined> {
    const key = accountKeyOf(workspaceId);
    if (!this.client) return { tenantId: caller.tenantId, ownerUserId: caller.userId, running: true, account: { key, home: path.join(this.homeRoot, key) } };
    let host: airlock.workspace.v1.GetShellHostResponse;
    try {
      host = await unary(this.client.getShellHost.bind(this.client), { workspaceId });
    } catch (error) {
      if ((error as { code?: number }).code === GrpcStatus.NOT_FOUND) return undefined;
      throw new WorkspaceUnavailableError(error);
    }
    const workspace = host.workspace;
    if (!workspace) return undefined;
    if (host.shellHostAddress) {
      // In its pod (Kubernetes): the pod's shell host holds the shells, as the workspace container's uid.
      const podKey = podAccountKeyOf(workspaceId);
      this.pty.rememberShellHost(podKey, host.shellHostAddress);
      return { tenantId: workspace.tenantId, ownerUserId: workspace.ownerUserId, running: host.running, account: { key: podKey, home: host.home } };
    }
    return {
      tenantId: workspace.tenantId,
      ownerUserId: workspace.ownerUserId,
      running: host.running && workspace.observedState === WorkspaceState.WORKSPACE_STATE_RUNNING,
      // The workspace's own account (setpriv drops to it; not needed when it is this service's user), home, and
      // box (the pid and mount namespaces nsenter joins) when the workspace has one.
      account: {
        key,
        home: host.home,
        ...(host.uid === process.getuid?.() ? {} : { uid: host.uid, gid: host.gid }),
        ...(host.namespacePid ? { namespacePid: host.namespacePid } : {}),
      },
    };
  }
}
