import type { FileHandle } from 'node:fs/promises';
import { openLineFile } from '../durable/line-file';
import type { AuditRecord } from '../events/audit-record';
import type { AuditSink } from './audit-sink';

interface Queued {
  data: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Appends one JSON object per line to a local file and syncs before acknowledging. Group commit: batches
 * handed over while a sync is in flight (other partitions' batches) go out together as the next write with
 * one fdatasync, each caller's lines contiguous and in call order; every caller of the group is acknowledged
 * (or fails) with it.
 */
export class JsonlSink implements AuditSink {
  readonly name = 'jsonl';
  private queue: Queued[] = [];
  private flushing?: Promise<void>;
  private closed = false;

  private constructor(
    private readonly handle: FileHandle,
    readonly file: string,
  ) {}

  static async open(file: string): Promise<JsonlSink> {
    const { handle } = await openLineFile(file);
    return new JsonlSink(handle, file);
  }

  write(records: AuditRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('jsonl sink is closed'));
    if (records.length === 0) return Promise.resolve();
    const data = records.map((r) => `${JSON.stringify(r)}\n`).join('');
    const done = new Promise<void>((resolve, reject) => this.queue.push({ data, resolve, reject }));
    this.flushing ??= this.flush();
    return done;
  }

  private async flush(): Promise<void> {
    // Let the batches handed over in the current tick join the first write.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) {
      const group = this.queue;
      this.queue = [];
      try {
        // One write(2) for the group (appendFile splits at 512 KiB): a process killed mid-write leaves whole
        // lines or none, since the kernel finishes a regular-file write it has started. fdatasync is enough:
        // it flushes the file size with the data, and nothing reads the timestamps.
        const data = Buffer.from(group.length === 1 ? group[0]!.data : group.map((q) => q.data).join(''));
        for (let offset = 0; offset < data.length; ) offset += (await this.handle.write(data, offset)).bytesWritten;
        await this.handle.datasync();
        for (const q of group) q.resolve();
      } catch (error) {
        for (const q of group) q.reject(error);
      }
    }
    // In the same synchronous step as the last emptiness check, so a write never finds a flush that has
    // already looked at the queue for the last time.
    this.flushing = undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flushing;
    await this.handle.close();
  }
}
