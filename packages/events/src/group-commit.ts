interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: entries added in the same tick, or while a write is in flight, go out together as the next single
 * write, the newest value per key winning; each caller resolves (or fails) with the write that carried its entries.
 * For durable steps whose cost is per write, not per entry (an fsync, a broker request) and which concurrent
 * partitions' batches reach at about the same time.
 */
export class GroupCommit<K, V> {
  private pending = new Map<K, V>();
  private waiters: Waiter[] = [];
  private flushing?: Promise<void>;

  /**
   * `write` makes the entries durable. `retryFailed`: entries of a failed write go again with the next one (unless a
   * newer value replaced them); otherwise they are dropped with the failure their callers see.
   */
  constructor(
    private readonly write: (entries: ReadonlyMap<K, V>) => Promise<void>,
    private readonly options: { retryFailed?: boolean } = {},
  ) {}

  /** Resolves once `entries` (and everything added before them) are written. */
  add(entries: Iterable<readonly [K, V]>): Promise<void> {
    for (const [key, value] of entries) this.pending.set(key, value);
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.flushing ??= this.flush();
    return done;
  }

  /** Resolves once no write is in flight (whatever its outcome). */
  async settled(): Promise<void> {
    await this.flushing;
  }

  private async flush(): Promise<void> {
    // Let the entries added in this tick (other partitions' batches) join the first write.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.waiters.length > 0) {
      const entries = this.pending;
      const waiters = this.waiters;
      this.pending = new Map();
      this.waiters = [];
      try {
        await this.write(entries);
        for (const w of waiters) w.resolve();
      } catch (error) {
        if (this.options.retryFailed) for (const [key, value] of entries) if (!this.pending.has(key)) this.pending.set(key, value);
        for (const w of waiters) w.reject(error);
      }
    }
    // In the same synchronous step as the last emptiness check, so an add never finds a flush that has already
    // looked at the queue for the last time.
    this.flushing = undefined;
  }
}
