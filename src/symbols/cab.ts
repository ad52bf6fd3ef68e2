import { nodeZlib } from '../bytes/builtins.js';
import { writeSync } from 'node:fs';
import type { ByteSource } from '../bytes/source.js';
import { FileSource } from '../bytes/source.js';
import { FormatError } from '../bytes/errors.js';
import { openAtomic } from './cache-file.js';

/**
 * Microsoft Cabinet (`MSCF`) files as symbol stores keep them (`foo.pd_`, G.2):
 * the container (CFHEADER, CFFOLDER, CFFILE, CFDATA) and MSZIP compression.
 * MSZIP blocks are raw deflate streams prefixed with "CK"; each block may refer
 * back into the previous block's output (32 KiB window), so the previous
 * output is the dictionary of the next inflate. Quantum and LZX are not
 * implemented: they raise a clear FormatError.
 *
 * CFDATA checksums are not verified: deflate detects corruption itself and the
 * output size is checked against cbUncomp and cbFile.
 */

export const CAB_SIGNATURE = 0x4643534d; // "MSCF"

const CFHDR_PREV_CABINET = 0x0001;
const CFHDR_NEXT_CABINET = 0x0002;
const CFHDR_RESERVE_PRESENT = 0x0004;
/** CFFILE attribs: name is UTF-8 rather than the code page. */
const A_NAME_IS_UTF = 0x80;
/** MSZIP blocks never expand beyond 32 KiB (plus a little slack for broken writers). */
const MAX_BLOCK_OUT = 32768 + 6144;

export type CabCompression = 'none' | 'mszip' | 'quantum' | 'lzx' | 'unknown';

export interface CabFolder {
  /** File offset of the first CFDATA block. */
  dataOffset: number;
  dataBlocks: number;
  compression: CabCompression;
  /** Raw typeCompress, for messages. */
  typeCompress: number;
}

export interface CabFileEntry {
  name: string;
  size: number;
  folder: number;
  offsetInFolder: number;
}

export interface CabDirectory {
  folders: CabFolder[];
  files: CabFileEntry[];
  /** Per-CFDATA reserved bytes (cbCFData). */
  dataReserve: number;
}

function need(src: ByteSource, offset: number, length: number, what: string): Buffer {
  const b = src.read(offset, length);
  if (b.length < length) throw new FormatError('Truncated', `${what} runs past the end of the cabinet`, `reading ${src.name}`, offset);
  return b;
}

function readSz(src: ByteSource, offset: number, what: string): { s: Buffer; next: number } {
  const b = src.read(offset, 1024);
  const end = b.indexOf(0);
  if (end < 0) throw new FormatError('BadValue', `${what} is not NUL-terminated within 1024 bytes`, `reading ${src.name}`, offset);
  return { s: b.subarray(0, end), next: offset + end + 1 };
}

function compressionOf(typeCompress: number): CabCompression {
  switch (typeCompress & 0x000f) {
    case 0: return 'none';
    case 1: return 'mszip';
    case 2: return 'quantum';
    case 3: return 'lzx';
    default: return 'unknown';
  }
}

export function isCab(head: Buffer): boolean {
  return head.length >= 4 && head.readUInt32LE(0) === CAB_SIGNATURE;
}

/** Reads the cabinet header, folders and file list. */
export function readCabDirectory(src: ByteSource): CabDirectory {
  const h = need(src, 0, 36, 'CFHEADER');
  if (h.readUInt32LE(0) !== CAB_SIGNATURE) throw new FormatError('BadValue', 'not a cabinet file (no MSCF signature)', `reading ${src.name}`, 0);
  const coffFiles = h.readUInt32LE(16);
  const versionMajor = h[25] ?? 0;
  const cFolders = h.readUInt16LE(26);
  const cFiles = h.readUInt16LE(28);
  const flags = h.readUInt16LE(30);
  if (versionMajor !== 1) throw new FormatError('UnsupportedVersion', `cabinet version ${versionMajor}.${h[24]} is not 1.x`, `reading ${src.name}`, 24);
  let pos = 36;
  let folderReserve = 0;
  let dataReserve = 0;
  if (flags & CFHDR_RESERVE_PRESENT) {
    const r = need(src, pos, 4, 'CFHEADER reserve sizes');
    const headerReserve = r.readUInt16LE(0);
    folderReserve = r[2] ?? 0;
    dataReserve = r[3] ?? 0;
    pos += 4 + headerReserve;
  }
  if (flags & CFHDR_PREV_CABINET) pos = readSz(src, readSz(src, pos, 'szCabinetPrev').next, 'szDiskPrev').next;
  if (flags & CFHDR_NEXT_CABINET) pos = readSz(src, readSz(src, pos, 'szCabinetNext').next, 'szDiskNext').next;
  const folders: CabFolder[] = [];
  for (let i = 0; i < cFolders; i++) {
    const f = need(src, pos, 8, `CFFOLDER ${i}`);
    const typeCompress = f.readUInt16LE(6);
    folders.push({ dataOffset: f.readUInt32LE(0), dataBlocks: f.readUInt16LE(4), compression: compressionOf(typeCompress), typeCompress });
    pos += 8 + folderReserve;
  }
  const files: CabFileEntry[] = [];
  pos = coffFiles;
  for (let i = 0; i < cFiles; i++) {
    const f = need(src, pos, 16, `CFFILE ${i}`);
    const iFolder = f.readUInt16LE(8);
    const attribs = f.readUInt16LE(14);
    const { s, next } = readSz(src, pos + 16, `CFFILE ${i} name`);
    // 0xFFFD..0xFFFF: the file continues from/into another cabinet of a set.
    if (iFolder >= 0xfffd) throw new FormatError('UnsupportedVersion', 'multi-cabinet sets are not supported', `reading ${src.name}`, pos + 8);
    if (iFolder >= folders.length) throw new FormatError('OutOfBounds', `CFFILE ${i} names folder ${iFolder} of ${folders.length}`, `reading ${src.name}`, pos + 8);
    files.push({
      name: s.toString(attribs & A_NAME_IS_UTF ? 'utf8' : 'latin1'),
      size: f.readUInt32LE(0),
      offsetInFolder: f.readUInt32LE(4),
      folder: iFolder,
    });
    pos = next;
  }
  return { folders, files, dataReserve };
}

