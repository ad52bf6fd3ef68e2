import { FormatError } from '../../bytes/errors.js';
import { defineLayout } from '../layout.js';
import type { MinidumpDirectoryEntry, MinidumpHeader } from './types.js';
import { streamTypeName } from './streams.js';

/** MINIDUMP_HEADER (A.1). */
export const MinidumpHeaderLayout = defineLayout('MINIDUMP_HEADER', {
  signature: 'u32',
  version: 'u32',
  numberOfStreams: 'u32',
  streamDirectoryRva: 'u32',
  checkSum: 'u32',
  timeDateStamp: 'u32',
  flags: 'u64',
});
export const MINIDUMP_HEADER_SIZE = MinidumpHeaderLayout.size; // 32

/** MINIDUMP_DIRECTORY (A.2). */
export const MinidumpDirectoryLayout = defineLayout('MINIDUMP_DIRECTORY', {
  streamType: 'u32',
  dataSize: 'u32',
  rva: 'u32',
});
export const MINIDUMP_DIRECTORY_SIZE = MinidumpDirectoryLayout.size; // 12

/** "MDMP" */
export const MINIDUMP_SIGNATURE = 0x504d444d;
/** Low 16 bits of Version; the high 16 bits are writer-specific. */
export const MINIDUMP_VERSION = 0xa793;

/**
 * Validates the first bytes of a file as a minidump header. `name` goes into
 * the error sentence. Kernel dumps (PAGEDUMP / PAGEDU64) get their own kind.
 */
export function parseHeader(buf: Buffer, name: string, fileSize: number): MinidumpHeader {
  if (fileSize === 0) throw new FormatError('NotADump', `${name} is empty, not a minidump`, '', 0);
  if (buf.length >= 8) {
    const tag = buf.toString('latin1', 0, 8);
    // Kernel (complete/kernel/small memory) dumps start with "PAGE" then "DUMP" (32-bit) or "DU64".
    if (tag === 'PAGEDUMP' || tag === 'PAGEDU64') {
      throw new FormatError('KernelDump', `${name} is a kernel dump (${tag}); dumpdbg reads user-mode minidumps (MDMP)`, '', 0);
    }
  }
  if (buf.length < 4 || buf.readUInt32LE(0) !== MINIDUMP_SIGNATURE) {
    const what = recognize(buf);
    if (what) throw new FormatError('NotADump', `${name} is not a minidump: it is ${what}`, '', 0);
    const shown = buf.subarray(0, 4).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
    throw new FormatError('NotADump', `${name} is not a minidump (it starts with "${shown}", not "MDMP")`, '', 0);
  }
  if (buf.length < MINIDUMP_HEADER_SIZE) {
    throw new FormatError('Truncated', `${name} is truncated: its ${fileSize}-byte file cannot hold the 32-byte minidump header`, 'reading MINIDUMP_HEADER', 0);
  }
  const h = MinidumpHeaderLayout.decode(buf, 0, 'reading MINIDUMP_HEADER');
  if ((h.version & 0xffff) !== MINIDUMP_VERSION) {
    throw new FormatError('UnsupportedVersion', `${name} has minidump version 0x${(h.version & 0xffff).toString(16)}, expected 0xa793`, 'reading MINIDUMP_HEADER', 4);
  }
  return h;
}

/** Names a few file types people open by mistake, for a better sentence. */
function recognize(buf: Buffer): string | undefined {
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) return 'gzip-compressed data (unpack it first, e.g. gunzip)';
  if (buf.length >= 4 && buf.readUInt32LE(0) === 0x04034b50) return 'a ZIP archive (extract the .dmp first)';
  if (buf.length >= 2 && buf.toString('latin1', 0, 2) === 'MZ') return 'a PE image (.exe/.dll), not a crash dump';
  if (buf.length >= 4 && buf.toString('latin1', 0, 4) === '\x7fELF') return 'an ELF file (a Linux core dump?)';
  if (buf.length >= 4 && buf.readUInt32LE(0) === 0xfeedfacf) return 'a Mach-O file (a macOS core dump?)';
  if (buf.length >= 4 && buf.toString('latin1', 0, 4) === 'Micr') return 'a PDB or other Microsoft container, not a crash dump';
  return undefined;
}

/** Decodes `count` directory entries from `buf` (already bounded by the caller). */
export function parseDirectory(buf: Buffer, count: number): MinidumpDirectoryEntry[] {
  const out: MinidumpDirectoryEntry[] = [];
  for (let i = 0; i < count; i++) {
    const d = MinidumpDirectoryLayout.decode(buf, i * MINIDUMP_DIRECTORY_SIZE, 'reading MINIDUMP_DIRECTORY');
    out.push({ index: i, streamType: d.streamType, dataSize: d.dataSize, rva: d.rva, typeName: streamTypeName(d.streamType) });
  }
  return out;
}
