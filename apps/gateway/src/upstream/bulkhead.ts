export interface BulkheadOptions {
  /** Requests of this type in flight at once (a stream counts until it ends). */
  concurrent: number;
  /** Requests allowed to wait for a slot; more are refused at once. */
  queue: number;
}

export class BulkheadFullError extends Error {}

/**
 * A semaphore per request type: a flood of slow chat streams fills the chat compartment and is refused
 * there, while autocomplete keeps its own slots (and its own connection pools downstream).
 */
export class Bulkhead {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: BulkheadOptions) {}

  get inFlight(): number {
    return this.active;
  }

  /** Resolves with a release function (idempotent); rejects with BulkheadFullError when the queue is full. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.active < this.options.concurrent) {
      this.active += 1;
      return this.releaser();
    }
    if (this.waiting.length >= this.options.queue) throw new BulkheadFullError('bulkhead full');
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal?.reason ?? new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(grant);
    });
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so `active` stays the same.
      if (next) next();
      else this.active -= 1;
    };
  }
}
