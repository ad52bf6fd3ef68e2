import { defineLayout } from '../layout.js';
import type { MinidumpThreadInfo } from './types.js';
import { newStyleList, type StreamContext } from './stream-context.js';

/** MINIDUMP_THREAD_INFO_LIST header (A.12). */
export const MinidumpThreadInfoListLayout = defineLayout('MINIDUMP_THREAD_INFO_LIST', {
  sizeOfHeader: 'u32',
  sizeOfEntry: 'u32',
  numberOfEntries: 'u32',
});
export const MINIDUMP_THREAD_INFO_LIST_SIZE = MinidumpThreadInfoListLayout.size; // 12

/** MINIDUMP_THREAD_INFO (64 bytes). */
export const MinidumpThreadInfoLayout = defineLayout('MINIDUMP_THREAD_INFO', {
  threadId: 'u32',
  dumpFlags: 'u32',
  dumpError: 'u32',
  exitStatus: 'u32',
  createTime: 'u64',
  exitTime: 'u64',
  kernelTime: 'u64',
  userTime: 'u64',
  startAddress: 'u64',
  affinity: 'u64',
});
export const MINIDUMP_THREAD_INFO_SIZE = MinidumpThreadInfoLayout.size; // 64

/** MINIDUMP_THREAD_INFO.DumpFlags bits. */
export const THREAD_INFO_DUMP_FLAGS = {
  ERROR_THREAD: 0x1,
  WRITING_THREAD: 0x2,
  EXITED_THREAD: 0x4,
  INVALID_INFO: 0x8,
  INVALID_CONTEXT: 0x10,
  INVALID_TEB: 0x20,
} as const;

export function parseThreadInfoList(buf: Buffer, rva: number, ctx: StreamContext): MinidumpThreadInfo[] {
  const name = 'ThreadInfoListStream';
  const h = MinidumpThreadInfoListLayout.decode(buf, 0, `reading ${name}`);
  const list = newStyleList(buf, h.sizeOfHeader, h.sizeOfEntry, h.numberOfEntries, MINIDUMP_THREAD_INFO_SIZE, ctx, name, rva);
  const out: MinidumpThreadInfo[] = [];
  for (let i = 0; i < list.count; i++) out.push(MinidumpThreadInfoLayout.decode(buf, list.offset + i * list.stride));
  return out;
}
