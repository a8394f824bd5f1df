import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '@airlock/runtime';
import type { terminalConfig } from '../config';
import { TmuxHost } from './tmux-host';

/** The service's one TmuxHost, configured from TERMINAL_* at boot. */
@Injectable()
export class Pty extends TmuxHost {
  constructor(@Inject(APP_CONFIG) config: ServiceConfig<typeof terminalConfig>) {
    super({
      tmux: config.TERMINAL_TMUX_BIN,
      nsenter: config.TERMINAL_NSENTER_BIN,
      rootDir: config.TERMINAL_ROOT_DIR,
      scrollbackLines: config.TERMINAL_SCROLLBACK_LINES,
      limits: { prlimit: config.TERMINAL_PRLIMIT_BIN, memoryBytes: config.TERMINAL_PROCESS_MEMORY_MB * 1024 * 1024, cpuSeconds: config.TERMINAL_PROCESS_CPU_SECONDS },
    });
  }
}
