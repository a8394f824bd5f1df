// One OS account per Airlock user (tenant + user id), so workspaces of different users cannot read each
// other's homes, signal each other's processes or connect to each other's sockets. Needs root and useradd;
// without them every workspace runs as the service's own user and the driver says so.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface RunAs {
  uid: number;
  gid: number;
  /** The account name, or '' for the service's own user. */
  name: string;
}

export type IsolationMode = 'per-user' | 'service-user';

/** `aw` + 12 hex digits of SHA-256(tenant NUL user): a valid, collision-resistant Linux user name for any id. */
export function accountName(tenantId: string, userId: string): string {
  return `aw${createHash('sha256').update(`${tenantId}\0${userId}`).digest('hex').slice(0, 12)}`;
}

function lookup(name: string): RunAs | undefined {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === name) return { name, uid: Number(f[2]), gid: Number(f[3]) };
  }
  return undefined;
}

/** Whether every directory above `file` lets other users through (a uid of its own must reach it). */
export function reachableByOthers(file: string): boolean {
  let dir = path.resolve(file);
  for (;;) {
    try {
      if ((statSync(dir).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return true;
    dir = parent;
  }
}

export function canCreateUsers(): boolean {
  if (process.getuid?.() !== 0) return false;
  for (const dir of ['/usr/sbin', '/sbin', '/usr/bin']) {
    try {
      accessSync(path.join(dir, 'useradd'), constants.X_OK);
      return true;
    } catch {
      // keep looking
    }
  }
  return false;
}

/**
 * Decides the isolation this machine allows: per-user accounts when running as root with useradd and when
 * the code-server install, Node and the workspace root are reachable by other users; else the service user.
 */
export function chooseIsolation(wanted: 'auto' | 'per-user' | 'service-user', paths: string[]): { mode: IsolationMode; reason: string } {
  if (wanted === 'service-user') return { mode: 'service-user', reason: 'WORKSPACE_LOCAL_ISOLATION=service-user' };
  const problem = !canCreateUsers()
    ? 'not root, or no useradd'
    : paths.filter((p) => existsSync(p) && !reachableByOthers(p)).map((p) => `${p} is not reachable by other users`)[0];
  if (!problem) return { mode: 'per-user', reason: 'root with useradd: one OS account per user' };
  if (wanted === 'per-user') throw new Error(`WORKSPACE_LOCAL_ISOLATION=per-user is impossible here: ${problem}`);
  return { mode: 'service-user', reason: problem };
}

/** The primary group of the account with `uid` (/etc/passwd), or this process's own for its own uid. */
export function groupOf(uid: number): number | undefined {
  if (uid === process.getuid?.()) return process.getgid?.();
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':');
    if (f.length > 3 && Number(f[2]) === uid && f[2] !== '') return Number(f[3]);
  }
  return undefined;
}

let chain: Promise<unknown> = Promise.resolve();

/** The account of (tenant, user), created on first use (`useradd --system`, no login shell, no home of its own). */
export function ensureAccount(tenantId: string, userId: string): Promise<RunAs> {
  const name = accountName(tenantId, userId);
  // useradd takes /etc/passwd's lock and fails when it is held: serialize our own calls.
  const next = chain.then(async () => {
    const known = lookup(name);
    if (known) return known;
    try {
      await run('useradd', ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', '--user-group', '--comment', 'airlock workspace', name]);
    } catch (error) {
      // Another process may have created it meanwhile (exit 9: name in use).
      if (!lookup(name)) throw error;
    }
    const made = lookup(name);
    if (!made) throw new Error(`useradd ${name} succeeded but the account is not in /etc/passwd`);
    return made;
  });
  chain = next.catch(() => undefined);
  return next;
}

export function serviceUser(): RunAs {
  return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, name: '' };
}
