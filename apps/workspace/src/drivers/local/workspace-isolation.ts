// What keeps a local workspace in its box besides its own OS account: a pid namespace (other users' processes are
// invisible; /proc is the namespace's own) and the egress firewall. Decided once at boot: when any part cannot be
// applied here the driver refuses to start workspaces (FAILED, `workspace_isolation_unavailable`) unless the
// development setting WORKSPACE_LOCAL_ALLOW_UNISOLATED=true lets them run, marked unisolated.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import type { DriverLog } from '../driver';
import type { NetworkConfig } from '../kubernetes/network';
import { EgressFirewall, nftBinary, nftUsable } from './egress-firewall';
import { allProcs, pidNamespaceOf, type ProcInfo } from './procfs';
import type { IsolationMode, RunAs } from './os-user';

/** The reason code a refused start reports (first word of the observed detail; listed in the README). */
export const ISOLATION_UNAVAILABLE = 'workspace_isolation_unavailable';

const UNSHARE_PATHS = ['/usr/bin/unshare', '/bin/unshare'];
const SETPRIV_PATHS = ['/usr/bin/setpriv', '/bin/setpriv'];

const firstExisting = (paths: string[]): string | undefined => paths.find((p) => existsSync(p));

export interface IsolationProbe {
  accountMode: IsolationMode;
  nft?: string;
  unshare?: string;
  setpriv?: string;
  /** Whether nft may change rules here; tested at boot. */
  nftCheck: (nft: string | undefined) => { ok: boolean; reason: string };
  /** Whether a pid namespace can be created here; tested at boot. */
  pidNamespaceCheck: (unshare: string) => boolean;
}

function pidNamespaceWorks(unshare: string): boolean {
  return spawnSync(unshare, ['--pid', '--fork', '--mount-proc', '--', 'true'], { timeout: 10_000 }).status === 0;
}

export function systemProbe(accountMode: IsolationMode): IsolationProbe {
  return {
    accountMode,
    nft: nftBinary(),
    unshare: firstExisting(UNSHARE_PATHS),
    setpriv: firstExisting(SETPRIV_PATHS),
    nftCheck: nftUsable,
    pidNamespaceCheck: pidNamespaceWorks,
  };
}

export type IsolationDecision = { available: true; nft: string; unshare: string; setpriv: string } | { available: false; reason: string };

/** Whether every part of the isolation can be applied on this machine, or the first reason it cannot. */
export function decideIsolation(probe: IsolationProbe): IsolationDecision {
  if (probe.accountMode !== 'per-user') return { available: false, reason: 'no per-user OS accounts (needs root with useradd)' };
  const nft = probe.nftCheck(probe.nft);
  if (!nft.ok || !probe.nft) return { available: false, reason: nft.reason };
  if (!probe.unshare || !probe.setpriv) return { available: false, reason: 'unshare(1) or setpriv(1) is not installed (Debian package util-linux)' };
  if (!probe.pidNamespaceCheck(probe.unshare)) return { available: false, reason: 'unshare --pid --mount-proc failed (no CAP_SYS_ADMIN here)' };
  return { available: true, nft: probe.nft, unshare: probe.unshare, setpriv: probe.setpriv };
}

/**
 * The command that runs `command args` as `as` in a new pid namespace with its own /proc: unshare (as root)
 * forks the namespace's first process, which drops to the account (no supplementary groups, no new privileges
 * through setuid binaries) before it executes the workspace. --kill-child: when unshare dies, so does the box.
 */
export function isolatedCommand(tools: { unshare: string; setpriv: string }, as: RunAs, command: string, args: string[]): { command: string; args: string[] } {
  return {
    command: tools.unshare,
    args: [
      '--pid',
      '--fork',
      '--mount-proc',
      '--kill-child',
      '--',
      tools.setpriv,
      `--reuid=${as.uid}`,
      `--regid=${as.gid}`,
      '--clear-groups',
      '--no-new-privs',
      '--',
      command,
      ...args,
    ],
  };
}

/**
 * The first process of a box's pid namespace (its pid 1), by this machine's pid: `isolatedCommand`'s unshare stays
 * outside the namespace and forks it. A terminal's shell joins the box through it (nsenter --target, pid and
 * mount namespaces: the box's own /proc). undefined: the instance runs without a namespace of its own (unisolated),
 * or the box is gone.
 */
export function namespaceRootOf(startedPid: number, procs: ProcInfo[] = allProcs()): number | undefined {
  const own = pidNamespaceOf('self');
  const inBox = (pid: number) => {
    const ns = pidNamespaceOf(pid);
    return ns !== undefined && ns !== own;
  };
  if (inBox(startedPid)) return startedPid;
  return procs.find((p) => p.ppid === startedPid && p.state !== 'Z' && inBox(p.pid))?.pid;
}

export interface IsolationOptions {
  rootDir: string;
  gatewayUrl: string;
  network: NetworkConfig;
  allowUnisolated: boolean;
  log?: DriverLog;
}

/** The isolation of one local driver: its decision, its firewall (when available), and the boot log's summary. */
export class WorkspaceIsolation {
  readonly decision: IsolationDecision;
  readonly firewall?: EgressFirewall;

  constructor(
    private readonly options: IsolationOptions,
    probe: IsolationProbe,
  ) {
    this.decision = decideIsolation(probe);
    if (this.decision.available) {
      this.firewall = new EgressFirewall({ rootDir: options.rootDir, nft: this.decision.nft, gatewayUrl: options.gatewayUrl, network: options.network, log: options.log });
    }
  }

  /** undefined: workspaces may start (isolated, or unisolated by the development setting); else why they may not. */
  refusal(): string | undefined {
    if (this.decision.available || this.options.allowUnisolated) return undefined;
    return `${ISOLATION_UNAVAILABLE}: ${this.decision.reason}; set WORKSPACE_LOCAL_ALLOW_UNISOLATED=true only on a development machine`;
  }

  get unisolated(): boolean {
    return !this.decision.available;
  }

  /** For the boot log: what is enforced and what of the allow-list does not apply here. */
  summary(): Record<string, unknown> {
    if (!this.decision.available) return { isolated: false, reason: this.decision.reason, allow_unisolated: this.options.allowUnisolated };
    const { destinations, skipped } = this.firewall!.staticAllowList();
    return {
      isolated: true,
      nft_table: this.firewall!.table,
      egress_allowed: ['edge (WORKSPACE_GATEWAY_URL)', ...destinations.map((d) => `${d.purpose} ${d.cidr}${d.port ? ` ${d.protocol}/${d.port}` : ''}`)],
      egress_not_applicable: skipped,
    };
  }
}
