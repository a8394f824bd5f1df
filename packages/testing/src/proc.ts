import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, readFileSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { openLogFile } from './log-files';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// Below Linux's default ephemeral range (32768-60999): a port the OS handed out with `listen(0)` comes from
// that range, and so do the local ports of every outgoing connection (Kafka clients, pools), which can take
// it between our probe and the service's own bind. Random picks below the range avoid that race.
const PORT_FLOOR = 20_000;
const PORT_CEILING = 32_000;
const handedOut = new Set<number>();

/** A port that was free on 127.0.0.1 a moment ago and that this process has not handed out before. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = PORT_FLOOR + Math.floor(Math.random() * (PORT_CEILING - PORT_FLOOR));
    if (handedOut.has(port)) continue;
    if (await portIsFree(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port found in ${PORT_FLOOR}-${PORT_CEILING}`);
}

/** Resolves when `port` is free to bind on 127.0.0.1 (used to keep a component's previous port). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function tryConnect(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Waits until a TCP connection to host:port succeeds; rejects after timeoutMs. */
export async function waitForTcp(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = deadline - Date.now();
    if (await tryConnect(host, port, Math.max(50, Math.min(1000, left)))) return;
    if (Date.now() >= deadline) throw new Error(`nothing accepted connections on ${host}:${port} within ${timeoutMs} ms`);
    await sleep(Math.min(100, Math.max(0, deadline - Date.now())));
  }
}

interface ProcStat {
  state: string;
  pgrp: number;
  startTime: number;
}

/** Fields of /proc/<pid>/stat that tell whether a pid is still the process we started. */
export function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may itself hold spaces or parentheses.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: rest[0] ?? '?', pgrp: Number(rest[2]), startTime: Number(rest[19]) };
}

/** The process's start time in clock ticks since boot (undefined where /proc is not available). */
export function procStartTime(pid: number): number | undefined {
  return readProcStat(pid)?.startTime;
}

/**
 * Whether `pid` runs and, when `startTime` is given, is still the same process (not a reused pid).
 * Zombies count as gone.
 */
export function isAlive(pid: number, startTime?: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (existsSync('/proc/self/stat')) {
    const stat = readProcStat(pid);
    if (!stat || stat.state === 'Z' || stat.state === 'X') return false;
    return startTime === undefined || stat.startTime === startTime;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function waitGone(pid: number, startTime: number | undefined, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid, startTime)) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

export interface StopOptions {
  /** The polite signal; postgres wants SIGINT (fast shutdown), since SIGTERM waits for clients to leave. */
  signal?: NodeJS.Signals;
  timeoutMs?: number;
  /** Also signal the process group when the pid leads one (detached spawns do); default true. */
  group?: boolean;
  startTime?: number;
}

/** Polite signal, wait up to timeoutMs, then SIGKILL (the whole group when the pid leads one). */
export async function stopPid(pid: number, opts: StopOptions = {}): Promise<void> {
  const { timeoutMs = 15_000, group = true, startTime } = opts;
  if (!isAlive(pid, startTime)) return;
  const leadsGroup = readProcStat(pid)?.pgrp === pid;
  const polite = opts.signal ?? 'SIGTERM';
  signal(group && leadsGroup ? -pid : pid, polite);
  const gone = await waitGone(pid, startTime, timeoutMs);
  if (!gone) {
    if (leadsGroup) signal(-pid, 'SIGKILL');
    signal(pid, 'SIGKILL');
    if (!(await waitGone(pid, startTime, 5_000))) throw new Error(`pid ${pid} survived SIGKILL`);
  } else if (leadsGroup) {
    // Children the leader left behind in its group (a shell's `sleep`, a wrapper's worker) go too.
    signal(-pid, 'SIGKILL');
  }
}

export interface UserIds {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** Looks a user up in /etc/passwd. */
export function lookupUser(name: string): UserIds {
  const passwd = readFileSync('/etc/passwd', 'utf8');
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f.length >= 7) return { name, uid: Number(f[2]), gid: Number(f[3]), home: f[5] ?? '/' };
  }
  throw new Error(`no OS user named ${name}`);
}

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * What to pass to spawn for `user`: as root, that user's uid/gid (libuv also drops root's supplementary
 * groups); as anyone else, nothing when it is the current user, an error otherwise.
 */
