import { LITTLE_ENDIAN_HOST } from '../../bytes/reader.js';
import { defineLayout } from '../layout.js';
import type { MemoryRange } from './types.js';
import type { MemoryColumns } from './memory-index.js';
import { MINIDUMP_MEMORY_DESCRIPTOR_SIZE, MinidumpMemoryDescriptorLayout, oldStyleList, type StreamContext } from './stream-context.js';

/** MINIDUMP_MEMORY64_LIST header (A.7). */
export const MinidumpMemory64ListLayout = defineLayout('MINIDUMP_MEMORY64_LIST', {
  numberOfMemoryRanges: 'u64',
  baseRva: 'u64',
});
export const MINIDUMP_MEMORY64_LIST_SIZE = MinidumpMemory64ListLayout.size; // 16

/** MINIDUMP_MEMORY_DESCRIPTOR64 (16 bytes): no RVA, the bytes follow each other from BaseRva. */
export const MinidumpMemoryDescriptor64Layout = defineLayout('MINIDUMP_MEMORY_DESCRIPTOR64', {
  startOfMemoryRange: 'u64',
  dataSize: 'u64',
});
export const MINIDUMP_MEMORY_DESCRIPTOR64_SIZE = MinidumpMemoryDescriptor64Layout.size; // 16

/** Appends what clampToFile keeps of a range that does not lie wholly in the file. */
function pushClamped(into: MemoryColumns, r: MemoryRange, ctx: StreamContext, stream: string): void {
  const c = clampToFile(r, ctx, stream);
  if (c) into.push(c.start, c.size, c.fileOffset);
}

/** Trims a range to the bytes the file really holds; drops it (undefined) when none are there. */
function clampToFile(r: MemoryRange, ctx: StreamContext, stream: string): MemoryRange | undefined {
  if (r.size === 0) return undefined;
  const avail = Math.max(0, Math.min(r.size, ctx.fileSize - r.fileOffset));
  if (avail < r.size) {
    ctx.warn(stream, r.fileOffset, `memory at 0x${r.start.toString(16)} (0x${r.size.toString(16)} bytes) runs past the end of the file; ${avail === 0 ? 'none' : `0x${avail.toString(16)} bytes`} of it can be read`);
  }
  return avail > 0 ? { start: r.start, size: avail, fileOffset: r.fileOffset } : undefined;
}

/** MemoryListStream's ranges, appended to `into` (in file order). */
export function parseMemoryList(buf: Buffer, declaredSize: number, rva: number, ctx: StreamContext, into: MemoryColumns): void {
  const name = 'MemoryListStream';
  const { offset, count } = oldStyleList(buf, declaredSize, MINIDUMP_MEMORY_DESCRIPTOR_SIZE, ctx, name, rva);
  // Fields read through a word view, as in parseMemory64List (below): Wine's mini dumps
  // list 7,000+ small ranges, and this runs before the first prompt.
  const w = descriptorWords(buf.subarray(offset, offset + count * MINIDUMP_MEMORY_DESCRIPTOR_SIZE));
  const startAt = MinidumpMemoryDescriptorLayout.offsets.startOfMemoryRange / 4;
  const sizeAt = MinidumpMemoryDescriptorLayout.offsets.dataSize / 4;
  const rvaAt = MinidumpMemoryDescriptorLayout.offsets.rva / 4;
  const stride = MINIDUMP_MEMORY_DESCRIPTOR_SIZE / 4;
  const fileSize = ctx.fileSize;
  into.reserve(count);
  for (let i = 0; i < count; i++) {
    const at = i * stride;
    // The start as two words: no BigInt per range unless one has to be clamped.
    const lo = w[at + startAt]!;
    const hi = w[at + startAt + 1]!;
    const size = w[at + sizeAt]!;
    const fileOffset = w[at + rvaAt]!;
    if (size > 0 && fileOffset + size <= fileSize) into.pushWords(lo, hi, size, fileOffset);
    else pushClamped(into, { start: wordsToBigInt(lo, hi), size, fileOffset }, ctx, name);
  }
}

