// tmux from Debian's `tmux` package (from the configured apt mirror only): the terminal service holds every shell
// in a tmux server (apps/terminal). Only the binary is used; no system configuration is read (`-f` names the
// service's own file).
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ensureDebianTool, systemInstaller, type DebianInstaller } from './debian-package';
import { run } from './proc';

export const TMUX_PATH = '/usr/bin/tmux';

/**
 * The path of tmux, installing Debian's `tmux` package with apt-get first when it is missing (as root, or through
 * passwordless sudo). Throws saying what to run otherwise. No version check: tmux has `-V`, not `--version`.
 */
export async function ensureTmux(installer: DebianInstaller = systemInstaller): Promise<string> {
  await ensureDebianTool({ name: 'tmux', pkg: 'tmux', binaries: [TMUX_PATH] }, installer);
  return TMUX_PATH;
}

/**
 * Ends every tmux server whose socket is `<rootDir>/<account>/tmux.sock` (the terminal service's layout), then
 * removes `rootDir` (the development homes under it included): the shells outlive the service on purpose, so a
 * mesh's `down` or a suite's cleanup ends them. Returns how many servers were running.
 */
export async function killTerminalShells(rootDir: string): Promise<number> {
  if (!existsSync(rootDir)) return 0;
  let killed = 0;
  for (const entry of readdirSync(rootDir, { withFileTypes: true })) {
    const socket = path.join(rootDir, entry.name, 'tmux.sock');
    if (!entry.isDirectory() || !existsSync(socket)) continue;
    try {
      await run(TMUX_PATH, ['-S', socket, 'kill-server'], { timeoutMs: 10_000 });
      killed++;
    } catch {
      // no server on it any more
    }
  }
  rmSync(rootDir, { recursive: true, force: true });
  return killed;
}
