import { createReadStream, createWriteStream } from 'node:fs';
import { nodeStream, nodeStreamPromises, nodeZlib } from '../../bytes/builtins.js';
import { FormatError } from '../../bytes/errors.js';
import type { ByteSource } from '../../bytes/source.js';

/** End of central directory record (22 bytes + comment). */
const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
export const ZIP_LOCAL_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** More entries than this is not a dump archive (and would be a memory bomb). */
const MAX_ENTRIES = 65536;

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflate. */
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  crc32: number;
}

/** Reads a ZIP file's central directory (with ZIP64 sizes), never the whole file. */
export function readZipDirectory(src: ByteSource): ZipEntry[] {
  const tailLen = Math.min(src.size, 22 + 0xffff);
  const tail = src.read(src.size - tailLen, tailLen);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new FormatError('BadValue', `${src.name} is not a ZIP archive (no end-of-central-directory record)`);
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  const eocdFileOffset = src.size - tailLen + eocd;
  if ((count === 0xffff || cdOffset === 0xffffffff) && eocdFileOffset >= 20) {
    const loc = src.read(eocdFileOffset - 20, 20);
    if (loc.length === 20 && loc.readUInt32LE(0) === ZIP64_LOCATOR_SIGNATURE) {
      const z = src.read(Number(loc.readBigUInt64LE(8)), 56);
      if (z.length === 56 && z.readUInt32LE(0) === ZIP64_EOCD_SIGNATURE) {
        count = Number(z.readBigUInt64LE(32));
        cdSize = Number(z.readBigUInt64LE(40));
        cdOffset = Number(z.readBigUInt64LE(48));
      }
    }
  }
  if (count > MAX_ENTRIES) throw new FormatError('TooLarge', `${src.name}: ${count} entries is more than a dump archive holds`);
  if (cdOffset + cdSize > src.size) throw new FormatError('Truncated', `${src.name}: the central directory runs past the end of the file (truncated archive?)`, 'reading ZIP central directory', cdOffset);
  const cd = src.read(cdOffset, cdSize);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL_SIGNATURE) throw new FormatError('BadValue', `${src.name}: bad central directory entry ${i}`, 'reading ZIP central directory', cdOffset + p);
    const method = cd.readUInt16LE(p + 10);
    const crc32 = cd.readUInt32LE(p + 16);
    let compressedSize = cd.readUInt32LE(p + 20);
    let uncompressedSize = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    let localHeaderOffset = cd.readUInt32LE(p + 42);
    const flags = cd.readUInt16LE(p + 8);
    const nameBuf = cd.subarray(p + 46, p + 46 + nameLen);
    const name = flags & 0x800 ? nameBuf.toString('utf8') : nameBuf.toString('latin1');
    // ZIP64 extra field (0x0001) holds the real sizes/offset when the 32-bit ones are 0xffffffff.
    let e = p + 46 + nameLen;
    const eEnd = e + extraLen;
    while (e + 4 <= eEnd && e + 4 <= cd.length) {
      const id = cd.readUInt16LE(e);
      const len = cd.readUInt16LE(e + 2);
      if (id === 1) {
        let q = e + 4;
        if (uncompressedSize === 0xffffffff && q + 8 <= cd.length) { uncompressedSize = Number(cd.readBigUInt64LE(q)); q += 8; }
        if (compressedSize === 0xffffffff && q + 8 <= cd.length) { compressedSize = Number(cd.readBigUInt64LE(q)); q += 8; }
        if (localHeaderOffset === 0xffffffff && q + 8 <= cd.length) localHeaderOffset = Number(cd.readBigUInt64LE(q));
      }
      e += 4 + len;
    }
    entries.push({ name, method, compressedSize, uncompressedSize, localHeaderOffset, crc32 });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/**
 * Extracts one entry to `destPath` as a stream (stored or deflate): memory stays
 * flat whatever the entry's size. `onProgress` gets bytes written so far.
 */
export async function extractZipEntry(zipPath: string, src: ByteSource, entry: ZipEntry, destPath: string, onProgress?: (written: number, total: number) => void): Promise<void> {
  const lh = src.read(entry.localHeaderOffset, 30);
  if (lh.length < 30 || lh.readUInt32LE(0) !== LOCAL_SIGNATURE) throw new FormatError('BadValue', `${src.name}: bad local header for ${entry.name}`, 'reading ZIP entry', entry.localHeaderOffset);
  const dataStart = entry.localHeaderOffset + 30 + lh.readUInt16LE(26) + lh.readUInt16LE(28);
  if (dataStart + entry.compressedSize > src.size) throw new FormatError('Truncated', `${src.name}: ${entry.name} runs past the end of the archive (truncated download?)`, 'reading ZIP entry', dataStart);
  if (entry.method !== 0 && entry.method !== 8) throw new FormatError('BadValue', `${src.name}: ${entry.name} uses compression method ${entry.method}; dumpdbg reads stored and deflate entries`);
  const input = createReadStream(zipPath, { start: dataStart, end: dataStart + Math.max(0, entry.compressedSize - 1) });
  let written = 0;
  const counter = new (nodeStream().Transform)({
    transform(chunk: Buffer, _enc, cb) {
      written += chunk.length;
      onProgress?.(written, entry.uncompressedSize);
      cb(null, chunk);
    },
  });
  const stages = entry.method === 8 ? [input, nodeZlib().createInflateRaw(), counter] : [input, counter];
  try {
    await nodeStreamPromises().pipeline([...stages, createWriteStream(destPath)]);
  } catch (e) {
    throw new FormatError('BadValue', `${src.name}: cannot unpack ${entry.name}: ${(e as Error).message}`);
  }
}
