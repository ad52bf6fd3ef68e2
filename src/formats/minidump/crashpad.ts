import { defineLayout } from '../layout.js';
import { formatGuid } from '../codeview/index.js';
import type { CrashpadInfo } from './types.js';
import { readUtf8String, type StreamContext } from './stream-context.js';

/** MinidumpCrashpadInfo (A.18), stream 0x43500001. */
export const MinidumpCrashpadInfoLayout = defineLayout('MinidumpCrashpadInfo', {
  version: 'u32',
  reportId: { bytes: 16 },
  clientId: { bytes: 16 },
  simpleAnnotationsDataSize: 'u32',
  simpleAnnotationsRva: 'u32',
  moduleListDataSize: 'u32',
  moduleListRva: 'u32',
  reserved: 'u32',
  addressMask: 'u64',
});
export const MINIDUMP_CRASHPAD_INFO_SIZE = MinidumpCrashpadInfoLayout.size; // 64
/** Version 1 records end before reserved/address_mask. */
const CRASHPAD_INFO_V1_SIZE = 52;

/** MinidumpModuleCrashpadInfo. */
export const MinidumpModuleCrashpadInfoLayout = defineLayout('MinidumpModuleCrashpadInfo', {
  version: 'u32',
  listAnnotationsDataSize: 'u32',
  listAnnotationsRva: 'u32',
  simpleAnnotationsDataSize: 'u32',
  simpleAnnotationsRva: 'u32',
  annotationObjectsDataSize: 'u32',
  annotationObjectsRva: 'u32',
});

/** Caps for the untrusted counts in annotation lists. */
const MAX_ANNOTATIONS = 4096;
const STREAM = 'CrashpadInfoStream';

/** A count-prefixed array of `entrySize`-byte records at a location, bounded by the location's size. */
function countedArray(ctx: StreamContext, dataSize: number, rva: number, entrySize: number): { buf: Buffer; count: number } {
  if (rva === 0 || dataSize < 4) return { buf: Buffer.alloc(0), count: 0 };
  const buf = ctx.read(rva, Math.min(dataSize, 4 + MAX_ANNOTATIONS * entrySize));
  if (buf.length < 4) return { buf, count: 0 };
  const declared = buf.readUInt32LE(0);
  const fits = Math.floor((buf.length - 4) / entrySize);
  if (declared > fits) ctx.warn(STREAM, rva, `annotation list at 0x${rva.toString(16)} claims ${declared} entries, ${fits} fit`);
  return { buf, count: Math.min(declared, fits) };
}

function simpleDictionary(ctx: StreamContext, dataSize: number, rva: number): [string, string][] {
  const { buf, count } = countedArray(ctx, dataSize, rva, 8);
  const out: [string, string][] = [];
  for (let i = 0; i < count; i++) {
    const k = readUtf8String(ctx, buf.readUInt32LE(4 + 8 * i), STREAM) ?? '';
    const v = readUtf8String(ctx, buf.readUInt32LE(8 + 8 * i), STREAM) ?? '';
    out.push([k, v]);
  }
  return out;
}

function stringList(ctx: StreamContext, dataSize: number, rva: number): string[] {
  const { buf, count } = countedArray(ctx, dataSize, rva, 4);
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(readUtf8String(ctx, buf.readUInt32LE(4 + 4 * i), STREAM) ?? '');
  return out;
}

/** MinidumpAnnotation {name RVA, type u16, reserved u16, value RVA → MinidumpByteArray}. */
function annotationObjects(ctx: StreamContext, dataSize: number, rva: number): { name: string; type: number; value: string }[] {
  const { buf, count } = countedArray(ctx, dataSize, rva, 12);
  const out: { name: string; type: number; value: string }[] = [];
  for (let i = 0; i < count; i++) {
    const at = 4 + 12 * i;
    const name = readUtf8String(ctx, buf.readUInt32LE(at), STREAM) ?? '';
    const type = buf.readUInt16LE(at + 4);
    // The value is a MinidumpByteArray (u32 length + bytes); type 1 is a string, others shown as hex.
    const raw = readByteArray(ctx, buf.readUInt32LE(at + 8));
    out.push({ name, type, value: type === 1 ? raw.toString('utf8') : raw.toString('hex') });
  }
  return out;
}

function readByteArray(ctx: StreamContext, rva: number): Buffer {
  if (rva === 0) return Buffer.alloc(0);
  const head = ctx.read(rva, 4);
  if (head.length < 4) return Buffer.alloc(0);
  return ctx.read(rva + 4, Math.min(head.readUInt32LE(0), 64 * 1024));
}

export function parseCrashpadInfo(buf: Buffer, rva: number, ctx: StreamContext): CrashpadInfo {
  const padded = Buffer.alloc(MINIDUMP_CRASHPAD_INFO_SIZE);
  if (buf.length < CRASHPAD_INFO_V1_SIZE) MinidumpCrashpadInfoLayout.decode(buf, 0, `reading ${STREAM} at 0x${rva.toString(16)}`);
  buf.copy(padded, 0, 0, Math.min(buf.length, padded.length));
  const c = MinidumpCrashpadInfoLayout.decode(padded);
  const moduleAnnotations: CrashpadInfo['moduleAnnotations'] = [];
  const mods = countedArray(ctx, c.moduleListDataSize, c.moduleListRva, 12);
  for (let i = 0; i < mods.count; i++) {
    const at = 4 + 12 * i;
    const moduleIndex = mods.buf.readUInt32LE(at);
    const locSize = mods.buf.readUInt32LE(at + 4);
    const locRva = mods.buf.readUInt32LE(at + 8);
    const mb = ctx.read(locRva, Math.min(locSize, MinidumpModuleCrashpadInfoLayout.size));
    if (mb.length < 4) continue;
    const full = Buffer.alloc(MinidumpModuleCrashpadInfoLayout.size);
    mb.copy(full);
    const m = MinidumpModuleCrashpadInfoLayout.decode(full);
    moduleAnnotations.push({
      moduleIndex,
      listAnnotations: stringList(ctx, m.listAnnotationsDataSize, m.listAnnotationsRva),
      simpleAnnotations: simpleDictionary(ctx, m.simpleAnnotationsDataSize, m.simpleAnnotationsRva),
      annotationObjects: annotationObjects(ctx, m.annotationObjectsDataSize, m.annotationObjectsRva),
    });
  }
  return {
    version: c.version,
    reportId: formatGuidDashed(c.reportId),
    clientId: formatGuidDashed(c.clientId),
    simpleAnnotations: simpleDictionary(ctx, c.simpleAnnotationsDataSize, c.simpleAnnotationsRva),
    moduleAnnotations,
    addressMask: buf.length >= MINIDUMP_CRASHPAD_INFO_SIZE ? c.addressMask : 0n,
  };
}

/** Crashpad prints report/client ids as lower-case dashed GUIDs. */
function formatGuidDashed(b: Buffer): string {
  const g = formatGuid(b).toLowerCase();
  return `${g.slice(0, 8)}-${g.slice(8, 12)}-${g.slice(12, 16)}-${g.slice(16, 20)}-${g.slice(20)}`;
}
