import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root: the nearest ancestor of this file holding pnpm-workspace.yaml. */
export function repoRoot(from: string = __dirname): string {
  let dir = path.resolve(from);
  for (;;) {
    if (existsSync(path.join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no pnpm-workspace.yaml above ${from}`);
    dir = parent;
  }
}

/** `AIRLOCK_STATE_DIR` or `<repo>/.airlock`; read on every call so a caller may point it elsewhere. */
export function stateDir(): string {
  const fromEnv = process.env.AIRLOCK_STATE_DIR;
  return path.resolve(fromEnv && fromEnv.length > 0 ? fromEnv : path.join(repoRoot(), '.airlock'));
}

export const toolsDir = (): string => path.join(stateDir(), 'tools');
export const infraRoot = (): string => path.join(stateDir(), 'infra');
export const infraDir = (name: string): string => path.join(infraRoot(), name);
export const stateFile = (): string => path.join(infraRoot(), 'state.json');
