import { isAlive, spawnDetached, stopPid, type SpawnOptions } from './proc';
import { readState, updateState, type ProcessRecord } from './state';
import { stateFile } from './paths';

/** Starts a detached process (own session, output appended to logFile) and records it in state.json. */
export async function spawnManaged(opts: SpawnOptions): Promise<{ pid: number; startTime?: number }> {
  const { pid, startTime } = await spawnDetached(opts);
  const record: ProcessRecord = {
    pid,
    startTime,
    command: opts.command,
    args: opts.args,
    logFile: opts.logFile,
    startedAt: new Date().toISOString(),
    user: opts.user,
  };
  await updateState(stateFile(), (state) => {
    state.services[opts.name] = record;
  });
  return { pid, startTime };
}

/** SIGTERM, wait up to timeoutMs (default 10 s), then SIGKILL; drops the pid's record from state.json. */
export async function stopManaged(pid: number, timeoutMs = 10_000): Promise<void> {
  const state = await readState(stateFile());
  const record = [...Object.values(state.services), ...Object.values(state.infra)].find((r) => r?.pid === pid);
  await stopPid(pid, { timeoutMs, startTime: record?.startTime });
  await updateState(stateFile(), (s) => {
    for (const [name, r] of Object.entries(s.services)) if (r.pid === pid) delete s.services[name];
    for (const [name, r] of Object.entries(s.infra)) if (r?.pid === pid) delete s.infra[name as keyof typeof s.infra];
  });
}

/** The processes recorded by spawnManaged, by name, with whether each still runs. */
export async function listManaged(): Promise<Record<string, { pid: number; running: boolean; logFile: string }>> {
  const state = await readState(stateFile());
  return Object.fromEntries(
    Object.entries(state.services).map(([name, r]) => [name, { pid: r.pid, running: isAlive(r.pid, r.startTime), logFile: r.logFile }]),
  );
}
