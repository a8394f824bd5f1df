import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { isAlive, procStartTime, sleep } from './proc';
import { log } from './log';

interface LockOwner {
  pid: number;
  startTime?: number;
  at: string;
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>;
    return typeof owner.pid === 'number' ? (owner as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * An exclusive lock between processes on this machine: a file created with O_EXCL holding the owner's pid
 * and start time. A lock whose owner died (or whose pid now belongs to another process) is taken over;
 * the owner is never timed out, since a cold install may hold it for minutes.
 */
export async function acquireLock(file: string, opts: { timeoutMs?: number; what?: string } = {}): Promise<() => Promise<void>> {
  const timeoutMs = opts.timeoutMs ?? 15 * 60_000;
  const deadline = Date.now() + timeoutMs;
  const mine = JSON.stringify({ pid: process.pid, startTime: procStartTime(process.pid), at: new Date().toISOString() } satisfies LockOwner);
  await mkdir(path.dirname(file), { recursive: true });
  let told = false;
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      try {
        await handle.writeFile(mine);
      } finally {
        await handle.close();
      }
      return async () => {
        if ((await readText(file)) === mine) await unlink(file).catch(() => undefined);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const text = await readText(file);
    if (text === undefined) continue;
    const owner = parseOwner(text);
    // An unparsable lock is one being written right now, or one whose writer died mid-write: give it a moment.
    const stale = owner ? !isAlive(owner.pid, owner.startTime) : await sleep(500).then(async () => (await readText(file)) === text);
    if (stale) {
      // Remove it only if nobody replaced it since we read it (the remaining race is a few microseconds wide).
      if ((await readText(file)) === text) await unlink(file).catch(() => undefined);
      continue;
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${file} (held by pid ${owner?.pid})`);
    if (!told && opts.what && owner?.pid !== process.pid) {
      log(`waiting for ${opts.what} (lock held by pid ${owner?.pid})`);
      told = true;
    }
    await sleep(100 + Math.floor(Math.random() * 100));
  }
}

export async function withLock<T>(file: string, fn: () => Promise<T>, opts: { timeoutMs?: number; what?: string } = {}): Promise<T> {
  const release = await acquireLock(file, opts);
  try {
    return await fn();
  } finally {
    await release();
  }
}
