// What the local driver needs from /proc: whether a pid is still the process it started, the process tree
// of a workspace (for CPU-time activity and for killing it whole), and which processes belong to which
// workspace (found by command line, so a process whose record was lost in a crash is still found).
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  ppid: number;
  comm: string;
  state: string;
  /** Clock ticks since boot: with the pid, identifies a process across pid reuse. */
  startTime: number;
  /** utime + stime of the process itself, in clock ticks. */
  cpuTicks: number;
  /** cutime + cstime: CPU of its children that have been waited for. */
  childCpuTicks: number;
}

/** Linux's USER_HZ: /proc reports CPU times in these ticks (100 on every mainstream architecture). */
export const TICKS_PER_SECOND = 100;

export function readProc(pid: number): ProcInfo | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  const f = text.slice(close + 2).split(' ');
  const n = (i: number) => Number(f[i]);
  // Fields after the command, 0-based: state 0, ppid 1, utime 11, stime 12, cutime 13, cstime 14, starttime 19.
  return { pid, ppid: n(1), comm, state: f[0] ?? '?', startTime: n(19), cpuTicks: n(11) + n(12), childCpuTicks: n(13) + n(14) };
}

/** Alive and not a zombie, and (when given) the same process that was started, not a reused pid. */
export function isAlive(pid: number, startTime?: number): boolean {
  const info = readProc(pid);
  if (!info || info.state === 'Z' || info.state === 'X') return false;
  return startTime === undefined || info.startTime === startTime;
}

export function allProcs(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const info = readProc(Number(name));
    if (info) out.push(info);
  }
  return out;
}

/** `root` and all its descendants (by parent pid), root first. */
export function processTree(root: number, procs: ProcInfo[] = allProcs()): ProcInfo[] {
  const children = new Map<number, ProcInfo[]>();
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const first = procs.find((p) => p.pid === root);
  if (!first) return [];
  const out: ProcInfo[] = [];
  const queue = [first];
  while (queue.length > 0) {
    const p = queue.shift() as ProcInfo;
    out.push(p);
    queue.push(...(children.get(p.pid) ?? []));
  }
  return out;
}

export function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/** Sends `signal` to every process of the tree (leaves first, so a parent cannot respawn a child). */
export function signalTree(root: number, signal: NodeJS.Signals): number {
  const tree = processTree(root);
  for (const p of tree.reverse()) {
    try {
      process.kill(p.pid, signal);
    } catch {
      // already gone
    }
  }
  return tree.length;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** SIGTERM to the tree, SIGKILL to whatever is left after `graceMs`. Resolves once nothing of it runs. */
export async function killTree(root: number, startTime: number | undefined, graceMs = 3_000): Promise<void> {
  if (!isAlive(root, startTime)) return;
  const members = processTree(root).map((p) => ({ pid: p.pid, startTime: p.startTime }));
  signalTree(root, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  const left = () => members.filter((m) => isAlive(m.pid, m.startTime));
  while (left().length > 0 && Date.now() < deadline) await sleep(50);
  for (const m of left()) {
    try {
      process.kill(m.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  while (left().length > 0) await sleep(20);
}

/** The pid namespace a process is in (`pid:[inode]`), or undefined when it is gone or not ours to inspect. */
export function pidNamespaceOf(pid: number | 'self'): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
}

/** The value of one variable in a process's initial environment ('' when unreadable or unset). */
export function environValue(pid: number, name: string): string {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/environ`, 'utf8');
  } catch {
    return '';
  }
  const prefix = `${name}=`;
  for (const entry of text.split('\0')) if (entry.startsWith(prefix)) return entry.slice(prefix.length);
  return '';
}

/**
 * Live processes whose environment carries `name` (any value when `value` is undefined), grouped by value.
 * Every process a workspace starts inherits its marker, also those that left the tree (double fork, setsid),
 * so this finds what a parent-pid walk misses.
 */
export function processesByEnv(name: string, procs: ProcInfo[] = allProcs()): Map<string, ProcInfo[]> {
  const out = new Map<string, ProcInfo[]>();
  for (const p of procs) {
    if (p.state === 'Z' || p.pid === process.pid) continue;
    const v = environValue(p.pid, name);
    if (v) out.set(v, [...(out.get(v) ?? []), p]);
  }
  return out;
}
