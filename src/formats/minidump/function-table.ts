import { defineLayout } from '../layout.js';
import type { StreamContext } from './stream-context.js';

/** MINIDUMP_FUNCTION_TABLE_STREAM header (A.16). */
export const MinidumpFunctionTableStreamLayout = defineLayout('MINIDUMP_FUNCTION_TABLE_STREAM', {
  sizeOfHeader: 'u32',
  sizeOfDescriptor: 'u32',
  sizeOfNativeDescriptor: 'u32',
  sizeOfFunctionEntry: 'u32',
  numberOfDescriptors: 'u32',
  sizeOfAlignPad: 'u32',
});
export const MINIDUMP_FUNCTION_TABLE_STREAM_SIZE = MinidumpFunctionTableStreamLayout.size; // 24

/** MINIDUMP_FUNCTION_TABLE_DESCRIPTOR (32 bytes). */
export const MinidumpFunctionTableDescriptorLayout = defineLayout('MINIDUMP_FUNCTION_TABLE_DESCRIPTOR', {
  minimumAddress: 'u64',
  maximumAddress: 'u64',
  baseAddress: 'u64',
  entryCount: 'u32',
  sizeOfAlignPad: 'u32',
});
export const MINIDUMP_FUNCTION_TABLE_DESCRIPTOR_SIZE = MinidumpFunctionTableDescriptorLayout.size; // 32

/** One dynamic function table: the descriptor, the OS-native descriptor bytes and the raw function entries. */
export interface FunctionTableDescriptor {
  minimumAddress: bigint;
  maximumAddress: bigint;
  baseAddress: bigint;
  entryCount: number;
  /** OS-native dynamic function table descriptor, raw. */
  nativeDescriptor: Buffer;
  /** Size of one entry (12 = AMD64 RUNTIME_FUNCTION, 8 = ARM64). */
  sizeOfFunctionEntry: number;
  /** entryCount entries, raw (RVAs relative to baseAddress). */
  entries: Buffer;
}

export function parseFunctionTables(buf: Buffer, rva: number, ctx: StreamContext): FunctionTableDescriptor[] {
  const name = 'FunctionTableStream';
  const h = MinidumpFunctionTableStreamLayout.decode(buf, 0, `reading ${name}`);
  if (h.sizeOfDescriptor < MINIDUMP_FUNCTION_TABLE_DESCRIPTOR_SIZE || h.sizeOfFunctionEntry === 0) {
    ctx.warn(name, rva, `${name} has descriptor size ${h.sizeOfDescriptor} and entry size ${h.sizeOfFunctionEntry}; not decoded`);
    return [];
  }
  const out: FunctionTableDescriptor[] = [];
  let at = h.sizeOfHeader;
  for (let i = 0; i < h.numberOfDescriptors; i++) {
    if (at + h.sizeOfDescriptor > buf.length) {
      ctx.warn(name, rva, `${name}: descriptor ${i} of ${h.numberOfDescriptors} lies past the end of the stream`);
      break;
    }
    const d = MinidumpFunctionTableDescriptorLayout.decode(buf, at);
    at += h.sizeOfDescriptor;
    const nativeDescriptor = buf.subarray(at, Math.min(buf.length, at + h.sizeOfNativeDescriptor));
    at += h.sizeOfNativeDescriptor;
    // Bound the entry count by what the stream holds before slicing.
    const fits = Math.max(0, Math.floor((buf.length - at) / h.sizeOfFunctionEntry));
    const n = Math.min(d.entryCount, fits);
    if (n < d.entryCount) ctx.warn(name, rva, `${name}: table ${i} claims ${d.entryCount} entries but only ${fits} fit`);
    const entries = buf.subarray(at, at + n * h.sizeOfFunctionEntry);
    at += d.entryCount * h.sizeOfFunctionEntry + d.sizeOfAlignPad;
    out.push({ minimumAddress: d.minimumAddress, maximumAddress: d.maximumAddress, baseAddress: d.baseAddress, entryCount: n, nativeDescriptor, sizeOfFunctionEntry: h.sizeOfFunctionEntry, entries });
    if (n < d.entryCount) break;
  }
  return out;
}
