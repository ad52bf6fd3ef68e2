import { defineLayout } from '../layout.js';
import type { MinidumpThread } from './types.js';
import { oldStyleList, type StreamContext } from './stream-context.js';

/** MINIDUMP_THREAD (A.5). */
export const MinidumpThreadLayout = defineLayout('MINIDUMP_THREAD', {
  threadId: 'u32',
  suspendCount: 'u32',
  priorityClass: 'u32',
  priority: 'u32',
  teb: 'u64',
  stackStartOfMemoryRange: 'u64',
  stackDataSize: 'u32',
  stackRva: 'u32',
  threadContextDataSize: 'u32',
  threadContextRva: 'u32',
});
export const MINIDUMP_THREAD_SIZE = MinidumpThreadLayout.size; // 48

/** MINIDUMP_THREAD_EX: MINIDUMP_THREAD + BackingStore (IA-64 only, ignored). */
export const MinidumpThreadExLayout = defineLayout('MINIDUMP_THREAD_EX', {
  thread: { bytes: MINIDUMP_THREAD_SIZE },
  backingStoreStartOfMemoryRange: 'u64',
  backingStoreDataSize: 'u32',
  backingStoreRva: 'u32',
});
export const MINIDUMP_THREAD_EX_SIZE = MinidumpThreadExLayout.size; // 64

/** Decodes a ThreadListStream (ex = false) or ThreadExListStream (ex = true). */
export function parseThreadList(buf: Buffer, declaredSize: number, rva: number, ex: boolean, ctx: StreamContext): MinidumpThread[] {
  const name = ex ? 'ThreadExListStream' : 'ThreadListStream';
  const entrySize = ex ? MINIDUMP_THREAD_EX_SIZE : MINIDUMP_THREAD_SIZE;
  const { offset, count } = oldStyleList(buf, declaredSize, entrySize, ctx, name, rva);
  const out: MinidumpThread[] = [];
  // Fields read at the layout's offsets through a DataView, not through the layout decoder:
  // a dump can list hundreds of threads (oldStyleList has checked that `count` entries fit).
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
  const o = MinidumpThreadLayout.offsets;
  const u32 = (at: number) => dv.getUint32(at, true);
  for (let i = 0; i < count; i++) {
    const at = offset + i * entrySize;
    out.push({
      index: i,
      threadId: u32(at + o.threadId),
      suspendCount: u32(at + o.suspendCount),
      priorityClass: u32(at + o.priorityClass),
      priority: u32(at + o.priority),
      teb: dv.getBigUint64(at + o.teb, true),
      stackStart: dv.getBigUint64(at + o.stackStartOfMemoryRange, true),
      stackSize: u32(at + o.stackDataSize),
      stackRva: u32(at + o.stackRva),
      context: { dataSize: u32(at + o.threadContextDataSize), rva: u32(at + o.threadContextRva) },
    });
  }
  return out;
}
