import { mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { AuditRecord } from '../events/audit-record';
import type { AuditSink } from './audit-sink';

/** Appends one JSON object per line to a local file and fsyncs before acknowledging. */
export class JsonlSink implements AuditSink {
  readonly name = 'jsonl';
  // Appends are chained so concurrent callers never interleave partial lines.
  private tail: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly handle: FileHandle,
    readonly file: string,
  ) {}

  static async open(file: string): Promise<JsonlSink> {
    const dir = path.dirname(path.resolve(file));
    await mkdir(dir, { recursive: true });
    const handle = await open(file, 'a+', 0o640);
    try {
      const { size } = await handle.stat();
      if (size === 0) {
        // A new file's directory entry is only durable once the directory itself is synced.
        await syncDirectory(dir);
      } else {
        // A crash mid-append can leave a torn last line; starting on a fresh line confines the damage to it.
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) {
          await handle.appendFile('\n');
          await handle.sync();
        }
      }
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
    return new JsonlSink(handle, file);
  }

  write(records: AuditRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('jsonl sink is closed'));
    const run = async () => {
      if (records.length === 0) return;
      // One write(2) for the batch (appendFile splits at 512 KiB): a process killed mid-batch leaves whole
      // lines or none, since the kernel finishes a regular-file write it has started.
      const data = Buffer.from(records.map((r) => `${JSON.stringify(r)}\n`).join(''));
      for (let offset = 0; offset < data.length; ) offset += (await this.handle.write(data, offset)).bytesWritten;
      await this.handle.sync();
    };
    const result = this.tail.then(run);
    this.tail = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail;
    await this.handle.close();
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
