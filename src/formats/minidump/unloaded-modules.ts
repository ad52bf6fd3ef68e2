import { defineLayout } from '../layout.js';
import type { MinidumpUnloadedModule } from './types.js';
import { newStyleList, readMinidumpString, type StreamContext } from './stream-context.js';

/** MINIDUMP_UNLOADED_MODULE_LIST header (A.13). */
export const MinidumpUnloadedModuleListLayout = defineLayout('MINIDUMP_UNLOADED_MODULE_LIST', {
  sizeOfHeader: 'u32',
  sizeOfEntry: 'u32',
  numberOfEntries: 'u32',
});
export const MINIDUMP_UNLOADED_MODULE_LIST_SIZE = MinidumpUnloadedModuleListLayout.size; // 12

/** MINIDUMP_UNLOADED_MODULE (24 bytes). */
export const MinidumpUnloadedModuleLayout = defineLayout('MINIDUMP_UNLOADED_MODULE', {
  baseOfImage: 'u64',
  sizeOfImage: 'u32',
  checkSum: 'u32',
  timeDateStamp: 'u32',
  moduleNameRva: 'u32',
});
export const MINIDUMP_UNLOADED_MODULE_SIZE = MinidumpUnloadedModuleLayout.size; // 24

export function parseUnloadedModuleList(buf: Buffer, rva: number, ctx: StreamContext): MinidumpUnloadedModule[] {
  const name = 'UnloadedModuleListStream';
  const h = MinidumpUnloadedModuleListLayout.decode(buf, 0, `reading ${name}`);
  const list = newStyleList(buf, h.sizeOfHeader, h.sizeOfEntry, h.numberOfEntries, MINIDUMP_UNLOADED_MODULE_SIZE, ctx, name, rva);
  const out: MinidumpUnloadedModule[] = [];
  for (let i = 0; i < list.count; i++) {
    const m = MinidumpUnloadedModuleLayout.decode(buf, list.offset + i * list.stride);
    out.push({
      baseOfImage: m.baseOfImage,
      sizeOfImage: m.sizeOfImage,
      checkSum: m.checkSum,
      timeDateStamp: m.timeDateStamp,
      moduleName: readMinidumpString(ctx, m.moduleNameRva, name) ?? '',
    });
  }
  return out;
}
