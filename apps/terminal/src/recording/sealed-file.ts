// A recording at rest: an append-only file of AES-256-GCM chunks under the recording's own data key. Appending
// never rewrites what is there, so a crash loses at most the chunk being written (cut off on reopen), and a
// recording continues in the same file after a restart of the service.
//
//   "AIRLOCK-REC1\n" | u32 header length | header JSON {recording, key_id, wrapped_key}
//   then chunks:      u32 length | 12-byte nonce | ciphertext | 16-byte tag
//
// A chunk's additional data is the recording id and its position, so chunks cannot be moved between recordings,
// reordered or dropped from the middle without the read failing. (Cutting chunks off the end is not detected
// here; the recording's row says when it ended.)
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, fstatSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { RecordingKeys } from './recording-keys';

const MAGIC = Buffer.from('AIRLOCK-REC1\n');
const NONCE = 12;
const TAG = 16;
const U32 = 4;

interface Header {
  recording: string;
  key_id: string;
  wrapped_key: string;
}

/** The file is not a sealed recording, or was altered. */
export class SealedFileError extends Error {}

const chunkAad = (recordingId: string, seq: number) => Buffer.from(`${recordingId}:${seq}`);

function u32(n: number): Buffer {
  const b = Buffer.alloc(U32);
  b.writeUInt32BE(n);
  return b;
}

/** Header and where the chunks start; the data key unwrapped. */
async function readHeader(bytes: Buffer, recordingId: string, keys: RecordingKeys): Promise<{ dataKey: Buffer; keyId: string; chunksAt: number }> {
  if (bytes.length < MAGIC.length + U32 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new SealedFileError('not a sealed recording');
  const length = bytes.readUInt32BE(MAGIC.length);
  const start = MAGIC.length + U32;
  if (start + length > bytes.length) throw new SealedFileError('truncated header');
  const header = JSON.parse(bytes.subarray(start, start + length).toString('utf8')) as Header;
  if (header.recording !== recordingId) throw new SealedFileError('the file belongs to another recording');
  const dataKey = await keys.unwrap({ keyId: header.key_id, wrapped: Buffer.from(header.wrapped_key, 'base64') }, recordingId);
  return { dataKey, keyId: header.key_id, chunksAt: start + length };
}

/** Offsets of the complete chunks from `at`; the end of the last complete one. */
function scanChunks(bytes: Buffer, at: number): { offsets: number[]; end: number } {
  const offsets: number[] = [];
  let p = at;
  while (p + U32 <= bytes.length) {
    const length = bytes.readUInt32BE(p);
    if (length < NONCE + TAG || p + U32 + length > bytes.length) break;
    offsets.push(p);
    p += U32 + length;
  }
  return { offsets, end: p };
}

/** Appends sealed chunks to one recording's file. */
export class SealedWriter {
  private closed = false;

  private constructor(
    private readonly fd: number,
    private readonly recordingId: string,
    private readonly dataKey: Buffer,
    private seq: number,
    readonly keyId: string,
  ) {}

  /** A new file (refuses to replace one) with a fresh data key wrapped by `keys`. */
  static async create(file: string, recordingId: string, keys: RecordingKeys): Promise<SealedWriter> {
    const dataKey = randomBytes(32);
    const { keyId, wrapped } = await keys.wrap(dataKey, recordingId);
    const header = Buffer.from(JSON.stringify({ recording: recordingId, key_id: keyId, wrapped_key: wrapped.toString('base64') } satisfies Header));
    const fd = openSync(file, 'wx', 0o600);
    writeSync(fd, Buffer.concat([MAGIC, u32(header.length), header]));
    return new SealedWriter(fd, recordingId, dataKey, 0, keyId);
  }

  /** The existing file, to go on appending after a restart; a chunk cut off by a crash is removed first. */
  static async reopen(file: string, recordingId: string, keys: RecordingKeys): Promise<SealedWriter> {
    const bytes = readFileSync(file);
    const { dataKey, keyId, chunksAt } = await readHeader(bytes, recordingId, keys);
    const { offsets, end } = scanChunks(bytes, chunksAt);
    const fd = openSync(file, 'r+');
    if (end < bytes.length) ftruncateSync(fd, end);
    return new SealedWriter(fd, recordingId, dataKey, offsets.length, keyId);
  }

  /** Seals `plaintext` as the next chunk; returns the bytes added to the file. */
  append(plaintext: Buffer): number {
    if (this.closed || plaintext.length === 0) return 0;
    const nonce = randomBytes(NONCE);
    const cipher = createCipheriv('aes-256-gcm', this.dataKey, nonce).setAAD(chunkAad(this.recordingId, this.seq));
    const sealed = Buffer.concat([nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    // One write per chunk, at the end of the file (the descriptor's position).
    const record = Buffer.concat([u32(sealed.length), sealed]);
    writeSync(this.fd, record, 0, record.length, fstatSync(this.fd).size);
    this.seq++;
    return record.length;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}

/** The whole plaintext of a sealed recording; throws RecordingKeyError (recording-keys) or SealedFileError when it does not open. */
export async function openSealed(file: string, recordingId: string, keys: RecordingKeys): Promise<Buffer> {
  const bytes = readFileSync(file);
  const { dataKey, chunksAt } = await readHeader(bytes, recordingId, keys);
  const { offsets } = scanChunks(bytes, chunksAt);
  return Buffer.concat(
    offsets.map((p, seq) => {
      const length = bytes.readUInt32BE(p);
      const body = bytes.subarray(p + U32, p + U32 + length);
      try {
        const decipher = createDecipheriv('aes-256-gcm', dataKey, body.subarray(0, NONCE)).setAAD(chunkAad(recordingId, seq));
        decipher.setAuthTag(body.subarray(body.length - TAG));
        return Buffer.concat([decipher.update(body.subarray(NONCE, body.length - TAG)), decipher.final()]);
      } catch {
        throw new SealedFileError(`chunk ${seq} does not authenticate`);
      }
    }),
  );
}
