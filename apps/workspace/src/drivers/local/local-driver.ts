// The embedded driver: each workspace is a real code-server process on this machine. Processes are started
// detached (their own session), so a crash or restart of the workspace service leaves them running; the
// next reconciler adopts them (instance record + /healthz) or, when they are not what the registry wants,
// kills them. Every process a workspace starts carries AIRLOCK_WORKSPACE_KEY in its environment, so even a
// process whose record was lost mid-start (or that escaped the process tree) is found and cleaned up.
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, mkdirSync, openSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import type { CatalogueImage } from '../../catalogue/catalogue';
import type { ActivitySample, DriverLog, GatewayToken, HeldToken, Observation, ShellHost, WorkspaceDriver, WorkspaceSpec } from '../driver';
import { WORKSPACE_ID_PATTERN } from '../../workspaces/workspace-input';
import { WORKSPACE_KEY_VAR, codeServerCommand, prlimitInstalled, rlimits, type ProcessLimits } from './code-server-command';
import { HomeLayout, writeJsonAtomically } from './home-layout';
import { TICKS_PER_SECOND, allProcs, cmdline, isAlive, killTree, processesByEnv, readProc, type ProcInfo } from './procfs';
import { chooseIsolation, ensureAccount, groupOf, serviceUser, type IsolationMode, type RunAs } from './os-user';
import { SharedExtensions } from './shared-extensions';
import { GatewayTokenFiles } from './token-files';
import { WorkspaceIsolation, isolatedCommand, namespaceRootOf, systemProbe } from './workspace-isolation';
import type { NetworkConfig } from '../kubernetes/network';

const SHELLS = new Set(['bash', 'sh', 'dash', 'zsh', 'fish', 'ksh']);

export interface LocalDriverOptions {
  /**
   * Where workspaces live: `<root>/<id>/{home,tmp,secrets}` plus the instance record, and what they share
   * read-only: `<root>/.extensions/<image>-<hash>/`, `<root>/.shared/gateway-ca.pem`. One registry per root.
   */
  rootDir: string;
  /** code-server's `out/node/entry.js` (installed from the npm registry at the catalogue's pin). */
  codeServerEntry: string;
  /** The Node 24 binary code-server was built for. */
  nodeBin: string;
  isolation: 'auto' | 'per-user' | 'service-user';
  allowDownloads: boolean;
  allowUploads: boolean;
  /** How long one ensureRunning call waits for a fresh process's /healthz before reporting PROVISIONING. */
  startWaitMs: number;
  /** A process that has not answered /healthz this long after its start is killed and reported FAILED. */
  readyTimeoutMs: number;
  /** Open files per process (RLIMIT_NOFILE). */
  maxOpenFiles: number;
  /** Processes per OS account (RLIMIT_NPROC); only with per-user accounts (it counts per uid). */
  maxProcesses: number;
  /** The catalogue entry of an image (its pinned VSIX files); undefined: no extensions for it. */
  catalogue?: (image: string) => CatalogueImage | undefined;
  /** The extension store holding the catalogued VSIX files (WORKSPACE_VSIX_DIR); empty: none verifies. */
  vsixDir?: string;
  /** A PEM bundle workspaces must trust for the gateway's TLS (WORKSPACE_GATEWAY_CA_FILE); empty: none. */
  gatewayCaFile?: string;
  /** The edge as workspaces reach it (WORKSPACE_GATEWAY_URL): the one destination always allowed. */
  gatewayUrl: string;
  /** The allow-list the Kubernetes NetworkPolicy renders (WORKSPACE_K8S_NETWORK); its CIDR peers apply here. */
  network: NetworkConfig;
  /** Development only: start workspaces even where isolation cannot be applied (they are marked unisolated). */
  allowUnisolated: boolean;
  log?: DriverLog;
}

export interface Health {
  status: string;
  lastHeartbeat: number;
}

interface InstanceRecord {
  pid: number;
  startTime: number;
  generation: number;
  image: string;
  socket: string;
  uid: number;
  startedAt: number;
}

/** Enforced limits and isolation, for the boot log and the README's promise. */
export interface LocalEnforcement {
  isolation: IsolationMode;
  isolationReason: string;
  prlimit: string[];
  notEnforced: string[];
  /** The pid namespace and egress firewall, or why they cannot be applied. */
  confinement: Record<string, unknown>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** GET /healthz over the workspace's Unix socket. */
export function probeHealth(socket: string, timeoutMs = 1_000): Promise<Health | undefined> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, path: '/healthz', method: 'GET', timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Partial<Health>;
          resolve(res.statusCode === 200 && typeof body.status === 'string' ? { status: body.status, lastHeartbeat: Number(body.lastHeartbeat ?? 0) } : undefined);
        } catch {
          resolve(undefined);
        }
      });
      res.on('error', () => resolve(undefined));
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

