import { crc32 } from 'node:zlib';

export interface ZipEntry {
  /** Forward slashes, no leading slash. */
  name: string;
  data: Buffer;
}

// 1980-01-01 00:00:00, the earliest DOS time: no clock or time zone ever reaches the archive.
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
/** "Made by" Unix (3), spec 2.0: lets the external attributes carry a fixed file mode. */
const MADE_BY = (3 << 8) | 20;
const VERSION_NEEDED = 20;
const FILE_MODE = 0o100644;

/** Flags, method, time, date, CRC, sizes and name length: the same run in a local header and a central record. */
function writeEntryFields(buf: Buffer, at: number, crc: number, size: number, nameLength: number): void {
  buf.writeUInt16LE(0x0800, at); // names are UTF-8
  buf.writeUInt16LE(0, at + 2); // stored
  buf.writeUInt16LE(DOS_TIME, at + 4);
  buf.writeUInt16LE(DOS_DATE, at + 6);
  buf.writeUInt32LE(crc, at + 8);
  buf.writeUInt32LE(size, at + 12);
  buf.writeUInt32LE(size, at + 16);
  buf.writeUInt16LE(nameLength, at + 20);
}

/**
 * A ZIP archive whose bytes depend only on the entries: sorted by name, fixed timestamps and modes, no extra
 * fields, and entries STORED rather than deflated. Deflate output is not guaranteed to be the same across
 * zlib builds (Node bundles a zlib whose match finder may take CPU-specific paths), and the catalogue pins
 * the archive's SHA-256, so a rebuild on another machine must give the same bytes. A VSIX is a few tens of
 * kilobytes: compression would save nothing that matters.
 */
export function writeZip(entries: readonly ZipEntry[]): Buffer {
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const local: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const seen = new Set<string>();
  for (const entry of sorted) {
    if (!entry.name || entry.name.startsWith('/') || entry.name.includes('\\') || entry.name.split('/').includes('..')) {
      throw new Error(`zip: not a relative entry name: ${entry.name}`);
    }
    if (seen.has(entry.name)) throw new Error(`zip: duplicate entry ${entry.name}`);
    seen.add(entry.name);
    const name = Buffer.from(entry.name, 'utf8');
    const crc = crc32(entry.data) >>> 0;
    const size = entry.data.length;
    // Extra field length (and, in the central record, comment length, disk number, internal attributes): 0.
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(VERSION_NEEDED, 4);
    writeEntryFields(header, 6, crc, size, name.length);
    local.push(header, name, entry.data);

    const record = Buffer.alloc(46);
    record.writeUInt32LE(0x02014b50, 0);
    record.writeUInt16LE(MADE_BY, 4);
    record.writeUInt16LE(VERSION_NEEDED, 6);
    writeEntryFields(record, 8, crc, size, name.length);
    record.writeUInt32LE((FILE_MODE << 16) >>> 0, 38);
    record.writeUInt32LE(offset, 42);
    central.push(record, name);
    offset += header.length + name.length + size;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(sorted.length, 8);
  end.writeUInt16LE(sorted.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  if (offset > 0xffffffff || sorted.length > 0xffff) throw new Error('zip: too large for a non-ZIP64 archive');
  return Buffer.concat([...local, directory, end]);
}

/** Reads back an archive written by writeZip (stored entries only): for tests and the catalogue check. */
export function readZip(zip: Buffer): ZipEntry[] {
  const endAt = zip.length - 22;
  if (endAt < 0 || zip.readUInt32LE(endAt) !== 0x06054b50) throw new Error('zip: no end of central directory record');
  const count = zip.readUInt16LE(endAt + 10);
  let at = zip.readUInt32LE(endAt + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i += 1) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('zip: bad central directory');
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const localAt = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    if (method !== 0) throw new Error(`zip: ${name} is not stored`);
    const dataAt = localAt + 30 + zip.readUInt16LE(localAt + 26) + zip.readUInt16LE(localAt + 28);
    entries.push({ name, data: zip.subarray(dataAt, dataAt + size) });
    at += 46 + nameLength + skip;
  }
  return entries;
}
