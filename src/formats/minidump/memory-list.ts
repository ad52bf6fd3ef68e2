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
  // Fields read through typed-array views, as in parseMemory64List (below): Wine's mini dumps
  // list 7,000+ small ranges, and this runs before the first prompt.
  const body = count > 0 ? alignedCopy(buf.subarray(offset, offset + count * MINIDUMP_MEMORY_DESCRIPTOR_SIZE)) : Buffer.alloc(0);
  const q = LITTLE_ENDIAN_HOST ? new BigUint64Array(body.buffer, body.byteOffset, count * 2) : undefined;
  const w = LITTLE_ENDIAN_HOST ? new Uint32Array(body.buffer, body.byteOffset, count * 4) : undefined;
  const startAt = MinidumpMemoryDescriptorLayout.offsets.startOfMemoryRange;
  const sizeAt = MinidumpMemoryDescriptorLayout.offsets.dataSize;
  const rvaAt = MinidumpMemoryDescriptorLayout.offsets.rva;
  const fileSize = ctx.fileSize;
  for (let i = 0; i < count; i++) {
    const at = i * MINIDUMP_MEMORY_DESCRIPTOR_SIZE;
    const start = q ? q[(at + startAt) / 8]! : body.readBigUInt64LE(at + startAt);
    const size = w ? w[(at + sizeAt) / 4]! : body.readUInt32LE(at + sizeAt);
    const fileOffset = w ? w[(at + rvaAt) / 4]! : body.readUInt32LE(at + rvaAt);
    if (size > 0 && fileOffset + size <= fileSize) into.push(start, size, fileOffset);
    else pushClamped(into, { start, size, fileOffset }, ctx, name);
  }
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** `b` itself when its bytes are 8-byte aligned in their ArrayBuffer, else an aligned copy. */
function alignedCopy(b: Buffer): Buffer {
  if (b.byteOffset % 8 === 0) return b;
  const c = Buffer.alloc(b.length);
  b.copy(c);
  return c;
}

/** Memory64ListStream's ranges, appended to `into` (in file order). */
export function parseMemory64List(buf: Buffer, rva: number, ctx: StreamContext, into: MemoryColumns): void {
  const name = 'Memory64ListStream';
  if (buf.length < MINIDUMP_MEMORY64_LIST_SIZE) {
    ctx.warn(name, rva, `${name} is too short for its header (${buf.length} bytes)`);
    return;
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
  const fileSize = ctx.fileSize;
  let fileOffset = h.baseRva > BigInt(fileSize) ? fileSize : Number(h.baseRva);
  // Descriptors read through typed-array views, not the layout decoder nor Buffer.readBigUInt64LE
  // (which builds each value from three BigInts): full-memory dumps list 100k+ ranges.
  // The views need 8-byte alignment; a stream read at an odd place is copied once.
  // Typed arrays read in the host's byte order: on a big-endian host the Buffer readers are used.
  const body = count > 0 ? alignedCopy(buf.subarray(MINIDUMP_MEMORY64_LIST_SIZE, MINIDUMP_MEMORY64_LIST_SIZE + count * MINIDUMP_MEMORY_DESCRIPTOR64_SIZE)) : Buffer.alloc(0);
  const q = LITTLE_ENDIAN_HOST ? new BigUint64Array(body.buffer, body.byteOffset, count * 2) : undefined;
  const w = LITTLE_ENDIAN_HOST ? new Uint32Array(body.buffer, body.byteOffset, count * 4) : undefined;
  const startAt = MinidumpMemoryDescriptor64Layout.offsets.startOfMemoryRange;
  const sizeAt = MinidumpMemoryDescriptor64Layout.offsets.dataSize;
  for (let i = 0; i < count; i++) {
    const at = i * MINIDUMP_MEMORY_DESCRIPTOR64_SIZE;
    const start = q ? q[(at + startAt) / 8]! : body.readBigUInt64LE(at + startAt);
    const lo = w ? w[(at + sizeAt) / 4]! : body.readUInt32LE(at + sizeAt);
    const hi = w ? w[(at + sizeAt) / 4 + 1]! : body.readUInt32LE(at + sizeAt + 4);
    // A size of 2^53 or more cannot be in any file: clamped to the file size (then to what is left).
    const dataSize = hi >= 0x200000 ? fileSize : hi * 0x100000000 + lo;
    if (fileOffset >= fileSize) {
      ctx.warn(name, rva, `${name}: ranges ${i}..${count - 1} (from 0x${start.toString(16)}) lie past the end of the file`);
      break;
    }
    const size = Math.min(dataSize, fileSize);
    if (size > 0 && fileOffset + size <= fileSize) into.push(start, size, fileOffset);
    else pushClamped(into, { start, size, fileOffset }, ctx, name);
    fileOffset += dataSize;
  }
}
