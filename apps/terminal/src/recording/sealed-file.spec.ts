import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { castHeader, CastStream, parseCast } from './asciicast';
import { FileRecordingKeys, RecordingKeyError } from './recording-keys';
import { openSealed, SealedFileError, SealedWriter } from './sealed-file';

describe('sealed recordings (AES-256-GCM, envelope keys)', () => {
  let dir: string;
  const keys = new FileRecordingKeys(randomBytes(32).toString('hex'));
  const file = () => path.join(dir, 't_rec.cast');
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-sealed-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function write(chunks: string[]): Promise<void> {
    const writer = await SealedWriter.create(file(), 't_rec', keys);
    for (const c of chunks) writer.append(Buffer.from(c));
    writer.close();
  }

  it('reads back what was written, and the file holds none of it in clear', async () => {
    await write(['hello secret-marker\n', 'second chunk\n']);
    expect((await openSealed(file(), 't_rec', keys)).toString()).toBe('hello secret-marker\nsecond chunk\n');
    const raw = readFileSync(file());
    expect(raw.includes('secret-marker')).toBe(false);
    expect(raw.includes('second chunk')).toBe(false);
    expect(statSync(file()).mode & 0o777).toBe(0o600);
  });

  it('goes on in the same file after a reopen, cutting off a chunk a crash left half-written', async () => {
    await write(['one\n']);
    const whole = statSync(file()).size;
    const writer = await SealedWriter.reopen(file(), 't_rec', keys);
    writer.append(Buffer.from('two\n'));
    writer.close();
    truncateSync(file(), statSync(file()).size - 5);
    const again = await SealedWriter.reopen(file(), 't_rec', keys);
    expect(statSync(file()).size).toBe(whole);
    again.append(Buffer.from('three\n'));
    again.close();
    expect((await openSealed(file(), 't_rec', keys)).toString()).toBe('one\nthree\n');
  });

  it('refuses another key, with the fingerprints in the message and not the keys', async () => {
    await write(['x\n']);
    const other = new FileRecordingKeys(randomBytes(32).toString('base64'));
    await expect(openSealed(file(), 't_rec', other)).rejects.toThrow(RecordingKeyError);
    await expect(openSealed(file(), 't_rec', other)).rejects.toThrow(/sealed under key file:[0-9a-f]{16}/);
  });

  it('refuses a file of another recording, and an altered or reordered chunk', async () => {
    await write(['aaaa\n', 'bbbb\n']);
    await expect(openSealed(file(), 't_other', keys)).rejects.toThrow();
    const raw = readFileSync(file());
    const flipped = Buffer.from(raw);
    flipped[flipped.length - 20] ^= 1;
    writeFileSync(file(), flipped);
    await expect(openSealed(file(), 't_rec', keys)).rejects.toThrow(SealedFileError);
  });

  it('refuses a key file that is not 32 bytes', () => {
    expect(() => new FileRecordingKeys('abc')).toThrow(/32 bytes/);
  });
});

describe('asciicast v2', () => {
  it('writes a header and timed events, never splitting a multi-byte character', () => {
    const stream = new CastStream('o', 1_000);
    const bytes = Buffer.from('안녕');
    const lines = castHeader({ width: 80, height: 24, timestamp: 1, title: 't' }) + stream.line(bytes.subarray(0, 2), 1_500) + stream.line(bytes.subarray(2), 2_250);
    const cast = parseCast(lines);
    expect(cast.header).toMatchObject({ version: 2, width: 80, height: 24 });
    expect(cast.events).toEqual([[1.25, 'o', '안녕']]);
  });
});
