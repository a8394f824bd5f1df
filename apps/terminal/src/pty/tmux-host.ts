// The process that holds every shell: one tmux server per workspace account, on its own socket, started as that
// account and detached from this service (tmux daemonizes), so a crash or restart of the service leaves every
// shell running. The service reaches a server through its socket only; it never keeps state tmux does not.
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ControlClient, processTransport } from './control-client';

const run = promisify(execFile);

/** Where a workspace's shells run: its OS account (undefined uid: this service's own user) and its home folder. */
export interface ShellAccount {
  /** Directory name of the account's socket: the account name, or a workspace id for the service user. */
  key: string;
  uid?: number;
  gid?: number;
  home: string;
  /**
   * A process in the workspace's pid and mount namespaces (its box): the account's tmux server is started inside
   * them, so its shells see the workspace's processes and /proc only. undefined: the workspace has none.
   */
  namespacePid?: number;
  /** setpriv(1), used to drop to the account when uid is set. */
  setpriv?: string;
}

/**
 * Per-process resource limits every process of a session's shell inherits, set with prlimit(1) before the shell
 * starts (this machine class has cgroup v1 only, so no per-session cgroup; see the README's "Limits").
 */
export interface ShellLimits {
  prlimit: string;
  /** RLIMIT_DATA: a process's heap and private writable mappings; 0: none. Reserved, untouched address space (V8's) does not count. */
  memoryBytes: number;
  /** RLIMIT_CPU: CPU seconds one process may use before SIGXCPU, then SIGKILL; 0: none. */
  cpuSeconds: number;
}

export interface TmuxHostOptions {
  tmux: string;
  /** nsenter(1), used to join a workspace's namespaces when the account has a namespacePid; default /usr/bin/nsenter. */
  nsenter?: string;
  rootDir: string;
  scrollbackLines: number;
  limits?: ShellLimits;
}

/**
 * The command that starts tmux (`tmux` with `args`) for the account: in the workspace's pid and mount namespaces
 * when it has them (nsenter forks into the pid namespace; the mount namespace brings the box's own /proc), then
 * dropped to the account (no supplementary groups, no new privileges), so tmux's server and every shell it forks
 * live there. The socket path is the same file inside the box: its mount namespace is a copy of this machine's.
 */
export function tmuxCommandFor(account: ShellAccount, tools: { tmux: string; nsenter: string }, args: string[]): { command: string; args: string[] } {
  const dropped =
    account.uid !== undefined
      ? [account.setpriv ?? '/usr/bin/setpriv', `--reuid=${account.uid}`, `--regid=${account.gid ?? account.uid}`, '--clear-groups', '--no-new-privs', '--', tools.tmux, ...args]
      : [tools.tmux, ...args];
  const argv = account.namespacePid !== undefined ? [tools.nsenter, `--target=${account.namespacePid}`, '--pid', '--mount', '--', ...dropped] : dropped;
  return { command: argv[0]!, args: argv.slice(1) };
}

/** The shell's argv: itself, or behind prlimit with the limits that are set. */
export function limitedShell(shell: string, limits: ShellLimits | undefined): string[] {
  const flags = [...(limits?.memoryBytes ? [`--data=${limits.memoryBytes}`] : []), ...(limits?.cpuSeconds ? [`--cpu=${limits.cpuSeconds}`] : [])];
  return flags.length > 0 ? [limits!.prlimit, ...flags, '--', shell] : [shell];
}

export interface NewShell {
  name: string;
  shell: string;
  cols: number;
  rows: number;
  /** The shell's whole environment (nothing of the service's own leaks into it). */
  env: Record<string, string>;
}

// Server options: no status line (the terminal is the whole window), the latest client's size wins (a phone
// re-attaching does not shrink a desktop forever), no escape delay, and the configured scrollback.
const serverConfig = (scrollbackLines: number) =>
  [`set -g history-limit ${scrollbackLines}`, 'set -g status off', 'set -g window-size latest', 'set -g escape-time 0', "set -g default-terminal 'screen-256color'", 'set -g remain-on-exit off', ''].join('\n');

const NO_SERVER = /no server running|error connecting to|No such file or directory|can't find session/i;

export class TmuxHost {
  private readonly configFile: string;

  constructor(private readonly options: TmuxHostOptions) {
    // Accounts pass through to their own directory (0700 each) and read the config; they list nothing here.
    mkdirSync(options.rootDir, { recursive: true, mode: 0o711 });
    chmodSync(options.rootDir, 0o711);
    this.configFile = path.join(options.rootDir, 'tmux.conf');
    writeFileSync(this.configFile, serverConfig(options.scrollbackLines), { mode: 0o644 });
  }

  get scrollbackLines(): number {
    return this.options.scrollbackLines;
  }

  socketOf(account: ShellAccount): string {
    return path.join(this.options.rootDir, account.key, 'tmux.sock');
  }

  private base(account: ShellAccount): string[] {
    return ['-S', this.socketOf(account), '-f', this.configFile];
  }

  /** Starts `shell.name` (and the account's tmux server if it is not running) as the account, in its home and box. */
  async create(account: ShellAccount, shell: NewShell): Promise<void> {
    const dir = path.dirname(this.socketOf(account));
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (account.uid !== undefined) chownSync(dir, account.uid, account.gid ?? account.uid);
    // A workspace's home exists already; the development mode's is made here.
    mkdirSync(account.home, { recursive: true, mode: 0o700 });
    const args = [
      ...this.base(account),
      'new-session',
      '-d',
      '-s',
      shell.name,
      '-x',
      String(shell.cols),
      '-y',
      String(shell.rows),
      '-c',
      account.home,
      '--',
      ...limitedShell(shell.shell, this.options.limits),
    ];
    const start = tmuxCommandFor(account, { tmux: this.options.tmux, nsenter: this.options.nsenter ?? '/usr/bin/nsenter' }, args);
    await run(start.command, start.args, { env: shell.env, cwd: account.home, timeout: 10_000 });
  }

  /** Names of the sessions the account's server holds; none when it is not running. */
  async list(account: ShellAccount): Promise<string[]> {
    try {
      const { stdout } = await run(this.options.tmux, [...this.base(account), 'list-sessions', '-F', '#{session_name}'], { timeout: 10_000 });
      return stdout.split('\n').filter(Boolean);
    } catch (error) {
      if (NO_SERVER.test(String((error as { stderr?: string }).stderr ?? error))) return [];
      throw error;
    }
  }

  /** Ends the session and every process of its shell (tmux sends SIGHUP); already gone is fine. */
  async kill(account: ShellAccount, name: string): Promise<void> {
    try {
      await run(this.options.tmux, [...this.base(account), 'kill-session', '-t', `=${name}`], { timeout: 10_000 });
    } catch (error) {
      if (!NO_SERVER.test(String((error as { stderr?: string }).stderr ?? error))) throw error;
    }
  }

  /** The tmux command of a control-mode client on the session (`-r`: read-only, tmux refuses its keys). */
  controlCommand(account: ShellAccount, name: string, readOnly: boolean): { command: string; args: string[] } {
    return { command: this.options.tmux, args: [...this.base(account), '-C', 'attach-session', ...(readOnly ? ['-r'] : []), '-t', `=${name}`] };
  }

  /** A control-mode client on the session; read-only clients cannot send keys (tmux refuses them too). */
  attach(account: ShellAccount, name: string, readOnly: boolean): ControlClient {
    return new ControlClient(processTransport(this.controlCommand(account, name, readOnly)));
  }
}
