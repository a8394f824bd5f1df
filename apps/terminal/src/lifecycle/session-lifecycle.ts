import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import { TerminalAudit } from '../audit/terminal-audit';
import type { terminalConfig } from '../config';
import { HotState } from '../hot/hot-state';
import { terminalMetrics } from '../metrics';
import { Pty } from '../pty/pty.provider';
import { shellProcessUsage, type ProcessUsage } from '../pty/process-usage';
import type { TerminalSession } from '../sessions/session';
import { SessionStore } from '../sessions/session-store';
import { TerminateSession } from '../sessions/sessions.usecases';
import { Connections } from '../stream/connections';
import { accountByKey, WorkspaceHosts } from '../workspaces/workspace-hosts';

const CREATE_GRACE_MS = 30_000;

/** Whether a session has gone without input for longer than the idle lock allows (0: never locks). */
export function idleLockDue(lastInputMs: number, nowMs: number, lockSeconds: number): boolean {
  return lockSeconds > 0 && nowMs - lastInputMs >= lockSeconds * 1000;
}

/**
 * The service's own part of the lifecycle. At boot it finds its sessions again: PostgreSQL's live rows are
 * compared with what each account's tmux server holds (rows whose shell is gone end; shells without a live row
 * are killed), and nobody counts as attached any more. Then, every TERMINAL_REAPER_INTERVAL_SECONDS, detached
 * sessions past their TTL are ended, sessions idle past their idle lock are locked, and shells that
 * exited while nobody watched are noticed.
 */
@Injectable()
export class SessionLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private counts = { attached: 0, detached: 0, locked: 0 };
  private usage?: ProcessUsage;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof terminalConfig>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly store: SessionStore,
    private readonly hot: HotState,
    private readonly pty: Pty,
    private readonly connections: Connections,
    private readonly terminate: TerminateSession,
    private readonly audit: TerminalAudit,
    private readonly workspaces: WorkspaceHosts,
  ) {
    terminalMetrics.sessions.addCallback((result) => {
      for (const [state, n] of Object.entries(this.counts)) result.observe(n, { state });
    });
    terminalMetrics.ptyProcesses.addCallback((result) => this.usage && result.observe(this.usage.processes));
    terminalMetrics.ptyCpu.addCallback((result) => this.usage && result.observe(this.usage.cpuSeconds));
    terminalMetrics.ptyMemory.addCallback((result) => this.usage && result.observe(this.usage.rssBytes));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.recover();
    this.timer = setInterval(() => {
      this.running ??= this.tick()
        .catch((error: unknown) => this.logger.warn({ err: String(error) }, 'terminal reaper pass failed'))
        .finally(() => (this.running = undefined));
    }, this.config.TERMINAL_REAPER_INTERVAL_SECONDS * 1000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** After a start: every session row matched with its shell. */
  async recover(): Promise<{ recovered: number; gone: number; orphans: number }> {
    await this.store.detachAll();
    const live = await this.store.listLive();
    await this.hot.resetClients(live.map((s) => s.id));
    // Asks the workspace service about each workspace first: where a pod's shells are is learnt from its answers.
    await this.endWithWorkspaces(live);
    const { gone, orphans } = await this.matchShells(live, true);
    const result = { recovered: live.length - gone, gone, orphans };
    this.logger.info(result, 'terminal sessions recovered');
    return result;
  }

  /** Ends rows whose shell is gone; with `killOrphans`, kills shells no live row claims. */
  private async matchShells(live: TerminalSession[], killOrphans: boolean): Promise<{ gone: number; orphans: number }> {
    const byAccount = new Map<string, TerminalSession[]>();
    for (const s of live) byAccount.set(s.accountKey, [...(byAccount.get(s.accountKey) ?? []), s]);
    let gone = 0;
    let orphans = 0;
    for (const [key, sessions] of byAccount) {
      // A pod whose shell host's address is not known now (its lookup failed) is not a pod without shells.
      if (!this.pty.reachable(key)) continue;
      const names = new Set(await this.pty.list(accountByKey(key)));
      for (const s of sessions) {
        // A create in flight has its row before its shell.
        if (names.has(s.id) || Date.now() - s.createdAt.getTime() < CREATE_GRACE_MS) continue;
        if (await this.terminate.execute(s, '', 'shell_exited')) gone++;
      }
      if (!killOrphans) continue;
      const claimed = new Set(sessions.map((s) => s.id));
      for (const name of names) {
        if (claimed.has(name) || !name.startsWith('t_')) continue;
        await this.pty.kill(accountByKey(key), name);
        orphans++;
      }
    }
    return { gone, orphans };
  }

  /**
   * Sessions of workspaces that were deleted or stopped end here (reason workspace_deleted / workspace_stopped):
   * the terminal side notices within one reaper interval, so the workspace service needs no call back into this one.
   */
  private async endWithWorkspaces(live: TerminalSession[]): Promise<void> {
    const byWorkspace = new Map<string, TerminalSession[]>();
    for (const s of live) byWorkspace.set(s.workspaceId, [...(byWorkspace.get(s.workspaceId) ?? []), s]);
    for (const [workspaceId, sessions] of byWorkspace) {
      const reason = await this.workspaces.ended(workspaceId);
      if (!reason) continue;
      for (const s of sessions) await this.terminate.execute(s, '', reason);
    }
  }

  /** One pass of the reaper. */
  async tick(nowMs = Date.now()): Promise<void> {
    for (const s of await this.store.detachedExpired(new Date(nowMs))) {
      await this.terminate.execute(s, '', 'ttl_expired');
    }
    await this.endWithWorkspaces(await this.store.listLive());
    const live = await this.store.listLive();
    await this.matchShells(live, false);
    let locked = 0;
    // Read at once (one round trip for all, the commands pipelined on the connection), not one session after
    // another: a pass then takes the event loop for a few turns, not for as many round trips as there are sessions.
    const states = await Promise.all(live.map((s) => this.hot.live(s.id)));
    for (const [i, s] of live.entries()) {
      const state = states[i]!;
      if (state.locked) {
        locked++;
        continue;
      }
      if (!idleLockDue(state.lastInputMs, nowMs, s.limits.idleLockSeconds)) continue;
      await this.hot.setLocked(s.id, true, nowMs);
      this.connections.setLocked(s.id, true);
      await this.audit.record({ action: 'lock', session: s, actor: '', target: 'idle' });
      locked++;
    }
    this.counts = { attached: live.filter((s) => s.state === 'attached').length, detached: live.filter((s) => s.state === 'detached').length, locked };
    this.usage = await shellProcessUsage(this.config.TERMINAL_ROOT_DIR).catch((error: unknown) => {
      this.logger.debug({ err: String(error) }, 'reading the shells’ processes from /proc failed');
      return undefined;
    });
  }
}
