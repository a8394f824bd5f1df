import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, loadMtlsMaterial, type ServiceConfig } from '@airlock/runtime';
import type { terminalConfig } from '../config';
import { PtyUnavailableError } from '../errors';
import type { ControlClient } from './control-client';
import { RemoteShellHost } from './remote-shell-host';
import { TmuxHost, type NewShell, type ShellAccount } from './tmux-host';

/** Account keys of shells a workspace pod's shell host holds (Kubernetes driver), not this machine's tmux. */
export const POD_ACCOUNT_PREFIX = 'p-';

export const isPodAccount = (key: string): boolean => key.startsWith(POD_ACCOUNT_PREFIX);

/**
 * The service's shell host: this machine's tmux (TmuxHost, configured from TERMINAL_* at boot) for local accounts,
 * and for a pod's account the pod's shell-host sidecar, at the address the workspace service last reported for it
 * (every GetShellHost answer passes through rememberShellHost).
 */
@Injectable()
export class Pty extends TmuxHost {
  private readonly podAddresses = new Map<string, string>();

  constructor(@Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof terminalConfig>) {
    super({
      tmux: config.TERMINAL_TMUX_BIN,
      nsenter: config.TERMINAL_NSENTER_BIN,
      rootDir: config.TERMINAL_ROOT_DIR,
      scrollbackLines: config.TERMINAL_SCROLLBACK_LINES,
      limits: { prlimit: config.TERMINAL_PRLIMIT_BIN, memoryBytes: config.TERMINAL_PROCESS_MEMORY_MB * 1024 * 1024, cpuSeconds: config.TERMINAL_PROCESS_CPU_SECONDS },
    });
  }

  /** Where a pod account's shells are now; a pod that no longer runs has none. */
  rememberShellHost(key: string, address: string | undefined): void {
    if (address) this.podAddresses.set(key, address);
    else this.podAddresses.delete(key);
  }

  /** Whether the account's shells can be asked for now (a pod account only once its address is known). */
  reachable(key: string): boolean {
    return !isPodAccount(key) || this.podAddresses.has(key);
  }

  /** The pod's shell host for a pod account; undefined for a local one. */
  private remote(account: ShellAccount): RemoteShellHost | undefined {
    if (!isPodAccount(account.key)) return undefined;
    const address = this.podAddresses.get(account.key);
    if (!address) throw new PtyUnavailableError(new Error('the workspace pod has no known shell host address'));
    // The sidecar admits this service's certificate only: pod shells need mTLS on.
    const material = loadMtlsMaterial(this.config);
    if (!material) throw new PtyUnavailableError(new Error('a workspace pod shell host needs mTLS (MTLS_OFF_FOR_DEVELOPMENT is set)'));
    return new RemoteShellHost({ address, material, timeoutMs: this.config.TERMINAL_WORKSPACE_DEADLINE_MS });
  }

  override async create(account: ShellAccount, shell: NewShell): Promise<void> {
    const remote = this.remote(account);
    return remote ? remote.create(shell) : super.create(account, shell);
  }

  override async list(account: ShellAccount): Promise<string[]> {
    const remote = this.remote(account);
    return remote ? remote.list() : super.list(account);
  }

  override async kill(account: ShellAccount, name: string): Promise<void> {
    const remote = this.remote(account);
    return remote ? remote.kill(name) : super.kill(account, name);
  }

  override attach(account: ShellAccount, name: string, readOnly: boolean): ControlClient {
    const remote = this.remote(account);
    return remote ? remote.attach(name, readOnly) : super.attach(account, name, readOnly);
  }
}