export class LocalDriver implements WorkspaceDriver {
  readonly name = 'local';
  readonly enforcement: LocalEnforcement;
  private readonly layout: HomeLayout;
  private readonly tokens: GatewayTokenFiles;
  private readonly extensions: SharedExtensions;
  /** What prlimit(1) applies to every process; undefined when it is not installed. */
  private readonly limits?: ProcessLimits;
  private readonly isolation: WorkspaceIsolation;
  /** Accounts of workspaces being started: in the firewall before their record exists. */
  private readonly starting = new Map<number, number>();

  constructor(private readonly options: LocalDriverOptions) {
    this.layout = new HomeLayout(options.rootDir);
    this.tokens = new GatewayTokenFiles(this.layout, options.log);
    const { mode, reason } = chooseIsolation(options.isolation, [options.rootDir, options.codeServerEntry, options.nodeBin, this.layout.socketRoot]);
    const hasPrlimit = prlimitInstalled();
    this.isolation = new WorkspaceIsolation(
      { rootDir: options.rootDir, gatewayUrl: options.gatewayUrl, network: options.network, allowUnisolated: options.allowUnisolated, log: options.log },
      systemProbe(mode),
    );
    if (hasPrlimit) this.limits = { maxOpenFiles: options.maxOpenFiles, maxProcesses: options.maxProcesses, perUserAccounts: mode === 'per-user' };
    this.extensions = new SharedExtensions({
      baseDir: path.join(options.rootDir, '.extensions'),
      vsixDir: options.vsixDir ?? '',
      codeServerEntry: options.codeServerEntry,
      nodeBin: options.nodeBin,
      log: options.log,
    });
    this.enforcement = {
      isolation: mode,
      isolationReason: reason,
      prlimit: this.limits ? rlimits(this.limits, '<disk_gib>') : [],
      notEnforced: [
        'cpu_millis and memory_mib (needs a delegated cgroup v2 hierarchy; RLIMIT_AS would break V8 and WebAssembly, RLIMIT_CPU counts total CPU time)',
        'disk_gib as a quota (fsize caps single files only)',
        ...(hasPrlimit ? [] : ['every rlimit: prlimit(1) is not installed']),
        ...(mode === 'per-user' ? [] : ['separate OS accounts: every workspace runs as the service user']),
        ...(this.isolation.unisolated ? ['pid namespace and egress firewall'] : []),
      ],
      confinement: this.isolation.summary(),
    };
  }

  /** Where the workspace reads its gateway token (the generated client configs name it). */
  tokenPath(id: string): string {
    return this.layout.tokenPath(id);
  }

  /**
   * The gateway's CA bundle as workspaces read it: a copy under `<root>/.shared` (0644), since the configured
   * file may sit in a directory only the service can enter. Undefined when none is configured.
   */
  gatewayCaPath(): string | undefined {
    return this.options.gatewayCaFile ? path.join(this.options.rootDir, '.shared', 'gateway-ca.pem') : undefined;
  }

  /** Refreshes the shared CA copy (the source may be created or renewed after the service started). */
  private shareGatewayCa(): void {
    const target = this.gatewayCaPath();
    if (!target || !this.options.gatewayCaFile) return;
    try {
      mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
      chmodSync(path.dirname(target), 0o755);
      copyFileSync(this.options.gatewayCaFile, `${target}.tmp`);
      chmodSync(`${target}.tmp`, 0o644);
      renameSync(`${target}.tmp`, target);
    } catch (error) {
      this.options.log?.('warn', 'could not share the gateway CA bundle with workspaces', { err: (error as NodeJS.ErrnoException).code ?? String(error) });
    }
  }

  async heldToken(spec: WorkspaceSpec): Promise<HeldToken | undefined> {
    return this.tokens.held(spec.id);
  }

  async storeToken(spec: WorkspaceSpec, token: GatewayToken): Promise<void> {
    this.tokens.store(spec.id, token, await this.account(spec));
  }

  private readRecord(id: string): InstanceRecord | undefined {
    try {
      return JSON.parse(readFileSync(this.layout.instanceFile(id), 'utf8')) as InstanceRecord;
    } catch {
      return undefined;
    }
  }

  /** The live instance's socket, for the browser route; undefined when it is not running. */
  browserEndpoint(id: string): { socketPath: string } | undefined {
    if (!WORKSPACE_ID_PATTERN.test(id)) return undefined;
    const record = this.readRecord(id);
    return record && isAlive(record.pid, record.startTime) ? { socketPath: record.socket } : undefined;
  }

