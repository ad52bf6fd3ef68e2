import { defineLayout } from '../layout.js';

/**
 * What a stream decoder may do besides looking at its own bytes: read other
 * bounded ranges of the file (strings, CodeView records) and record warnings.
 * MinidumpFile implements it; tests can pass a Buffer-backed one.
 */
export interface StreamContext {
  /** File size in bytes. */
  readonly fileSize: number;
  /** Up to `length` bytes at file offset `rva`; shorter (maybe empty) when the file ends first. */
  read(rva: number, length: number): Buffer;
  warn(stream: string, offset: number, message: string): void;
}

/** MINIDUMP_LOCATION_DESCRIPTOR (8 bytes). */
export const MinidumpLocationDescriptorLayout = defineLayout('MINIDUMP_LOCATION_DESCRIPTOR', {
  dataSize: 'u32',
  rva: 'u32',
});
export const MINIDUMP_LOCATION_DESCRIPTOR_SIZE = MinidumpLocationDescriptorLayout.size;

/** MINIDUMP_MEMORY_DESCRIPTOR (16 bytes). */
export const MinidumpMemoryDescriptorLayout = defineLayout('MINIDUMP_MEMORY_DESCRIPTOR', {
  startOfMemoryRange: 'u64',
  dataSize: 'u32',
  rva: 'u32',
});
export const MINIDUMP_MEMORY_DESCRIPTOR_SIZE = MinidumpMemoryDescriptorLayout.size;

/** Longest MINIDUMP_STRING accepted (bytes): UNICODE_STRING's limit, 32767 UTF-16 units. */
export const MAX_MINIDUMP_STRING_BYTES = 0xfffe;

/**
 * Reads a MINIDUMP_STRING (u32 byte length without the terminator, then
 * UTF-16LE). Returns undefined for rva 0, an odd or oversized length, or a
 * length word outside the file; a string cut by the end of the file is
 * returned as far as it goes, with a warning.
 */
export function readMinidumpString(ctx: StreamContext, rva: number, stream: string): string | undefined {
  if (rva === 0) return undefined;
  const head = ctx.read(rva, 4);
  if (head.length < 4) {
    ctx.warn(stream, rva, `string at 0x${rva.toString(16)} lies outside the file`);
    return undefined;
  }
  const length = head.readUInt32LE(0);
  if (length % 2 !== 0 || length > MAX_MINIDUMP_STRING_BYTES) {
    ctx.warn(stream, rva, `string at 0x${rva.toString(16)} has an invalid length ${length}`);
    return undefined;
  }
  const body = ctx.read(rva + 4, length);
  if (body.length < length) ctx.warn(stream, rva, `string at 0x${rva.toString(16)} is cut short by the end of the file`);
  // Stop at an embedded NUL: some writers count the terminator in Length.
  const even = body.length & ~1;
  let end = 0;
  while (end < even && (body[end] !== 0 || body[end + 1] !== 0)) end += 2;
  return body.toString('utf16le', 0, end);
}

/** Reads a Crashpad MinidumpUTF8String (u32 length, UTF-8 bytes, NUL). */
export function readUtf8String(ctx: StreamContext, rva: number, stream: string): string | undefined {
  if (rva === 0) return undefined;
  const head = ctx.read(rva, 4);
  if (head.length < 4) {
    ctx.warn(stream, rva, `UTF-8 string at 0x${rva.toString(16)} lies outside the file`);
    return undefined;
  }
  const length = head.readUInt32LE(0);
  if (length > 1024 * 1024) {
    ctx.warn(stream, rva, `UTF-8 string at 0x${rva.toString(16)} claims ${length} bytes`);
    return undefined;
  }
  const body = ctx.read(rva + 4, length);
  return body.toString('utf8');
}

/** Where an old-style list's entries start and how many can be read (A.4). */
export interface ListBounds { offset: number; count: number }

/**
 * Old-style list (u32 count, then entries). Some writers pad 4 bytes after
 * the count so the array is 8-aligned: detected when the stream size is
 * exactly 8 + count*entrySize (the rule rust-minidump uses). The count is
 * clamped to what the stream holds, with a warning.
 */
export function oldStyleList(buf: Buffer, declaredSize: number, entrySize: number, ctx: StreamContext, stream: string, rva: number): ListBounds {
  if (buf.length < 4) {
    ctx.warn(stream, rva, `${stream} is too short for its count (${buf.length} bytes)`);
    return { offset: 4, count: 0 };
  }
  const declared = buf.readUInt32LE(0);
  const offset = declaredSize === 8 + declared * entrySize ? 8 : 4;
  const fits = Math.max(0, Math.floor((buf.length - offset) / entrySize));
  if (declared > fits) {
    ctx.warn(stream, rva, `${stream} claims ${declared} entries but only ${fits} fit in its ${buf.length} bytes`);
    return { offset, count: fits };
  }
  return { offset, count: declared };
}

/**
 * New-style list header (SizeOfHeader, SizeOfEntry, NumberOfEntries): entries
 * start at SizeOfHeader and are SizeOfEntry apart; fields we know must fit in
 * `minEntrySize`.
 */
export function newStyleList(buf: Buffer, sizeOfHeader: number, sizeOfEntry: number, numberOfEntries: number | bigint, minEntrySize: number, ctx: StreamContext, stream: string, rva: number): ListBounds & { stride: number } {
  if (sizeOfEntry < minEntrySize) {
    ctx.warn(stream, rva, `${stream} entries are ${sizeOfEntry} bytes, fewer than the ${minEntrySize} expected`);
    return { offset: sizeOfHeader, count: 0, stride: sizeOfEntry };
  }
  if (sizeOfHeader > buf.length) {
    ctx.warn(stream, rva, `${stream} header size ${sizeOfHeader} exceeds the stream (${buf.length} bytes)`);
    return { offset: sizeOfHeader, count: 0, stride: sizeOfEntry };
  }
  const fits = Math.floor((buf.length - sizeOfHeader) / sizeOfEntry);
  const n = typeof numberOfEntries === 'bigint' ? (numberOfEntries > BigInt(fits) ? fits + 1 : Number(numberOfEntries)) : numberOfEntries;
  if (n > fits) {
    ctx.warn(stream, rva, `${stream} claims ${numberOfEntries} entries but only ${fits} fit in its ${buf.length} bytes`);
    return { offset: sizeOfHeader, count: fits, stride: sizeOfEntry };
  }
  return { offset: sizeOfHeader, count: n, stride: sizeOfEntry };
}
