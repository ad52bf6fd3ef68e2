import { defineLayout } from '../layout.js';
import type { MinidumpMemoryInfo } from './types.js';
import { newStyleList, type StreamContext } from './stream-context.js';

/** MINIDUMP_MEMORY_INFO_LIST header (A.14): NumberOfEntries is a u64 here. */
export const MinidumpMemoryInfoListLayout = defineLayout('MINIDUMP_MEMORY_INFO_LIST', {
  sizeOfHeader: 'u32',
  sizeOfEntry: 'u32',
  numberOfEntries: 'u64',
});
export const MINIDUMP_MEMORY_INFO_LIST_SIZE = MinidumpMemoryInfoListLayout.size; // 16

/** MINIDUMP_MEMORY_INFO (48 bytes). */
export const MinidumpMemoryInfoLayout = defineLayout('MINIDUMP_MEMORY_INFO', {
  baseAddress: 'u64',
  allocationBase: 'u64',
  allocationProtect: 'u32',
  alignment1: 'u32',
  regionSize: 'u64',
  state: 'u32',
  protect: 'u32',
  type: 'u32',
  alignment2: 'u32',
});
export const MINIDUMP_MEMORY_INFO_SIZE = MinidumpMemoryInfoLayout.size; // 48

export const MEM_STATE = { 0x1000: 'MEM_COMMIT', 0x2000: 'MEM_RESERVE', 0x10000: 'MEM_FREE' } as const;
export const MEM_TYPE = { 0x20000: 'MEM_PRIVATE', 0x40000: 'MEM_MAPPED', 0x1000000: 'MEM_IMAGE' } as const;
export const PAGE_PROTECT = {
  0x01: 'PAGE_NOACCESS',
  0x02: 'PAGE_READONLY',
  0x04: 'PAGE_READWRITE',
  0x08: 'PAGE_WRITECOPY',
  0x10: 'PAGE_EXECUTE',
  0x20: 'PAGE_EXECUTE_READ',
  0x40: 'PAGE_EXECUTE_READWRITE',
  0x80: 'PAGE_EXECUTE_WRITECOPY',
  0x100: 'PAGE_GUARD',
  0x200: 'PAGE_NOCACHE',
  0x400: 'PAGE_WRITECOMBINE',
} as const;

export function parseMemoryInfoList(buf: Buffer, rva: number, ctx: StreamContext): MinidumpMemoryInfo[] {
  const name = 'MemoryInfoListStream';
  const h = MinidumpMemoryInfoListLayout.decode(buf, 0, `reading ${name}`);
  const list = newStyleList(buf, h.sizeOfHeader, h.sizeOfEntry, h.numberOfEntries, MINIDUMP_MEMORY_INFO_SIZE, ctx, name, rva);
  const out: MinidumpMemoryInfo[] = [];
  for (let i = 0; i < list.count; i++) {
    const m = MinidumpMemoryInfoLayout.decode(buf, list.offset + i * list.stride);
    out.push({
      baseAddress: m.baseAddress,
      allocationBase: m.allocationBase,
      allocationProtect: m.allocationProtect,
      regionSize: m.regionSize,
      state: m.state,
      protect: m.protect,
      type: m.type,
    });
  }
  return out;
}