  /** The running instance's account (its record's uid), home and box (its pid namespace), for a terminal's shell. */
  async shellHost(id: string): Promise<ShellHost | undefined> {
    if (!WORKSPACE_ID_PATTERN.test(id)) return undefined;
    const record = this.readRecord(id);
    if (!record || !isAlive(record.pid, record.startTime)) return undefined;
    const gid = groupOf(record.uid);
    if (gid === undefined) return undefined;
    const namespacePid = namespaceRootOf(record.pid);
    return { uid: record.uid, gid, home: this.layout.homeOf(id), ...(namespacePid === undefined ? {} : { namespacePid }) };
  }

  private processesOf(id: string, procs?: ProcInfo[]): ProcInfo[] {
    return processesByEnv(WORKSPACE_KEY_VAR, procs).get(this.layout.processKey(id)) ?? [];
  }

  private async killAll(id: string): Promise<void> {
    const record = this.readRecord(id);
    if (record) await killTree(record.pid, record.startTime);
    // Whatever is left: processes that left the tree, or an instance whose record a crash lost.
    for (let round = 0; round < 5; round += 1) {
      const left = this.processesOf(id);
      if (left.length === 0) break;
      for (const p of left) await killTree(p.pid, p.startTime, 1_000);
    }
    // Its account leaves the firewall unless another workspace of it still runs under this root.
    await this.refreshFirewall();
  }

  /** Accounts with a live workspace under this root, or one being started: the ones the firewall confines. */
  private confinedUids(): number[] {
    const uids = new Set(this.starting.keys());
    for (const id of this.layout.workspaceDirs()) {
      const record = this.readRecord(id);
      if (record && isAlive(record.pid, record.startTime)) uids.add(record.uid);
    }
    return [...uids];
  }

  private async refreshFirewall(): Promise<void> {
    await this.isolation.firewall?.apply(() => this.confinedUids());
  }

  private async account(spec: WorkspaceSpec): Promise<RunAs> {
    return this.enforcement.isolation === 'per-user' ? ensureAccount(spec.tenantId, spec.ownerUserId) : serviceUser();
  }

  private async start(spec: WorkspaceSpec): Promise<InstanceRecord> {
    const as = await this.account(spec);
    const extensionsDir = await this.extensions.forImage(this.options.catalogue?.(spec.image) ?? { image: spec.image, extensions: [] });
    const home = this.layout.prepare(spec, as);
    this.shareGatewayCa();
    this.tokens.writeContinueEnv(spec.id, as);
    const socket = this.layout.socketPath(spec.id);
    rmSync(socket, { force: true });
    const { command, args, env } = codeServerCommand({
      codeServerEntry: this.options.codeServerEntry,
      nodeBin: this.options.nodeBin,
      allowDownloads: this.options.allowDownloads,
      allowUploads: this.options.allowUploads,
      home,
      extensionsDir,
      socket,
      account: as,
      processKey: this.layout.processKey(spec.id),
      gatewayCaPath: this.gatewayCaPath(),
      limits: this.limits,
      diskGib: spec.diskGib,
    });
    const decision = this.isolation.decision;
    // The account is confined before anything of it runs; a failure here leaves the workspace not started.
    this.starting.set(as.uid, (this.starting.get(as.uid) ?? 0) + 1);
    let pid: number | undefined;
    try {
      await this.refreshFirewall();
      const out = openSync(this.layout.logFile(spec.id), 'a', 0o600);
      try {
        // Isolated: unshare (as this service) makes the pid namespace, setpriv drops to the account inside it.
        const options = { cwd: home.folder, env, detached: true, stdio: ['ignore', out, out] as ['ignore', number, number] };
        const isolated = decision.available ? isolatedCommand(decision, as, command, args) : undefined;
        const child = isolated ? spawn(isolated.command, isolated.args, options) : spawn(command, args, { ...options, uid: as.uid, gid: as.gid });
        pid = child.pid;
        child.on('error', () => undefined);
        child.unref();
      } finally {
        closeSync(out);
      }
    } finally {
      const left = (this.starting.get(as.uid) ?? 1) - 1;
      if (left > 0) this.starting.set(as.uid, left);
      else this.starting.delete(as.uid);
    }
    if (!pid) throw new Error(`could not start code-server for ${spec.id}`);
    const info = readProc(pid);
    const record: InstanceRecord = { pid, startTime: info?.startTime ?? 0, generation: spec.generation, image: spec.image, socket, uid: as.uid, startedAt: Date.now() };
    writeJsonAtomically(this.layout.instanceFile(spec.id), record);
    this.options.log?.('info', 'code-server started', { workspace_id: spec.id, pid, uid: as.uid });
    return record;
  }

  private logTail(id: string): string {
    try {
      return readFileSync(this.layout.logFile(id), 'utf8').trim().split('\n').slice(-3).join(' | ').slice(0, 400);
    } catch {
      return '';
    }
  }

