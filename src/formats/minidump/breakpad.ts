import { defineLayout } from '../layout.js';
import { utf16z } from '../../bytes/reader.js';
import type { AssertionInfo, BreakpadInfo } from './types.js';

/** MDRawBreakpadInfo (A.18), stream 0x47670001. */
export const MdRawBreakpadInfoLayout = defineLayout('MDRawBreakpadInfo', {
  validity: 'u32',
  dumpThreadId: 'u32',
  requestingThreadId: 'u32',
});
export const MD_BREAKPAD_INFO_SIZE = MdRawBreakpadInfoLayout.size; // 12
export const MD_BREAKPAD_INFO_VALID_DUMP_THREAD_ID = 0x1;
export const MD_BREAKPAD_INFO_VALID_REQUESTING_THREAD_ID = 0x2;

/** MDRawAssertionInfo (A.18), stream 0x47670002. */
export const MdRawAssertionInfoLayout = defineLayout('MDRawAssertionInfo', {
  expression: { bytes: 256 },
  function: { bytes: 256 },
  file: { bytes: 256 },
  line: 'u32',
  type: 'u32',
});
export const MD_ASSERTION_INFO_SIZE = MdRawAssertionInfoLayout.size; // 776
export const MD_ASSERTION_INFO_TYPES = { 0: 'unknown', 1: 'invalid parameter', 2: 'pure virtual call' } as const;

export function parseBreakpadInfo(buf: Buffer, rva: number): BreakpadInfo {
  const b = MdRawBreakpadInfoLayout.decode(buf, 0, `reading BreakpadInfoStream at 0x${rva.toString(16)}`);
  return {
    validity: b.validity,
    dumpThreadId: b.validity & MD_BREAKPAD_INFO_VALID_DUMP_THREAD_ID ? b.dumpThreadId : undefined,
    requestingThreadId: b.validity & MD_BREAKPAD_INFO_VALID_REQUESTING_THREAD_ID ? b.requestingThreadId : undefined,
  };
}

export function parseAssertionInfo(buf: Buffer, rva: number): AssertionInfo {
  const a = MdRawAssertionInfoLayout.decode(buf, 0, `reading AssertionInfoStream at 0x${rva.toString(16)}`);
  return { expression: utf16z(a.expression), function: utf16z(a.function), file: utf16z(a.file), line: a.line, type: a.type };
}
