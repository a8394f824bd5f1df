import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { withLock } from './lock';
import type { InfraComponent, InfraProfile } from './types';

/** A process the harness started (detached), as recorded in state.json. */
export interface ProcessRecord {
  pid: number;
  /** From /proc/<pid>/stat: tells a live process from a later one that got the same pid. */
  startTime?: number;
  command: string;
  args: string[];
  logFile: string;
  startedAt: string;
  user?: string;
}

export interface InfraRecord extends ProcessRecord {
  port: number;
  /** Every port the component listens on (kafka: broker and controller). */
  ports: Record<string, number>;
  profile: InfraProfile;
}

export interface HarnessState {
  version: 1;
  /** Running infrastructure components. */
  infra: Partial<Record<InfraComponent, InfraRecord>>;
  /** Processes started through spawnManaged, by name. */
  services: Record<string, ProcessRecord>;
  /** The ports each component used last, kept across stops so a restart can keep its addresses. */
  lastPorts: Partial<Record<InfraComponent, Record<string, number>>>;
}

export const emptyState = (): HarnessState => ({ version: 1, infra: {}, services: {}, lastPorts: {} });

/** Reads state.json; a missing, unreadable or foreign-version file reads as the empty state. */
export async function readState(file: string): Promise<HarnessState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<HarnessState>;
    if (parsed.version !== 1) return emptyState();
    return { version: 1, infra: parsed.infra ?? {}, services: parsed.services ?? {}, lastPorts: parsed.lastPorts ?? {} };
  } catch {
    return emptyState();
  }
}

/** Writes state.json atomically (temp file + rename), so a reader never sees half a file. */
export async function writeState(file: string, state: HarnessState): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(tmp, file);
}

/** Read-modify-write of state.json under its own short-lived lock. */
export async function updateState(file: string, change: (state: HarnessState) => void): Promise<HarnessState> {
  return withLock(`${file}.lock`, async () => {
    const state = await readState(file);
    change(state);
    await writeState(file, state);
    return state;
  });
}
