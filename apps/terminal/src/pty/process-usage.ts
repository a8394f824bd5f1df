// CPU and memory of the processes the shells run, read from /proc: every tmux server whose socket lies under this
// service's root directory, and everything below it (the shells and what they started). Read by the reaper for the
// PTY metrics; a process that exits between the listing and its reading is skipped.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

export interface ProcessUsage {
  /** Processes counted (servers included). */
  processes: number;
  /** CPU seconds (user + system) the live processes have used so far. */
  cpuSeconds: number;
  /** Their resident memory, summed (shared pages count once per process). */
  rssBytes: number;
}

interface ProcStat {
  pid: number;
  ppid: number;
  cpuTicks: number;
  /** The command name (field 2; at most 15 characters, e.g. `tmux: server`). */
  comm: string;
}

// Linux reports CPU times in clock ticks: USER_HZ, 100 on every architecture Node runs on.
const TICKS_PER_SECOND = 100;

/** /proc/<pid>/stat → the fields used here; the command name (field 2) may hold spaces and parentheses. */
export function parseStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const pid = Number.parseInt(text, 10);
  const comm = text.slice(text.indexOf('(') + 1, close);
  // After ") ": state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime …
  const rest = text.slice(close + 2).split(' ');
  const [ppid, utime, stime] = [rest[1], rest[11], rest[12]].map(Number);
  if (![pid, ppid, utime, stime].every(Number.isFinite)) return undefined;
  return { pid, ppid, cpuTicks: utime + stime, comm };
}

/** VmRSS of /proc/<pid>/status in bytes (kB there, whatever the page size); 0 for a kernel thread or a zombie. */
export function parseRssBytes(status: string): number {
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  return kb === undefined ? 0 : Number(kb) * 1024;
}

/** Whether a command line (NUL-separated) is a tmux server or client on a socket under `rootDir`. */
export function isTmuxUnder(cmdline: string, rootDir: string): boolean {
  const argv = cmdline.split('\0');
  const socket = argv.indexOf('-S');
  return path.basename(argv[0] ?? '') === 'tmux' && socket >= 0 && (argv[socket + 1] ?? '').startsWith(`${path.resolve(rootDir)}/`);
}

const readOr = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined; // the process exited meanwhile
  }
};

// /proc files are made in memory when read: a synchronous read costs microseconds. Read as promises, the thousand
// or so of a busy machine completed in bursts that held the event loop for tens of milliseconds, and every attached
// terminal's keys waited behind them; read synchronously in slices, with a turn of the event loop between them,
// the longest hold is one slice.
const PIDS_PER_SLICE = 32;
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Sums the shells' process trees: below each tmux server of `rootDir` (this service's own tmux clients, children
 * of `servicePid`, are not shells). `procRoot` is /proc except in tests.
 */
export async function shellProcessUsage(rootDir: string, servicePid = process.pid, procRoot = '/proc'): Promise<ProcessUsage> {
  const pids = readdirSync(procRoot).filter((name) => /^\d+$/.test(name));
  const stats = new Map<number, ProcStat>();
  const roots = new Set<number>();
  for (let i = 0; i < pids.length; i++) {
    if (i > 0 && i % PIDS_PER_SLICE === 0) await nextTurn();
    const stat = parseStat(readOr(path.join(procRoot, pids[i]!, 'stat')) ?? '');
    if (!stat) continue;
    stats.set(stat.pid, stat);
    // Only a process named tmux can be a server: the others' command lines are not read.
    if (stat.ppid !== servicePid && stat.comm.startsWith('tmux') && isTmuxUnder(readOr(path.join(procRoot, pids[i]!, 'cmdline')) ?? '', rootDir)) roots.add(stat.pid);
  }
  const children = new Map<number, number[]>();
  for (const s of stats.values()) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s.pid]);
  // A server started below another root (never in practice) is counted once.
  const tree = new Set<number>();
  const stack = [...roots];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (tree.has(pid)) continue;
    tree.add(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  const rss: number[] = [];
  for (const pid of tree) {
    if (rss.length > 0 && rss.length % PIDS_PER_SLICE === 0) await nextTurn();
    rss.push(parseRssBytes(readOr(path.join(procRoot, String(pid), 'status')) ?? ''));
  }
  return {
    processes: tree.size,
    cpuSeconds: [...tree].reduce((sum, pid) => sum + stats.get(pid)!.cpuTicks, 0) / TICKS_PER_SECOND,
    rssBytes: rss.reduce((a, b) => a + b, 0),
  };
}