function wordsToBigInt(lo: number, hi: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/**
 * Descriptor bytes (little-endian 32-bit fields) as 32-bit words in the host's order: a view
 * when the bytes are aligned on a little-endian host, else a copy (byte-swapped on a big-endian
 * host, where Node also runs: s390x). Full-memory dumps list 100k+ descriptors: one word read
 * per field, no Buffer reader or BigInt per range.
 */
function descriptorWords(b: Buffer): Uint32Array {
  const whole = b.length - (b.length % 4);
  if (LITTLE_ENDIAN_HOST && b.byteOffset % 4 === 0) return new Uint32Array(b.buffer, b.byteOffset, whole / 4);
  const c = Buffer.alloc(whole);
  b.copy(c, 0, 0, whole);
  if (!LITTLE_ENDIAN_HOST) c.swap32();
  return new Uint32Array(c.buffer, c.byteOffset, whole / 4);
}

/** Where a Memory64ListStream's descriptors are and where their bytes start; undefined (after a warning) when it has none. */
function memory64Header(buf: Buffer, rva: number, ctx: StreamContext, name: string): { count: number; fileOffset: number } | undefined {
  if (buf.length < MINIDUMP_MEMORY64_LIST_SIZE) {
    ctx.warn(name, rva, `${name} is too short for its header (${buf.length} bytes)`);
    return undefined;
  }
  const h = MinidumpMemory64ListLayout.decode(buf, 0);
  const fits = Math.floor((buf.length - MINIDUMP_MEMORY64_LIST_SIZE) / MINIDUMP_MEMORY_DESCRIPTOR64_SIZE);
  let count = fits;
  if (h.numberOfMemoryRanges > BigInt(fits)) {
    ctx.warn(name, rva, `${name} claims ${h.numberOfMemoryRanges} ranges but only ${fits} fit in its ${buf.length} bytes`);
  } else {
    count = Number(h.numberOfMemoryRanges);
  }
  // Range i+1's bytes follow range i's: a running sum from BaseRva. Numbers stay exact below
  // 2^53; once the sum passes the file size (far below that) the loop stops.
  return { count, fileOffset: h.baseRva > BigInt(ctx.fileSize) ? ctx.fileSize : Number(h.baseRva) };
}

/** Memory64ListStream's ranges, appended to `into` (in file order). */
export function parseMemory64List(buf: Buffer, rva: number, ctx: StreamContext, into: MemoryColumns): void {
  const name = 'Memory64ListStream';
  const header = memory64Header(buf, rva, ctx, name);
  if (header === undefined) return;
  const { count } = header;
  let { fileOffset } = header;
  const fileSize = ctx.fileSize;
  // Descriptors read through a word view, not the layout decoder nor Buffer.readBigUInt64LE
  // (which builds each value from three BigInts): full-memory dumps list 100k+ ranges.
  const w = descriptorWords(buf.subarray(MINIDUMP_MEMORY64_LIST_SIZE, MINIDUMP_MEMORY64_LIST_SIZE + count * MINIDUMP_MEMORY_DESCRIPTOR64_SIZE));
  const startAt = MinidumpMemoryDescriptor64Layout.offsets.startOfMemoryRange / 4;
  const sizeAt = MinidumpMemoryDescriptor64Layout.offsets.dataSize / 4;
  const stride = MINIDUMP_MEMORY_DESCRIPTOR64_SIZE / 4;
  into.reserve(count);
  for (let i = 0; i < count; i++) {
    const at = i * stride;
    // The start as two words: no BigInt per range unless one is reported or clamped.
    const lo = w[at + startAt]!;
    const hi = w[at + startAt + 1]!;
    const sizeHi = w[at + sizeAt + 1]!;
    // A size of 2^53 or more cannot be in any file: clamped to the file size (then to what is left).
    const dataSize = sizeHi >= 0x200000 ? fileSize : sizeHi * 0x100000000 + w[at + sizeAt]!;
    if (fileOffset >= fileSize) {
      ctx.warn(name, rva, `${name}: ranges ${i}..${count - 1} (from 0x${wordsToBigInt(lo, hi).toString(16)}) lie past the end of the file`);
      break;
    }
    if (dataSize > 0 && fileOffset + dataSize <= fileSize) into.pushWords(lo, hi, dataSize, fileOffset);
    else pushClamped(into, { start: wordsToBigInt(lo, hi), size: Math.min(dataSize, fileSize), fileOffset }, ctx, name);
    fileOffset += dataSize;
  }
}

/**
 * A context that only notes whether a parser warned: the WebAssembly build (memory-sweep.ts)
 * takes a list only where the parsers here would say nothing about its header.
 */
function probe(fileSize: number): StreamContext & { warned: boolean } {
  const p = { warned: false, fileSize, read: () => Buffer.alloc(0), warn: () => void (p.warned = true) };
  return p;
}

/** A MemoryListStream's descriptors as parseMemoryList takes them, when its header draws no warning. */
export function cleanMemoryList(buf: Buffer, declaredSize: number, rva: number): { descriptors: Uint8Array; count: number } | undefined {
  const ctx = probe(0);
  const { offset, count } = oldStyleList(buf, declaredSize, MINIDUMP_MEMORY_DESCRIPTOR_SIZE, ctx, 'MemoryListStream', rva);
  return ctx.warned ? undefined : { descriptors: buf.subarray(offset, offset + count * MINIDUMP_MEMORY_DESCRIPTOR_SIZE), count };
}

/** A Memory64ListStream's descriptors and first byte as parseMemory64List takes them, when its header draws no warning. */
export function cleanMemory64List(buf: Buffer, rva: number, fileSize: number): { descriptors: Uint8Array; count: number; fileOffset: number } | undefined {
  const ctx = probe(fileSize);
  const h = memory64Header(buf, rva, ctx, 'Memory64ListStream');
  if (h === undefined || ctx.warned) return undefined;
  const at = MINIDUMP_MEMORY64_LIST_SIZE;
  return { descriptors: buf.subarray(at, at + h.count * MINIDUMP_MEMORY_DESCRIPTOR64_SIZE), count: h.count, fileOffset: h.fileOffset };
}
