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

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = path.join(dir, 'events.spool');
    this.cursorFile = path.join(dir, 'events.cursor');
    this.cursor = existsSync(this.cursorFile) ? Number(readFileSync(this.cursorFile, 'utf8')) || 0 : 0;
  }

  /** Number of messages appended and not yet acknowledged. */
  get size(): number {
    return this.pending().length;
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
  }

  /** Undelivered messages in append order. A torn last line (crash mid-write) is ignored: it was never acknowledged to anyone. */
  pending(): SpooledMessage[] {
    if (!existsSync(this.file)) return [];
    const lines = readFileSync(this.file, 'utf8').split('\n').slice(this.cursor);
    const out: SpooledMessage[] = [];
    for (const raw of lines) {
      if (!raw) continue;
      try {
        const l = JSON.parse(raw) as Line;
        out.push({ topic: l.t, key: l.k, value: Buffer.from(l.v, 'base64'), headers: l.h ?? {} });
      } catch {
        break;
      }
    }
    return out;
  }

  /** Marks the first `count` pending messages delivered. */
  ack(count: number): void {
    if (count <= 0) return;
    this.cursor += count;
    if (this.pending().length === 0) {
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
