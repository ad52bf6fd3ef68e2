import { defineLayout } from '../layout.js';
import type { MinidumpHandle } from './types.js';
import { newStyleList, readMinidumpString, type StreamContext } from './stream-context.js';

/** MINIDUMP_HANDLE_DATA_STREAM header (A.11). */
export const MinidumpHandleDataStreamLayout = defineLayout('MINIDUMP_HANDLE_DATA_STREAM', {
  sizeOfHeader: 'u32',
  sizeOfDescriptor: 'u32',
  numberOfDescriptors: 'u32',
  reserved: 'u32',
});
export const MINIDUMP_HANDLE_DATA_STREAM_SIZE = MinidumpHandleDataStreamLayout.size; // 16

/** MINIDUMP_HANDLE_DESCRIPTOR (v1). */
export const MinidumpHandleDescriptorLayout = defineLayout('MINIDUMP_HANDLE_DESCRIPTOR', {
  handle: 'u64',
  typeNameRva: 'u32',
  objectNameRva: 'u32',
  attributes: 'u32',
  grantedAccess: 'u32',
  handleCount: 'u32',
  pointerCount: 'u32',
});
export const MINIDUMP_HANDLE_DESCRIPTOR_SIZE = MinidumpHandleDescriptorLayout.size; // 32

/** MINIDUMP_HANDLE_DESCRIPTOR_2 (v2): + ObjectInfoRva. */
export const MinidumpHandleDescriptor2Layout = defineLayout('MINIDUMP_HANDLE_DESCRIPTOR_2', {
  v1: { bytes: MINIDUMP_HANDLE_DESCRIPTOR_SIZE },
  objectInfoRva: 'u32',
  reserved0: 'u32',
});
export const MINIDUMP_HANDLE_DESCRIPTOR_2_SIZE = MinidumpHandleDescriptor2Layout.size; // 40

/** MINIDUMP_HANDLE_OBJECT_INFORMATION header (12 bytes), then SizeOfInfo-12 payload bytes. */
export const MinidumpHandleObjectInformationLayout = defineLayout('MINIDUMP_HANDLE_OBJECT_INFORMATION', {
  nextInfoRva: 'u32',
  infoType: 'u32',
  sizeOfInfo: 'u32',
});
export const MINIDUMP_HANDLE_OBJECT_INFORMATION_SIZE = MinidumpHandleObjectInformationLayout.size; // 12

export const HANDLE_OBJECT_INFO_TYPES = {
  0: 'MiniHandleObjectInformationNone',
  1: 'MiniThreadInformation1',
  2: 'MiniMutantInformation1',
  3: 'MiniMutantInformation2',
  4: 'MiniProcessInformation1',
  5: 'MiniProcessInformation2',
  6: 'MiniEventInformation1',
  7: 'MiniSectionInformation1',
  8: 'MiniSemaphoreInformation1',
} as const;

/** Longest object-information chain followed (guards against cycles). */
const MAX_OBJECT_INFO_CHAIN = 32;
const MAX_OBJECT_INFO_BYTES = 64 * 1024;

export function parseHandleData(buf: Buffer, rva: number, ctx: StreamContext): MinidumpHandle[] {
  const name = 'HandleDataStream';
  const h = MinidumpHandleDataStreamLayout.decode(buf, 0, `reading ${name}`);
  const list = newStyleList(buf, h.sizeOfHeader, h.sizeOfDescriptor, h.numberOfDescriptors, MINIDUMP_HANDLE_DESCRIPTOR_SIZE, ctx, name, rva);
  const v2 = h.sizeOfDescriptor >= MINIDUMP_HANDLE_DESCRIPTOR_2_SIZE;
  const types = new Map<number, string>();
  const str = (at: number) => {
    if (at === 0) return '';
    let s = types.get(at);
    if (s === undefined) {
      s = readMinidumpString(ctx, at, name) ?? '';
      types.set(at, s);
    }
    return s;
  };
  const out: MinidumpHandle[] = [];
  for (let i = 0; i < list.count; i++) {
    const at = list.offset + i * list.stride;
    const d = MinidumpHandleDescriptorLayout.decode(buf, at);
    const objectInfo = v2 ? readObjectInfoChain(ctx, buf.readUInt32LE(at + MinidumpHandleDescriptor2Layout.offsets.objectInfoRva), name) : [];
    out.push({
      handle: d.handle,
      typeName: str(d.typeNameRva),
      objectName: d.objectNameRva ? (readMinidumpString(ctx, d.objectNameRva, name) ?? '') : '',
      attributes: d.attributes,
      grantedAccess: d.grantedAccess,
      handleCount: d.handleCount,
      pointerCount: d.pointerCount,
      objectInfo,
    });
  }
  return out;
}

function readObjectInfoChain(ctx: StreamContext, first: number, stream: string): { infoType: number; data: Buffer }[] {
  const out: { infoType: number; data: Buffer }[] = [];
  const seen = new Set<number>();
  let at = first;
  while (at !== 0 && !seen.has(at) && out.length < MAX_OBJECT_INFO_CHAIN) {
    seen.add(at);
    const hdr = ctx.read(at, MINIDUMP_HANDLE_OBJECT_INFORMATION_SIZE);
    if (hdr.length < MINIDUMP_HANDLE_OBJECT_INFORMATION_SIZE) {
      ctx.warn(stream, at, `handle object information at 0x${at.toString(16)} lies outside the file`);
      break;
    }
    const o = MinidumpHandleObjectInformationLayout.decode(hdr);
    const payload = Math.min(Math.max(0, o.sizeOfInfo - MINIDUMP_HANDLE_OBJECT_INFORMATION_SIZE), MAX_OBJECT_INFO_BYTES);
    out.push({ infoType: o.infoType, data: Buffer.from(ctx.read(at + MINIDUMP_HANDLE_OBJECT_INFORMATION_SIZE, payload)) });
    at = o.nextInfoRva;
  }
  return out;
}