/**
 * Decompresses `entry` and hands its bytes to `write` in order, one block at a
 * time (memory stays bounded whatever the file size).
 */
export function extractCabEntry(src: ByteSource, dir: CabDirectory, entry: CabFileEntry, write: (chunk: Buffer) => void, maxSize = Number.MAX_SAFE_INTEGER): void {
  const folder = dir.folders[entry.folder];
  if (!folder) throw new FormatError('OutOfBounds', `folder ${entry.folder} does not exist`, `reading ${src.name}`);
  if (folder.compression === 'quantum' || folder.compression === 'lzx' || folder.compression === 'unknown') {
    throw new FormatError('UnsupportedVersion', `unsupported compression: ${folder.compression === 'unknown' ? `type ${folder.typeCompress & 0xf}` : folder.compression.toUpperCase()} (only MSZIP and stored cabinets can be expanded)`, `reading ${src.name}`);
  }
  if (entry.size > maxSize) throw new FormatError('TooLarge', `${entry.name} is ${entry.size} bytes, above the ${maxSize}-byte limit`, `reading ${src.name}`);
  const start = entry.offsetInFolder;
  const end = start + entry.size;
  let outPos = 0; // uncompressed position within the folder
  let pos = folder.dataOffset;
  let window: Buffer | undefined;
  for (let i = 0; i < folder.dataBlocks && outPos < end; i++) {
    const h = need(src, pos, 8, `CFDATA ${i}`);
    const cbData = h.readUInt16LE(4);
    const cbUncomp = h.readUInt16LE(6);
    const data = need(src, pos + 8 + dir.dataReserve, cbData, `CFDATA ${i} payload`);
    pos += 8 + dir.dataReserve + cbData;
    let out: Buffer;
    if (folder.compression === 'none') {
      out = data;
    } else {
      if (data.length < 2 || data[0] !== 0x43 || data[1] !== 0x4b) throw new FormatError('BadValue', `MSZIP block ${i} lacks its "CK" signature`, `reading ${src.name}`, pos);
      try {
        out = nodeZlib().inflateRawSync(data.subarray(2), {
          ...(window ? { dictionary: window } : {}),
          // Blocks need not end with a final deflate block; accept a sync-flushed end.
          finishFlush: nodeZlib().constants.Z_SYNC_FLUSH,
          maxOutputLength: MAX_BLOCK_OUT,
        });
      } catch (e) {
        throw new FormatError('BadValue', `MSZIP block ${i} is corrupt: ${(e as Error).message}`, `reading ${src.name}`, pos);
      }
    }
    if (out.length !== cbUncomp) throw new FormatError('BadValue', `CFDATA ${i} expands to ${out.length} bytes, header says ${cbUncomp}`, `reading ${src.name}`, pos);
    window = out;
    const from = Math.max(start, outPos);
    const to = Math.min(end, outPos + out.length);
    if (to > from) write(out.subarray(from - outPos, to - outPos));
    outPos += out.length;
  }
  if (outPos < end) throw new FormatError('Truncated', `${entry.name}: the folder holds ${Math.max(0, outPos - start)} of ${entry.size} bytes`, `reading ${src.name}`);
}

/** Picks the entry of a symbol-store cabinet: the one named `want` (any case), else the only one. */
export function pickCabEntry(dir: CabDirectory, want?: string): CabFileEntry | undefined {
  const leaf = (n: string) => n.slice(Math.max(n.lastIndexOf('\\'), n.lastIndexOf('/')) + 1).toLowerCase();
  if (want) {
    const hit = dir.files.find((f) => leaf(f.name) === want.toLowerCase());
    if (hit) return hit;
  }
  return dir.files.length === 1 ? dir.files[0] : undefined;
}

/**
 * Expands the file `want` (or the only file) of the cabinet at `cabPath` into
 * `destPath`, atomically. Returns the stored name and size.
 */
export function expandCabToFile(cabPath: string, destPath: string, want?: string, maxSize?: number): { name: string; size: number } {
  const src = new FileSource(cabPath);
  try {
    const dir = readCabDirectory(src);
    const entry = pickCabEntry(dir, want);
    if (!entry) throw new FormatError('BadValue', `cabinet holds ${dir.files.length} files and none is ${want ?? 'the only one'}`, `reading ${cabPath}`);
    const out = openAtomic(destPath);
    try {
      extractCabEntry(src, dir, entry, (chunk) => {
        let done = 0;
        while (done < chunk.length) done += writeSync(out.fd, chunk, done, chunk.length - done);
      }, maxSize);
      out.commit();
    } catch (e) {
      out.abort();
      throw e;
    }
    return { name: entry.name, size: entry.size };
  } finally {
    src.close();
  }
}
