import { defineLayout } from '../layout.js';
import { parseCodeViewRecord } from '../codeview/index.js';
import type { MinidumpModule, VsFixedFileInfo } from './types.js';
import { oldStyleList, readMinidumpString, type StreamContext } from './stream-context.js';
import { VS_FFI_SIGNATURE, VS_FIXEDFILEINFO_SIZE, VsFixedFileInfoLayout } from '../version-info.js';

export { VS_FIXEDFILEINFO_SIZE } from '../version-info.js';
/** VS_FIXEDFILEINFO.dwSignature (layout shared with the PE reader in ../version-info.ts). */
export const VS_FIXEDFILEINFO_SIGNATURE = VS_FFI_SIGNATURE;

/** MINIDUMP_MODULE (A.6): 108 bytes, packed to 4 — not a naturally aligned 112. */
export const MinidumpModuleLayout = defineLayout('MINIDUMP_MODULE', {
  baseOfImage: 'u64',
  sizeOfImage: 'u32',
  checkSum: 'u32',
  timeDateStamp: 'u32',
  moduleNameRva: 'u32',
  versionInfo: { bytes: VS_FIXEDFILEINFO_SIZE },
  cvRecordDataSize: 'u32',
  cvRecordRva: 'u32',
  miscRecordDataSize: 'u32',
  miscRecordRva: 'u32',
  reserved0: 'u64',
  reserved1: 'u64',
});
export const MINIDUMP_MODULE_SIZE = MinidumpModuleLayout.size; // 108

/** CodeView records are a GUID, an age and a path: anything larger is junk. */
const MAX_CV_RECORD = 4096;

export function parseModuleList(buf: Buffer, declaredSize: number, rva: number, ctx: StreamContext): MinidumpModule[] {
  const name = 'ModuleListStream';
  const { offset, count } = oldStyleList(buf, declaredSize, MINIDUMP_MODULE_SIZE, ctx, name, rva);
  const out: MinidumpModule[] = [];
  for (let i = 0; i < count; i++) {
    const m = MinidumpModuleLayout.decode(buf, offset + i * MINIDUMP_MODULE_SIZE, `reading ${name}`);
    const vi: VsFixedFileInfo = VsFixedFileInfoLayout.decode(m.versionInfo);
    let cvRecord;
    if (m.cvRecordDataSize > 0 && m.cvRecordRva !== 0) {
      const want = Math.min(m.cvRecordDataSize, MAX_CV_RECORD);
      const cv = ctx.read(m.cvRecordRva, want);
      if (cv.length < want) ctx.warn(name, m.cvRecordRva, `module ${i}'s CodeView record at 0x${m.cvRecordRva.toString(16)} is cut short by the end of the file`);
      cvRecord = parseCodeViewRecord(cv);
    }
    out.push({
      index: i,
      baseOfImage: m.baseOfImage,
      sizeOfImage: m.sizeOfImage,
      checkSum: m.checkSum,
      timeDateStamp: m.timeDateStamp,
      moduleName: readMinidumpString(ctx, m.moduleNameRva, name) ?? '',
      // Only trust the version block when its signature matches (zeroed when the writer had none).
      versionInfo: vi.signature === VS_FIXEDFILEINFO_SIGNATURE ? vi : undefined,
      cvRecord,
      miscRecord: { dataSize: m.miscRecordDataSize, rva: m.miscRecordRva },
    });
  }
  return out;
}

/** "10.0.19041.1" from a VS_FIXEDFILEINFO. */
export function fileVersionString(vi: VsFixedFileInfo): string {
  return `${vi.fileVersionMS >>> 16}.${vi.fileVersionMS & 0xffff}.${vi.fileVersionLS >>> 16}.${vi.fileVersionLS & 0xffff}`;
}

/** Code id used by symbol servers for the image (E.7): TimeDateStamp as %08X, then SizeOfImage as %x. */
export function moduleCodeId(m: Pick<MinidumpModule, 'timeDateStamp' | 'sizeOfImage'>): string {
  return m.timeDateStamp.toString(16).toUpperCase().padStart(8, '0') + m.sizeOfImage.toString(16);
}
