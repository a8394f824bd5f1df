// The embedded driver: each workspace is a real code-server process on this machine. Processes are started
// detached (their own session), so a crash or restart of the workspace service leaves them running; the
// next reconciler adopts them (instance record + /healthz) or, when they are not what the registry wants,
// kills them. Every process a workspace starts carries AIRLOCK_WORKSPACE_KEY in its environment, so even a
// process whose record was lost mid-start (or that escaped the process tree) is found and cleaned up.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { CatalogueImage } from '../../catalogue/catalogue';
import type { ActivitySample, GatewayToken, HeldToken, Observation, WorkspaceDriver, WorkspaceSpec } from '../driver';
import { WORKSPACE_HOME } from '../../client-config/render';
import { WORKSPACE_ID_PATTERN } from '../../workspaces/workspace-input';
import { TICKS_PER_SECOND, allProcs, cmdline, isAlive, killTree, processesByEnv, readProc, type ProcInfo } from './procfs';
import { chooseIsolation, ensureAccount, serviceUser, type IsolationMode, type RunAs } from './os-user';
import { SharedExtensions } from './shared-extensions';

export const WORKSPACE_KEY_VAR = 'AIRLOCK_WORKSPACE_KEY';
const ID = WORKSPACE_ID_PATTERN;
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
  log?: (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;
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
}

