// CPU and memory of the processes the shells run, read from /proc: every tmux server whose socket lies under this
// service's root directory, and everything below it (the shells and what they started). Read by the reaper for the
// PTY metrics; a process that exits between the listing and its reading is skipped.
import { readFile, readdir } from 'node:fs/promises';
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
}

// Linux reports CPU times in clock ticks: USER_HZ, 100 on every architecture Node runs on.
const TICKS_PER_SECOND = 100;

/** /proc/<pid>/stat → the fields used here; the command name (field 2) may hold spaces and parentheses. */
export function parseStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const pid = Number.parseInt(text, 10);
  // After ") ": state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime …
  const rest = text.slice(close + 2).split(' ');
  const [ppid, utime, stime] = [rest[1], rest[11], rest[12]].map(Number);
  if (![pid, ppid, utime, stime].every(Number.isFinite)) return undefined;
  return { pid, ppid, cpuTicks: utime + stime };
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

const readOr = (file: string): Promise<string | undefined> => readFile(file, 'utf8').catch(() => undefined);

/**
 * Sums the shells' process trees: below each tmux server of `rootDir` (this service's own tmux clients, children
 * of `servicePid`, are not shells). `procRoot` is /proc except in tests.
 */
export async function shellProcessUsage(rootDir: string, servicePid = process.pid, procRoot = '/proc'): Promise<ProcessUsage> {
  const pids = (await readdir(procRoot)).filter((name) => /^\d+$/.test(name));
  const stats = new Map<number, ProcStat>();
  const roots = new Set<number>();
  await Promise.all(
    pids.map(async (name) => {
      const stat = parseStat((await readOr(path.join(procRoot, name, 'stat'))) ?? '');
      if (!stat) return;
      stats.set(stat.pid, stat);
      if (stat.ppid !== servicePid && isTmuxUnder((await readOr(path.join(procRoot, name, 'cmdline'))) ?? '', rootDir)) roots.add(stat.pid);
    }),
  );
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
  const rss = await Promise.all([...tree].map(async (pid) => parseRssBytes((await readOr(path.join(procRoot, String(pid), 'status'))) ?? '')));
  return {
    processes: tree.size,
    cpuSeconds: [...tree].reduce((sum, pid) => sum + stats.get(pid)!.cpuTicks, 0) / TICKS_PER_SECOND,
    rssBytes: rss.reduce((a, b) => a + b, 0),
  };
}