export function userSpawnOptions(user: string | undefined, env: NodeJS.ProcessEnv): { uid?: number; gid?: number; env: NodeJS.ProcessEnv } {
  if (!user) return { env };
  const ids = lookupUser(user);
  if (!isRoot()) {
    if (process.getuid?.() === ids.uid) return { env };
    throw new Error(`running a process as ${user} needs root`);
  }
  if (ids.uid === 0) return { env };
  return { uid: ids.uid, gid: ids.gid, env: { ...env, HOME: ids.home, USER: user, LOGNAME: user } };
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  user?: string;
  timeoutMs?: number;
}

/** Runs a command to completion; rejects with its output's tail when it fails. */
export function run(command: string, args: string[], opts: RunOptions = {}): Promise<{ stdout: string; stderr: string }> {
  const spawnOpts = userSpawnOptions(opts.user, opts.env ?? process.env);
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { ...spawnOpts, cwd: opts.cwd, timeout: opts.timeoutMs ?? 0, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) {
          const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-25).join('\n');
          // execFile's message says only "Command failed" when its timeout killed the command: say which it was.
          const reason = error.killed && opts.timeoutMs ? `timed out after ${opts.timeoutMs} ms` : error.message.split('\n')[0];
          reject(new Error(`${command} ${args.join(' ')} failed: ${reason}\n${tail}`));
        } else resolve({ stdout, stderr });
      },
    );
  });
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  logFile: string;
  user?: string;
  /**
   * Start it as an orphan (through a shell that exits at once) instead of as our child. Needed for programs
   * that end themselves when their parent exits — Envoy does (it is stopped by SIGTERM the moment the
   * process that spawned it exits) — so they outlive `tools/airlock up`.
   */
  orphan?: boolean;
}

/**
 * Starts a process in its own session (so it outlives the caller and leads a process group), stdout and
 * stderr appended to logFile. Resolves once the OS has started it; rejects if the command cannot run.
 */
export async function spawnDetached(opts: SpawnOptions): Promise<{ pid: number; startTime?: number }> {
  const spawnOpts = userSpawnOptions(opts.user, opts.env ?? process.env);
  const fd = openLogFile(opts.logFile);
  try {
    writeSync(fd, `--- ${new Date().toISOString()} ${opts.name}: ${opts.command} ${opts.args.join(' ')}\n`);
    if (opts.orphan) {
      // The shell backgrounds the program (stdout to the log via fd 2), prints its pid, and exits.
      const shell = spawn('/bin/sh', ['-c', 'exec "$0" "$@" >&2 </dev/null & echo $!', opts.command, ...opts.args], {
        ...spawnOpts,
        cwd: opts.cwd,
        detached: true,
        stdio: ['ignore', 'pipe', fd],
      });
      let out = '';
      shell.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const code = await new Promise<number | null>((resolve, reject) => {
        shell.once('error', (error) => reject(new Error(`could not start ${opts.name} (${opts.command}): ${error.message}`)));
        shell.once('close', resolve);
      });
      const pid = Number(out.trim());
      if (code !== 0 || !Number.isInteger(pid) || pid <= 0) throw new Error(`could not start ${opts.name}: no pid`);
      return { pid, startTime: procStartTime(pid) };
    }
    const child = spawn(opts.command, opts.args, { ...spawnOpts, cwd: opts.cwd, detached: true, stdio: ['ignore', fd, fd] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) => reject(new Error(`could not start ${opts.name} (${opts.command}): ${error.message}`)));
    });
    child.unref();
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not start ${opts.name}: no pid`);
    return { pid, startTime: procStartTime(pid) };
  } finally {
    closeSync(fd);
  }
}

/** The last lines of a log file, for error messages. */
export async function tailFile(file: string, lines = 30): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Polls `ready` until it resolves true; fails early, with the log's tail, if the process exits first.
 */
export async function waitReady(what: string, pid: number, logFiles: string[], timeoutMs: number, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const logs = async (): Promise<string> =>
    (await Promise.all(logFiles.map(async (f) => `--- ${f}:\n${await tailFile(f, 20)}`))).join('\n');
  for (;;) {
    if (!isAlive(pid)) throw new Error(`${what} exited during start-up\n${await logs()}`);
    if (await ready().catch(() => false)) return;
    if (Date.now() >= deadline) throw new Error(`${what} was not ready within ${timeoutMs} ms\n${await logs()}`);
    await sleep(150);
  }
}