  /** Waits (up to `waitMs`) for /healthz; reports RUNNING, PROVISIONING, or FAILED for a dead or hung start. */
  private async waitUntilHealthy(id: string, record: InstanceRecord, waitMs: number): Promise<Observation> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      if (!isAlive(record.pid, record.startTime)) {
        return { state: 'FAILED', detail: `code-server exited during start: ${this.logTail(id)}` };
      }
      const health = await probeHealth(record.socket);
      // `expired` only means no browser is connected right now: the workspace is running.
      if (health) return { state: 'RUNNING', detail: `code-server pid ${record.pid} healthy (${health.status})` };
      if (Date.now() - record.startedAt > this.options.readyTimeoutMs) {
        await this.killAll(id);
        return { state: 'FAILED', detail: `code-server did not answer /healthz within ${this.options.readyTimeoutMs} ms: ${this.logTail(id)}` };
      }
      if (Date.now() >= deadline) return { state: 'PROVISIONING', detail: `code-server pid ${record.pid} starting` };
      await sleep(50);
    }
  }

  async ensureRunning(spec: WorkspaceSpec): Promise<Observation> {
    const refusal = this.isolation.refusal();
    if (refusal) {
      await this.killAll(spec.id);
      return { state: 'FAILED', detail: refusal };
    }
    const observation = await this.converge(spec);
    return { ...observation, unisolated: this.isolation.unisolated };
  }

  private async converge(spec: WorkspaceSpec): Promise<Observation> {
    const record = this.readRecord(spec.id);
    const live = record && isAlive(record.pid, record.startTime);
    if (record && live && record.generation >= spec.generation && record.image === spec.image) {
      // Adopt it (possibly started by an earlier life of this service). A second code-server of this
      // workspace (an interrupted start whose record was overwritten) is killed; other processes that left
      // the tree (a user's backgrounded server) are the user's business until the workspace stops.
      for (const p of this.processesOf(spec.id)) {
        if (p.pid !== record.pid && this.isCodeServer(p.pid) && !this.inTree(record.pid, p)) await killTree(p.pid, p.startTime, 1_000);
      }
      // Idempotent: after a restart of this service (or of the machine's rules) the account is confined again.
      await this.refreshFirewall();
      return this.waitUntilHealthy(spec.id, record, this.options.startWaitMs);
    }
    // Older generation or image, a dead process, or processes without a record: replace them all.
    await this.killAll(spec.id);
    const started = await this.start(spec);
    return this.waitUntilHealthy(spec.id, started, this.options.startWaitMs);
  }

  private isCodeServer(pid: number): boolean {
    return cmdline(pid).includes(this.options.codeServerEntry);
  }

  private inTree(root: number, p: ProcInfo): boolean {
    let cur: ProcInfo | undefined = p;
    for (let depth = 0; cur && depth < 64; depth += 1) {
      if (cur.pid === root) return true;
      if (cur.ppid <= 1) return false;
      cur = readProc(cur.ppid);
    }
    return false;
  }

  async ensureStopped(spec: WorkspaceSpec): Promise<Observation> {
    await this.killAll(spec.id);
    rmSync(this.layout.socketPath(spec.id), { force: true });
    return { state: 'STOPPED', detail: 'no code-server process; home kept' };
  }

  async ensureDeleted(workspaceId: string): Promise<Observation> {
    await this.killAll(workspaceId);
    rmSync(this.layout.socketDir(workspaceId), { recursive: true, force: true });
    rmSync(this.layout.dir(workspaceId), { recursive: true, force: true });
    return { state: 'ABSENT', detail: 'processes, home and socket removed' };
  }

  async listManaged(): Promise<string[]> {
    const ids = new Set(this.layout.workspaceDirs());
    const prefix = `${this.layout.rootKey}/`;
    for (const key of processesByEnv(WORKSPACE_KEY_VAR).keys()) if (key.startsWith(prefix)) ids.add(key.slice(prefix.length));
    return [...ids];
  }

  /** /healthz plus CPU time and terminal commands of every process of the workspace. */
  async sampleActivity(workspaceId: string): Promise<ActivitySample | undefined> {
    const record = this.readRecord(workspaceId);
    if (!record || !isAlive(record.pid, record.startTime)) return undefined;
    const procs = allProcs();
    const mine = this.processesOf(workspaceId, procs);
    const byPid = new Map(procs.map((p) => [p.pid, p]));
    const ticks = mine.reduce((sum, p) => sum + p.cpuTicks + p.childCpuTicks, 0);
    const terminalCommands = mine.filter((p) => !SHELLS.has(p.comm) && SHELLS.has(byPid.get(p.ppid)?.comm ?? '')).length;
    return { at: Date.now(), health: await probeHealth(record.socket), cpuSeconds: ticks / TICKS_PER_SECOND, terminalCommands };
  }
}
