import { mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/**
 * Opens an append-only file of lines (a SIEM jsonl sink, the chain-state journal) for durable appends, creating
 * it and its directory when missing. A new file's directory entry is synced, since it is only durable once the
 * directory is. A file whose last line was torn by a crash mid-append gets a newline first, so the damage stays
 * confined to that line instead of swallowing the next one. Returns the handle and the size after that repair.
 */
export async function openLineFile(file: string): Promise<{ handle: FileHandle; size: number }> {
  const dir = path.dirname(path.resolve(file));
  await mkdir(dir, { recursive: true });
  const handle = await open(file, 'a+', 0o640);
  try {
    let { size } = await handle.stat();
    if (size === 0) {
      await syncDirectory(dir);
    } else {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) {
        await handle.appendFile('\n');
        await handle.datasync();
        size += 1;
      }
    }
    return { handle, size };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

/** fsyncs a directory, making the entries created or renamed in it durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
