// The command line a local workspace's code-server runs with: its flags, its environment (nothing of the
// service's own), and the rlimits prlimit(1) applies before it starts.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PreparedHome } from './home-layout';
import type { RunAs } from './os-user';

/** Carried by every process a workspace starts, so even one whose record was lost is found and cleaned up. */
export const WORKSPACE_KEY_VAR = 'AIRLOCK_WORKSPACE_KEY';

/** Where prlimit(1) may be installed; without it no rlimit is applied. */
const PRLIMIT_PATHS = ['/usr/bin/prlimit', '/bin/prlimit'];

export function prlimitInstalled(): boolean {
  return PRLIMIT_PATHS.some((p) => existsSync(p));
}

export interface ProcessLimits {
  /** RLIMIT_NOFILE. */
  maxOpenFiles: number;
  /** RLIMIT_NPROC; only applied with per-user accounts (it counts per uid). */
  maxProcesses: number;
  perUserAccounts: boolean;
}

/** prlimit's resource=value pairs; `fileSize` is RLIMIT_FSIZE in bytes (or a placeholder for the boot log). */
export function rlimits(limits: ProcessLimits, fileSize: number | string): string[] {
  return [`nofile=${limits.maxOpenFiles}`, 'core=0', `fsize=${fileSize}`, ...(limits.perUserAccounts ? [`nproc=${limits.maxProcesses}`] : [])];
}

export interface CodeServerCommandInput {
  /** code-server's `out/node/entry.js`. */
  codeServerEntry: string;
  /** The Node binary code-server was built for. */
  nodeBin: string;
  allowDownloads: boolean;
  allowUploads: boolean;
  home: PreparedHome;
  /** The image's shared, read-only extensions directory. */
  extensionsDir: string;
  socket: string;
  account: RunAs;
  /** The AIRLOCK_WORKSPACE_KEY value of this workspace. */
  processKey: string;
  /** The gateway's CA bundle as workspaces read it; undefined: none. */
  gatewayCaPath?: string;
  /** The rlimits to apply through prlimit(1); undefined when it is not installed. */
  limits?: ProcessLimits;
  diskGib: number;
}

export interface CodeServerCommand {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

export function codeServerCommand(input: CodeServerCommandInput): CodeServerCommand {
  const codeServer = [input.codeServerEntry, ...codeServerFlags(input)];
  const env = codeServerEnv(input);
  if (!input.limits) return { command: input.nodeBin, args: codeServer, env };
  const fileSize = input.diskGib * 1024 * 1024 * 1024;
  return { command: 'prlimit', args: [...rlimits(input.limits, fileSize).map((r) => `--${r}`), '--', input.nodeBin, ...codeServer], env };
}

function codeServerFlags(input: CodeServerCommandInput): string[] {
  return [
    '--auth',
    'none',
    // A Unix socket in a 0700 directory of the workspace's account, not a loopback port: with auth none a
    // port would let every local user (another workspace's terminal included) into this workspace.
    '--socket',
    input.socket,
    '--socket-mode',
    '600',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    // code-server's /proxy/<port>/ would let a browser reach any loopback port of this machine.
    '--disable-proxy',
    ...(input.allowDownloads ? [] : ['--disable-file-downloads']),
    ...(input.allowUploads ? [] : ['--disable-file-uploads']),
    '--config',
    input.home.config,
    '--user-data-dir',
    path.join(input.home.home, '.local', 'share', 'code-server'),
    // Extensions come from the image's shared directory (owned by the service, read-only to workspaces; only
    // catalogued, hash-verified VSIX files are installed there); the marketplace is switched off.
    '--extensions-dir',
    input.extensionsDir,
    input.home.folder,
  ];
}

/** Nothing of the service's environment (database URLs, broker addresses) reaches the workspace. */
function codeServerEnv(input: CodeServerCommandInput): NodeJS.ProcessEnv {
  const user = input.account.name || os.userInfo().username;
  return {
    PATH: `${path.dirname(input.nodeBin)}:/usr/local/bin:/usr/bin:/bin`,
    HOME: input.home.home,
    USER: user,
    LOGNAME: user,
    SHELL: existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh',
    LANG: 'C.UTF-8',
    TMPDIR: input.home.tmp,
    XDG_CONFIG_HOME: path.join(input.home.home, '.config'),
    XDG_DATA_HOME: path.join(input.home.home, '.local', 'share'),
    // The gateway's private CA for every Node process of the workspace (the extension host, Node tools).
    ...(input.gatewayCaPath && existsSync(input.gatewayCaPath) ? { NODE_EXTRA_CA_CERTS: input.gatewayCaPath } : {}),
    // The marketplace is disabled: the gallery points at a closed loopback port.
    EXTENSIONS_GALLERY: JSON.stringify({
      serviceUrl: 'http://127.0.0.1:9/gallery',
      itemUrl: 'http://127.0.0.1:9/item',
      resourceUrlTemplate: 'http://127.0.0.1:9/resource',
    }),
    [WORKSPACE_KEY_VAR]: input.processKey,
  };
}
