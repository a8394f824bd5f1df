import { open, rename, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { ChainHead } from '@airlock/audit-chain';
import { GroupCommit } from '@airlock/events';
import { openLineFile, syncDirectory } from '../durable/line-file';
import type { ChainHeads } from './chain-state';

/** Past this size the journal is rewritten as one snapshot line (about ten thousand commits of one chain). */
const DEFAULT_COMPACT_BYTES = 1 << 20;

/**
 * The chain heads as an append-only journal: each commit appends one line with the heads that moved
 * (`{"chains":{…}}`) and syncs it — one write and one fdatasync per batch instead of a temporary file, an
 * fsync and a rename. `readChainState` replays it, later lines winning. Commits arriving while one is being
 * synced (batches of other partitions) go out together as the next line, so concurrent partitions share
 * one sync. Past `compactBytes` the file is rewritten as a single line of every head (temporary file,
 * fsync, rename, directory fsync): rare, and a crash in the middle leaves the old or the new file whole.
 */
export class ChainStateJournal {
  // A failed line's heads go again with the next one (not on disk: their callers fail, their offsets stay uncommitted).
  private readonly lines = new GroupCommit<string, ChainHead>((heads) => this.writeLine(heads), { retryFailed: true });
  private closed = false;

  private constructor(
    private handle: FileHandle,
    private size: number,
    readonly file: string,
    private readonly snapshot: () => ChainHeads,
    private readonly compactBytes: number,
  ) {}

  /** `snapshot` gives every current head: what a compaction writes. */
  static async open(file: string, snapshot: () => ChainHeads, options: { compactBytes?: number } = {}): Promise<ChainStateJournal> {
    const { handle, size } = await openLineFile(file);
    return new ChainStateJournal(handle, size, file, snapshot, options.compactBytes ?? DEFAULT_COMPACT_BYTES);
  }

  /** Resolves once the heads given (and everything committed before) are on disk. */
  commit(heads: ReadonlyMap<string, ChainHead>): Promise<void> {
    if (this.closed) return Promise.reject(new Error('chain state journal is closed'));
    return this.lines.add([...heads].map(([id, head]) => [id, { ...head }] as const));
  }

  private async writeLine(heads: ReadonlyMap<string, ChainHead>): Promise<void> {
    await this.append(`${JSON.stringify({ chains: Object.fromEntries(heads) })}\n`);
    if (this.size > this.compactBytes) await this.compact();
  }

  private async append(line: string): Promise<void> {
    const data = Buffer.from(line);
    for (let offset = 0; offset < data.length; ) offset += (await this.handle.write(data, offset)).bytesWritten;
    this.size += data.length;
    await this.handle.datasync();
  }

  private async compact(): Promise<void> {
    const tmp = `${this.file}.tmp`;
    const body = `${JSON.stringify({ version: 2, updated: new Date().toISOString(), chains: Object.fromEntries(this.snapshot()) })}\n`;
    const out = await open(tmp, 'w', 0o640);
    try {
      await out.writeFile(body);
      await out.sync();
    } finally {
      await out.close();
    }
    await rename(tmp, this.file);
    await syncDirectory(path.dirname(path.resolve(this.file)));
    const old = this.handle;
    this.handle = await open(this.file, 'a', 0o640);
    this.size = Buffer.byteLength(body);
    await old.close().catch(() => undefined);
  }

  /** Waits for the commits in flight, then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.lines.settled();
    await this.handle.close();
  }
}
