import { defineLayout } from '../layout.js';
import { oldStyleList, readMinidumpString, type StreamContext } from './stream-context.js';

/** MINIDUMP_THREAD_NAME (A.15): 12 bytes, packed to 4 — the RVA64 is not 8-aligned. */
export const MinidumpThreadNameLayout = defineLayout('MINIDUMP_THREAD_NAME', {
  threadId: 'u32',
  rvaOfThreadName: 'u64',
});
export const MINIDUMP_THREAD_NAME_SIZE = MinidumpThreadNameLayout.size; // 12

export function parseThreadNames(buf: Buffer, declaredSize: number, rva: number, ctx: StreamContext): Map<number, string> {
  const name = 'ThreadNamesStream';
  const { offset, count } = oldStyleList(buf, declaredSize, MINIDUMP_THREAD_NAME_SIZE, ctx, name, rva);
  const out = new Map<number, string>();
  for (let i = 0; i < count; i++) {
    const n = MinidumpThreadNameLayout.decode(buf, offset + i * MINIDUMP_THREAD_NAME_SIZE);
    if (n.rvaOfThreadName === 0n || n.rvaOfThreadName >= BigInt(ctx.fileSize)) {
      if (n.rvaOfThreadName !== 0n) ctx.warn(name, rva, `thread ${n.threadId}'s name at 0x${n.rvaOfThreadName.toString(16)} lies outside the file`);
      continue;
    }
    const s = readMinidumpString(ctx, Number(n.rvaOfThreadName), name);
    // The first name for a thread wins; empty names are skipped.
    if (s && !out.has(n.threadId)) out.set(n.threadId, s);
  }
  return out;
}