/** The marker value of a workspace's processes (AIRLOCK_WORKSPACE_KEY): one driver root, one id. */
export function workspaceKey(rootDir: string, id: string): string {
  return `${createHash('sha256').update(path.resolve(rootDir)).digest('hex').slice(0, 16)}/${id}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function safeSegment(value: string): string {
  const s = value.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return s.length > 0 ? s.slice(0, 64) : 'project';
}

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
  private readonly rootKey: string;
  private readonly socketRoot: string;
  private readonly hasPrlimit: boolean;
  private readonly extensions: SharedExtensions;

  constructor(private readonly options: LocalDriverOptions) {
    mkdirSync(options.rootDir, { recursive: true });
    chmodSync(options.rootDir, 0o711);
    this.rootKey = workspaceKey(options.rootDir, '').slice(0, -1);
    // Socket paths are limited to 107 bytes: they live under a short per-service-user directory, named by
    // a hash of (root, id), not under the workspace root.
    this.socketRoot = path.join(os.tmpdir(), `airlock-ws-${process.getuid?.() ?? 0}`);
    mkdirSync(this.socketRoot, { recursive: true, mode: 0o711 });
    chmodSync(this.socketRoot, 0o711);
    const { mode, reason } = chooseIsolation(options.isolation, [options.rootDir, options.codeServerEntry, options.nodeBin, this.socketRoot]);
    this.hasPrlimit = ['/usr/bin/prlimit', '/bin/prlimit'].some((p) => existsSync(p));
    this.extensions = new SharedExtensions({
      baseDir: path.join(options.rootDir, '.extensions'),
      vsixDir: options.vsixDir ?? '',
      codeServerEntry: options.codeServerEntry,
      nodeBin: options.nodeBin,
      log: options.log,
    });
    const prlimit = this.hasPrlimit ? [`nofile=${options.maxOpenFiles}`, 'core=0', 'fsize=<disk_gib>', ...(mode === 'per-user' ? [`nproc=${options.maxProcesses}`] : [])] : [];
    this.enforcement = {
      isolation: mode,
      isolationReason: reason,
      prlimit,
      notEnforced: [
        'cpu_millis and memory_mib (needs a delegated cgroup v2 hierarchy; RLIMIT_AS would break V8 and WebAssembly, RLIMIT_CPU counts total CPU time)',
        'disk_gib as a quota (fsize caps single files only)',
        ...(this.hasPrlimit ? [] : ['every rlimit: prlimit(1) is not installed']),
        ...(mode === 'per-user' ? [] : ['separate OS accounts: every workspace runs as the service user']),
      ],
    };
  }

  private dir(id: string): string {
    if (!ID.test(id)) throw new Error(`not a workspace id: ${id}`);
    return path.join(this.options.rootDir, id);
  }

  private socketDir(id: string): string {
    return path.join(this.socketRoot, createHash('sha256').update(`${this.rootKey}/${id}`).digest('hex').slice(0, 16));
  }

  private key(id: string): string {
    return `${this.rootKey}/${id}`;
  }

  /** Home directory of a workspace on this machine (where its project folder and client files are). */
  homeOf(id: string): string {
    return path.join(this.dir(id), 'home');
  }

  projectDir(spec: Pick<WorkspaceSpec, 'id' | 'projectId'>): string {
    return path.join(this.homeOf(spec.id), safeSegment(spec.projectId));
  }

  /**
   * `<id>/secrets/ai_gateway_token`: the directory belongs to the service (0711: the workspace can reach the
   * file but not plant anything beside it), the file to the workspace's account, mode 0400.
   */
  tokenPath(id: string): string {
    return path.join(this.dir(id), 'secrets', 'ai_gateway_token');
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

  /** The image's shared, read-only extensions directory (installed on first use). */
  private async extensionsDir(image: string): Promise<string> {
    return this.extensions.forImage(this.options.catalogue?.(image) ?? { image, extensions: [] });
  }

  async heldToken(spec: WorkspaceSpec): Promise<HeldToken | undefined> {
    if (!existsSync(this.tokenPath(spec.id))) return undefined;
    try {
      const held = JSON.parse(readFileSync(path.join(this.dir(spec.id), 'gateway-token.json'), 'utf8')) as HeldToken;
      return typeof held.tokenId === 'string' && Number.isFinite(held.expiresAtUnix) && Number.isFinite(held.generation) ? held : undefined;
    } catch {
      return undefined;
    }
  }

  async storeToken(spec: WorkspaceSpec, token: GatewayToken): Promise<void> {
    const as = await this.account(spec);
    const dir = this.dir(spec.id);
    const secrets = path.dirname(this.tokenPath(spec.id));
    mkdirSync(dir, { recursive: true, mode: 0o711 });
    chmodSync(dir, 0o711);
    mkdirSync(secrets, { recursive: true, mode: 0o711 });
    chmodSync(secrets, 0o711);
    const file = this.tokenPath(spec.id);
    const tmp = `${file}.tmp`;
    rmSync(tmp, { force: true });
    // O_EXCL, then rename: a running workspace never sees a half-written token.
    writeFileSync(tmp, token.secret, { mode: 0o400, flag: 'wx' });
    chownSync(tmp, as.uid, as.gid);
    chmodSync(tmp, 0o400);
    renameSync(tmp, file);
    // The metadata last: a crash before it makes the next pass issue (and identity revoke) again.
    const held: HeldToken = { tokenId: token.tokenId, expiresAtUnix: token.expiresAtUnix, generation: token.generation };
    this.writeJson(path.join(dir, 'gateway-token.json'), held);
    if (existsSync(this.homeOf(spec.id))) this.continueEnv(spec.id, as);
  }

  /**
   * Continue reads `${{ secrets.AIRLOCK_GATEWAY_TOKEN }}` from `~/.continue/.env` (0600), as the Kubernetes
   * init step writes it. Written by the workspace's own account (the home is theirs: the service must not
   * follow links a user planted there), the token on stdin, never in an argument.
   */
  private continueEnv(id: string, as: RunAs): void {
    const file = this.tokenPath(id);
    if (!existsSync(file)) return;
    const home = this.homeOf(id);
    const result = spawnSync('/bin/sh', ['-ec', 'umask 077; mkdir -p "$HOME/.continue"; { printf "AIRLOCK_GATEWAY_TOKEN="; cat; printf "\\n"; } > "$HOME/.continue/.env.tmp"; mv -f "$HOME/.continue/.env.tmp" "$HOME/.continue/.env"'], {
      input: readFileSync(file),
      env: { HOME: home, PATH: '/usr/bin:/bin' },
      cwd: home,
      uid: as.uid,
      gid: as.gid,
      stdio: ['pipe', 'ignore', 'pipe'],
      timeout: 5_000,
    });
    if (result.status !== 0) this.options.log?.('warn', 'could not write ~/.continue/.env', { workspace_id: id, err: String(result.stderr ?? result.error ?? '').slice(0, 200) });
  }

  private writeJson(file: string, value: object): void {
    writeFileSync(`${file}.tmp`, JSON.stringify(value), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  }

  private readRecord(id: string): InstanceRecord | undefined {
    try {
      return JSON.parse(readFileSync(path.join(this.dir(id), 'instance.json'), 'utf8')) as InstanceRecord;
    } catch {
      return undefined;
    }
  }

  private writeRecord(id: string, record: InstanceRecord): void {
    this.writeJson(path.join(this.dir(id), 'instance.json'), record);
  }

  /** The live instance's socket, for the browser route; undefined when it is not running. */
  browserEndpoint(id: string): { socketPath: string } | undefined {
    if (!ID.test(id)) return undefined;
    const record = this.readRecord(id);
    return record && isAlive(record.pid, record.startTime) ? { socketPath: record.socket } : undefined;
  }

  private processesOf(id: string, procs?: ProcInfo[]): ProcInfo[] {
    return processesByEnv(WORKSPACE_KEY_VAR, procs).get(this.key(id)) ?? [];
  }

  private async killAll(id: string): Promise<void> {
    const record = this.readRecord(id);
    if (record) await killTree(record.pid, record.startTime);
    // Whatever is left: processes that left the tree, or an instance whose record a crash lost.
    for (let round = 0; round < 5; round += 1) {
      const left = this.processesOf(id);
      if (left.length === 0) return;
      for (const p of left) await killTree(p.pid, p.startTime, 1_000);
    }
  }

  private async account(spec: WorkspaceSpec): Promise<RunAs> {
    return this.enforcement.isolation === 'per-user' ? ensureAccount(spec.tenantId, spec.ownerUserId) : serviceUser();
  }

  /** Directories and files of a workspace; creates what is missing, never overwrites the user's files. */
  private prepare(spec: WorkspaceSpec, as: RunAs, extensions: string): { home: string; folder: string; extensions: string; tmp: string; sockets: string; config: string } {
    const dir = this.dir(spec.id);
    const home = this.homeOf(spec.id);
    const folder = this.projectDir(spec);
    const tmp = path.join(dir, 'tmp');
    const sockets = this.socketDir(spec.id);
    const config = path.join(dir, 'code-server.yaml');
    const own = (p: string, mode: number) => {
      chownSync(p, as.uid, as.gid);
      chmodSync(p, mode);
    };
    mkdirSync(dir, { recursive: true, mode: 0o711 });
    chmodSync(dir, 0o711);
    for (const [p, mode] of [
      [home, 0o700],
      [folder, 0o755],
      [tmp, 0o700],
      [sockets, 0o700],
    ] as const) {
      if (!existsSync(p)) mkdirSync(p, { recursive: true });
      own(p, mode);
    }
    // Extensions come from the image's shared directory (owned by the service, read-only to workspaces; only
    // catalogued, hash-verified VSIX files are installed there); the marketplace is switched off.
    this.shareGatewayCa();
    // Our own config file, not the generated ~/.config/code-server/config.yaml: that one is written for the
    // container image (bind-addr 0.0.0.0:8080), here the socket below is the only listener.
    writeFileSync(config, 'auth: none\ndisable-telemetry: true\ndisable-update-check: true\n', { mode: 0o644 });
    for (const file of spec.clientFiles) {
      if (!file.path.startsWith(`${WORKSPACE_HOME}/`)) continue; // e.g. the token under /run/secrets: not generated here
      const target = path.join(home, file.path.slice(WORKSPACE_HOME.length + 1));
      if (existsSync(target)) continue;
      let parent = path.dirname(target);
      const created: string[] = [];
      while (!existsSync(parent)) {
        created.unshift(parent);
        parent = path.dirname(parent);
      }
      for (const d of created) {
        mkdirSync(d);
        own(d, 0o700);
      }
      writeFileSync(target, file.content, { mode: file.mode });
      own(target, file.mode);
    }
    this.continueEnv(spec.id, as);
    return { home, folder, extensions, tmp, sockets, config };
  }

  private codeServerArgs(paths: ReturnType<LocalDriver['prepare']>, socket: string): string[] {
    return [
      this.options.codeServerEntry,
      '--auth',
      'none',
      // A Unix socket in a 0700 directory of the workspace's account, not a loopback port: with auth none a
      // port would let every local user (another workspace's terminal included) into this workspace.
      '--socket',
      socket,
      '--socket-mode',
      '600',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      // code-server's /proxy/<port>/ would let a browser reach any loopback port of this machine.
      '--disable-proxy',
      ...(this.options.allowDownloads ? [] : ['--disable-file-downloads']),
      ...(this.options.allowUploads ? [] : ['--disable-file-uploads']),
      '--config',
      paths.config,
      '--user-data-dir',
      path.join(paths.home, '.local', 'share', 'code-server'),
      '--extensions-dir',
      paths.extensions,
      paths.folder,
    ];
  }

  private async start(spec: WorkspaceSpec): Promise<InstanceRecord> {
    const as = await this.account(spec);
    const paths = this.prepare(spec, as, await this.extensionsDir(spec.image));
    const socket = path.join(paths.sockets, 'cs.sock');
    rmSync(socket, { force: true });
    const nodeDir = path.dirname(this.options.nodeBin);
    // Nothing of the service's environment (database URLs, broker addresses) reaches the workspace.
    const env: NodeJS.ProcessEnv = {
      PATH: `${nodeDir}:/usr/local/bin:/usr/bin:/bin`,
      HOME: paths.home,
      USER: as.name || os.userInfo().username,
      LOGNAME: as.name || os.userInfo().username,
      SHELL: existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh',
      LANG: 'C.UTF-8',
      TMPDIR: paths.tmp,
      XDG_CONFIG_HOME: path.join(paths.home, '.config'),
      XDG_DATA_HOME: path.join(paths.home, '.local', 'share'),
      // The gateway's private CA for every Node process of the workspace (the extension host, Node tools).
      ...(this.gatewayCaPath() && existsSync(this.gatewayCaPath()!) ? { NODE_EXTRA_CA_CERTS: this.gatewayCaPath() } : {}),
      // The marketplace is disabled: the gallery points at a closed loopback port.
      EXTENSIONS_GALLERY: JSON.stringify({
        serviceUrl: 'http://127.0.0.1:9/gallery',
        itemUrl: 'http://127.0.0.1:9/item',
        resourceUrlTemplate: 'http://127.0.0.1:9/resource',
      }),
      [WORKSPACE_KEY_VAR]: this.key(spec.id),
    };
    const fsize = spec.diskGib * 1024 * 1024 * 1024;
    const rlimits = this.hasPrlimit
      ? [`--nofile=${this.options.maxOpenFiles}`, '--core=0', `--fsize=${fsize}`, ...(this.enforcement.isolation === 'per-user' ? [`--nproc=${this.options.maxProcesses}`] : [])]
      : [];
    const command = this.hasPrlimit ? 'prlimit' : this.options.nodeBin;
    const args = this.hasPrlimit ? [...rlimits, '--', this.options.nodeBin, ...this.codeServerArgs(paths, socket)] : this.codeServerArgs(paths, socket);
    const logFile = path.join(this.dir(spec.id), 'code-server.log');
    const out = openSync(logFile, 'a', 0o600);
    let pid: number | undefined;
    try {
      const child = spawn(command, args, { cwd: paths.folder, env, uid: as.uid, gid: as.gid, detached: true, stdio: ['ignore', out, out] });
      pid = child.pid;
      child.on('error', () => undefined);
      child.unref();
    } finally {
      closeSync(out);
    }
    if (!pid) throw new Error(`could not start code-server for ${spec.id}`);
    const info = readProc(pid);
    const record: InstanceRecord = { pid, startTime: info?.startTime ?? 0, generation: spec.generation, image: spec.image, socket, uid: as.uid, startedAt: Date.now() };
    this.writeRecord(spec.id, record);
    this.options.log?.('info', 'code-server started', { workspace_id: spec.id, pid, uid: as.uid });
    return record;
  }

  private logTail(id: string): string {
    try {
      return readFileSync(path.join(this.dir(id), 'code-server.log'), 'utf8').trim().split('\n').slice(-3).join(' | ').slice(0, 400);
    } catch {
      return '';
    }
  }

  /** Waits (up to `waitMs`) for /healthz; reports RUNNING, PROVISIONING, or FAILED for a dead or hung start. */
  private async await(id: string, record: InstanceRecord, waitMs: number): Promise<Observation> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      if (!isAlive(record.pid, record.startTime)) {
        return { state: 'FAILED', detail: `code-server exited during start: ${this.logTail(id)}` };
      }
      const health = await probeHealth(record.socket);
      // `expired` only means no browser is connected right now (seed 001 §10.2): it is running.
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
    const record = this.readRecord(spec.id);
    const live = record && isAlive(record.pid, record.startTime);
    if (record && live && record.generation >= spec.generation && record.image === spec.image) {
      // Adopt it (possibly started by an earlier life of this service). A second code-server of this
      // workspace (an interrupted start whose record was overwritten) is killed; other processes that left
      // the tree (a user's backgrounded server) are the user's business until the workspace stops.
      for (const p of this.processesOf(spec.id)) {
        if (p.pid !== record.pid && this.isCodeServer(p.pid) && !this.inTree(record.pid, p)) await killTree(p.pid, p.startTime, 1_000);
      }
      return this.await(spec.id, record, this.options.startWaitMs);
    }
    // Older generation or image, a dead process, or processes without a record: replace them all.
    await this.killAll(spec.id);
    const started = await this.start(spec);
    return this.await(spec.id, started, this.options.startWaitMs);
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
    rmSync(path.join(this.socketDir(spec.id), 'cs.sock'), { force: true });
    return { state: 'STOPPED', detail: 'no code-server process; home kept' };
  }

  async ensureDeleted(workspaceId: string): Promise<Observation> {
    await this.killAll(workspaceId);
    rmSync(this.socketDir(workspaceId), { recursive: true, force: true });
    rmSync(this.dir(workspaceId), { recursive: true, force: true });
    return { state: 'ABSENT', detail: 'processes, home and socket removed' };
  }

  async listManaged(): Promise<string[]> {
    const ids = new Set(readdirSync(this.options.rootDir).filter((d) => ID.test(d)));
    const prefix = `${this.rootKey}/`;
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

  /** Kills every process of every workspace under this root (tests and `down`); leaves the files. */
  async killEverything(): Promise<void> {
    for (const id of await this.listManaged()) await this.killAll(id);
  }
}
