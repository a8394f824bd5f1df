import type { Consumer } from 'kafkajs';

interface PartitionOffset {
  topic: string;
  partition: number;
  offset: string;
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit of consumed offsets. Each OffsetCommit is a request the broker appends to its offsets log, and
 * a consumer that handles its partitions' batches at the same time finishes them together: committed one by
 * one, a fetch of three partitions costs three requests. Here the commits asked for in the same tick, or
 * while one is in flight, go out as the next single request, each partition with its newest offset; every
 * caller resolves (or fails) with it. A caller still waits for its own offset to be committed, so nothing
 * about when an offset counts as committed changes.
 */
export class OffsetCommits {
  private pending = new Map<string, PartitionOffset>();
  private waiters: Waiter[] = [];
  private flushing?: Promise<void>;

  /** `consumer`: the group member to commit through (replaced when it rejoins its group). */
  constructor(private readonly consumer: () => Consumer) {}

  /** Resolves once `offset` (the next one to consume) is committed for the partition. */
  commit(topic: string, partition: number, offset: string): Promise<void> {
    // A partition's batches are handled in order and each waits for its commit, so a later offset for the
    // same partition is always the newer one.
    this.pending.set(`${topic}\u0000${partition}`, { topic, partition, offset });
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.flushing ??= this.flush();
    return done;
  }

  private async flush(): Promise<void> {
    // Let the other partitions' batches that finish in this tick join the first request.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.waiters.length > 0) {
      const offsets = [...this.pending.values()];
      const waiters = this.waiters;
      this.pending = new Map();
      this.waiters = [];
      try {
        await this.consumer().commitOffsets(offsets);
        for (const w of waiters) w.resolve();
      } catch (error) {
        for (const w of waiters) w.reject(error);
      }
    }
    // In the same synchronous step as the last emptiness check, so a commit never finds a flush that has
    // already looked at the queue for the last time.
    this.flushing = undefined;
  }
}
