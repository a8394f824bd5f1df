/**
 * The most recent `capacity` event ids, least recently seen evicted first. In-process only: the fallback
 * de-duplication when no Redis is configured (see AuditDedup), seeded from the jsonl sink file's tail.
 */
export class DedupWindow {
  // A Map iterates in insertion order, so re-inserting on every hit keeps the oldest id first.
  private readonly ids = new Map<string, true>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
  }

  get size(): number {
    return this.ids.size;
  }

  /** True when the id is in the window; a hit counts as a fresh sighting. */
  seen(id: string): boolean {
    if (!this.ids.has(id)) return false;
    this.ids.delete(id);
    this.ids.set(id, true);
    return true;
  }

  remember(id: string): void {
    this.ids.delete(id);
    this.ids.set(id, true);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.keys().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
  }
}
