import { defineLayout } from '../layout.js';
import type { MemoryRange } from './types.js';
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

/** Trims a range to the bytes the file really holds; drops it (undefined) when none are there. */
function clampToFile(r: MemoryRange, ctx: StreamContext, stream: string): MemoryRange | undefined {
  if (r.size === 0) return undefined;
  const avail = Math.max(0, Math.min(r.size, ctx.fileSize - r.fileOffset));
  if (avail < r.size) {
    ctx.warn(stream, r.fileOffset, `memory at 0x${r.start.toString(16)} (0x${r.size.toString(16)} bytes) runs past the end of the file; ${avail === 0 ? 'none' : `0x${avail.toString(16)} bytes`} of it can be read`);
  }
  return avail > 0 ? { start: r.start, size: avail, fileOffset: r.fileOffset } : undefined;
}

export function parseMemoryList(buf: Buffer, declaredSize: number, rva: number, ctx: StreamContext): MemoryRange[] {
  const name = 'MemoryListStream';
  const { offset, count } = oldStyleList(buf, declaredSize, MINIDUMP_MEMORY_DESCRIPTOR_SIZE, ctx, name, rva);
  const out: MemoryRange[] = [];
  for (let i = 0; i < count; i++) {
    const d = MinidumpMemoryDescriptorLayout.decode(buf, offset + i * MINIDUMP_MEMORY_DESCRIPTOR_SIZE, `reading ${name}`);
    const r = clampToFile({ start: d.startOfMemoryRange, size: d.dataSize, fileOffset: d.rva }, ctx, name);
    if (r) out.push(r);
  }
  return out;
}

export function parseMemory64List(buf: Buffer, rva: number, ctx: StreamContext): MemoryRange[] {
  const name = 'Memory64ListStream';
  if (buf.length < MINIDUMP_MEMORY64_LIST_SIZE) {
    ctx.warn(name, rva, `${name} is too short for its header (${buf.length} bytes)`);
    return [];
  }
  const h = MinidumpMemory64ListLayout.decode(buf, 0);
  const fits = Math.floor((buf.length - MINIDUMP_MEMORY64_LIST_SIZE) / MINIDUMP_MEMORY_DESCRIPTOR64_SIZE);
  let count = fits;
  if (h.numberOfMemoryRanges > BigInt(fits)) {
    ctx.warn(name, rva, `${name} claims ${h.numberOfMemoryRanges} ranges but only ${fits} fit in its ${buf.length} bytes`);
  } else {
    count = Number(h.numberOfMemoryRanges);
  }
  const out: MemoryRange[] = [];
  // Range i+1's bytes follow range i's: a running sum from BaseRva (may exceed 4 GiB; kept exact as bigint).
  let fileOffset = h.baseRva;
  const fileSize = BigInt(ctx.fileSize);
  for (let i = 0; i < count; i++) {
    const d = MinidumpMemoryDescriptor64Layout.decode(buf, MINIDUMP_MEMORY64_LIST_SIZE + i * MINIDUMP_MEMORY_DESCRIPTOR64_SIZE, `reading ${name}`);
    if (fileOffset >= fileSize) {
      ctx.warn(name, rva, `${name}: ranges ${i}..${count - 1} (from 0x${d.startOfMemoryRange.toString(16)}) lie past the end of the file`);
      break;
    }
    const size = d.dataSize > fileSize ? fileSize : d.dataSize;
    const r = clampToFile({ start: d.startOfMemoryRange, size: Number(size), fileOffset: Number(fileOffset) }, ctx, name);
    if (r) out.push(r);
    fileOffset += d.dataSize;
  }
  return out;
}
