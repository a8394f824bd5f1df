import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';

export interface SpooledMessage {
  topic: string;
  key: string;
  value: Uint8Array;
  headers: Record<string, string>;
}

interface Line {
  t: string;
  k: string;
  v: string;
  h: Record<string, string>;
}

/**
 * An append-only, fsync'd local file of messages the broker has not taken yet. `append` returns only once
 * the bytes are on disk, so a message handed to it survives a broker outage and a process crash; `pending`
 * reads them back in order and `ack` moves a persisted cursor past delivered ones. When everything is
 * delivered the file is truncated.
 *
 * One writer per directory (one producer per process instance): the spool is not shared.
 */
export class EventSpool {
  private readonly file: string;
  private readonly cursorFile: string;
  private cursor: number;
  // Kept in memory: the producer asks on every publish, and reading the file each time would put disk
  // reads on the request path.
  private count: number;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = path.join(dir, 'events.spool');
    this.cursorFile = path.join(dir, 'events.cursor');
    this.cursor = existsSync(this.cursorFile) ? Number(readFileSync(this.cursorFile, 'utf8')) || 0 : 0;
    this.dropTornTail();
    this.count = this.pending().length;
  }

  /** Number of messages appended and not yet acknowledged. */
  get size(): number {
    return this.count;
  }

  append(messages: SpooledMessage[]): void {
    const data = messages
      .map((m) => JSON.stringify({ t: m.topic, k: m.key, v: Buffer.from(m.value).toString('base64'), h: m.headers } satisfies Line))
      .join('\n');
    const fd = openSync(this.file, 'a', 0o600);
    try {
      writeSync(fd, `${data}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.count += messages.length;
  }

  /**
   * A crash mid-write leaves a last line without its newline. It was never acknowledged to anyone, so it is
   * cut off; otherwise the next append would be glued to it and lost with it.
   */
  private dropTornTail(): void {
    if (!existsSync(this.file)) return;
    const text = readFileSync(this.file, 'utf8');
    if (text === '' || text.endsWith('\n')) return;
    this.writeAtomically(this.file, text.slice(0, text.lastIndexOf('\n') + 1));
  }

  /** Undelivered messages in append order (the first `limit` of them when given). */
  pending(limit = Infinity): SpooledMessage[] {
    if (!existsSync(this.file)) return [];
    const lines = readFileSync(this.file, 'utf8').split('\n').slice(this.cursor);
    const out: SpooledMessage[] = [];
    for (const raw of lines) {
      if (out.length >= limit) break;
      if (!raw) continue;
      const l = JSON.parse(raw) as Line;
      out.push({ topic: l.t, key: l.k, value: Buffer.from(l.v, 'base64'), headers: l.h ?? {} });
    }
    return out;
  }

  /** Marks the first `count` pending messages delivered. */
  ack(count: number): void {
    if (count <= 0) return;
    this.cursor += count;
    this.count = Math.max(0, this.count - count);
    if (this.count === 0) {
      // Everything delivered: start a new file rather than growing one forever.
      this.writeAtomically(this.file, '');
      this.cursor = 0;
    }
    this.writeAtomically(this.cursorFile, String(this.cursor));
  }

  private writeAtomically(file: string, content: string): void {
    const tmp = `${file}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  }
}
