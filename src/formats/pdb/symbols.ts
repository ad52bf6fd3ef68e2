import { FormatError } from '../../bytes/errors.js';
import {
  BlockSym32Layout,
  DataSym32Layout,
  InlineSiteSymLayout,
  ProcSym32Layout,
  PubSym32Layout,
  RefSym2Layout,
  SYM_RECORD_HEADER_SIZE,
  SepCodeSymLayout,
  ThunkSym32Layout,
} from './layouts.js';
import type { PdbStream } from './msf.js';

/** CodeView symbol record kinds (cvinfo.h SYM_ENUM_e) used by this layer. */
export const SymKind = {
  S_END: 0x0006,
  S_FRAMEPROC: 0x1012,
  S_ANNOTATION: 0x1019,
  S_THUNK32_ST: 0x0206,
  S_BLOCK32_ST: 0x0207,
  S_LDATA32_ST: 0x1007,
  S_GDATA32_ST: 0x1008,
  S_PUB32_ST: 0x1009,
  S_LPROC32_ST: 0x100a,
  S_GPROC32_ST: 0x100b,
  S_OBJNAME: 0x1101,
  S_THUNK32: 0x1102,
  S_BLOCK32: 0x1103,
  S_LABEL32: 0x1105,
  S_CONSTANT: 0x1107,
  S_UDT: 0x1108,
  S_LDATA32: 0x110c,
  S_GDATA32: 0x110d,
  S_PUB32: 0x110e,
  S_LPROC32: 0x110f,
  S_GPROC32: 0x1110,
  S_REGREL32: 0x1111,
  S_LTHREAD32: 0x1112,
  S_GTHREAD32: 0x1113,
  S_PROCREF: 0x1125,
  S_DATAREF: 0x1126,
  S_LPROCREF: 0x1127,
  S_TRAMPOLINE: 0x112c,
  S_SEPCODE: 0x1132,
  S_SECTION: 0x1136,
  S_COFFGROUP: 0x1137,
  S_CALLSITEINFO: 0x1139,
  S_FRAMECOOKIE: 0x113a,
  S_COMPILE3: 0x113c,
  S_LOCAL: 0x113e,
  S_LPROC32_ID: 0x1146,
  S_GPROC32_ID: 0x1147,
  S_BUILDINFO: 0x114c,
  S_INLINESITE: 0x114d,
  S_INLINESITE_END: 0x114e,
  S_PROC_ID_END: 0x114f,
  S_LPROC32_DPC: 0x1155,
  S_LPROC32_DPC_ID: 0x1156,
  S_INLINESITE2: 0x115d,
  S_HEAPALLOCSITE: 0x115e,
} as const;

/** CV_SIGNATURE_C13: first u32 of a module symbol stream. */
export const CV_SIGNATURE_C13 = 4;

/** S_PUB32 flags (CV_PUBSYMFLAGS). */
export const CVPSF_CODE = 0x1;
export const CVPSF_FUNCTION = 0x2;
export const CVPSF_MANAGED = 0x4;
export const CVPSF_MSIL = 0x8;

const PROC_KINDS = new Set<number>([
  SymKind.S_GPROC32, SymKind.S_LPROC32, SymKind.S_GPROC32_ID, SymKind.S_LPROC32_ID,
  SymKind.S_GPROC32_ST, SymKind.S_LPROC32_ST, SymKind.S_LPROC32_DPC, SymKind.S_LPROC32_DPC_ID,
]);
const DATA_KINDS = new Set<number>([SymKind.S_GDATA32, SymKind.S_LDATA32, SymKind.S_GDATA32_ST, SymKind.S_LDATA32_ST]);

export const isProcKind = (k: number): boolean => PROC_KINDS.has(k);
export const isDataKind = (k: number): boolean => DATA_KINDS.has(k);
export const isPublicKind = (k: number): boolean => k === SymKind.S_PUB32 || k === SymKind.S_PUB32_ST;
export const isProcRefKind = (k: number): boolean => k === SymKind.S_PROCREF || k === SymKind.S_LPROCREF;
/** Records that open a scope closed by S_END / S_PROC_ID_END / S_INLINESITE_END. */
export function opensScope(k: number): boolean {
  return PROC_KINDS.has(k) || k === SymKind.S_THUNK32 || k === SymKind.S_THUNK32_ST || k === SymKind.S_BLOCK32 ||
    k === SymKind.S_BLOCK32_ST || k === SymKind.S_SEPCODE || k === SymKind.S_INLINESITE || k === SymKind.S_INLINESITE2;
}
export function closesScope(k: number): boolean {
  return k === SymKind.S_END || k === SymKind.S_PROC_ID_END || k === SymKind.S_INLINESITE_END;
}

/** One raw symbol record. `data` includes the 4-byte prefix (RecLen, RecKind). */
export interface SymRecord {
  /** Offset of the record within its stream. */
  offset: number;
  kind: number;
  data: Buffer;
}

/**
 * Iterates the symbol records in `buf[start, end)`; `base` is the stream
 * offset of buf[0]. Stops (without throwing) at a malformed record, since a
 * partial table is more useful than none.
 */
export function* iterateSymbols(buf: Buffer, start = 0, end = buf.length, base = 0): Generator<SymRecord> {
  let pos = start;
  const stop = Math.min(end, buf.length);
  while (pos + SYM_RECORD_HEADER_SIZE <= stop) {
    const recLen = buf.readUInt16LE(pos);
    if (recLen < 2 || pos + 2 + recLen > stop) return;
    yield { offset: base + pos, kind: buf.readUInt16LE(pos + 2), data: buf.subarray(pos, pos + 2 + recLen) };
    pos += 2 + recLen;
  }
}

/** Reads the single record at `offset` of `stream` (publics address map, S_PROCREF targets). */
export function readSymbolAt(stream: PdbStream, offset: number): SymRecord {
  const ctx = `reading symbol record at +0x${offset.toString(16)} of stream ${stream.index}`;
  if (offset < 0 || offset + SYM_RECORD_HEADER_SIZE > stream.size) {
    throw new FormatError('OutOfBounds', `symbol record offset 0x${offset.toString(16)} is outside the stream (0x${stream.size.toString(16)} bytes)`, ctx, offset);
  }
  const head = stream.read(offset, SYM_RECORD_HEADER_SIZE);
  const recLen = head.readUInt16LE(0);
  if (recLen < 2 || offset + 2 + recLen > stream.size) {
    throw new FormatError('BadValue', `symbol record length ${recLen} does not fit`, ctx, offset);
  }
  return { offset, kind: head.readUInt16LE(2), data: stream.read(offset, 2 + recLen) };
}

/**
 * The record's name at `at`: NUL-terminated UTF-8 for modern kinds, a
 * length-prefixed string for the old "_ST" kinds (< 0x1100).
 */
export function symbolName(rec: Buffer, at: number, kind: number): string {
  if (at >= rec.length) return '';
  if (kind < 0x1100) {
    const n = rec[at] ?? 0;
    return rec.toString('utf8', at + 1, Math.min(rec.length, at + 1 + n));
  }
  let end = rec.indexOf(0, at);
  if (end < 0) end = rec.length;
  return rec.toString('utf8', at, end);
}

export interface PublicSym { flags: number; offset: number; segment: number; name: string }
export interface DataSym { typeIndex: number; offset: number; segment: number; name: string }
export interface ProcRefSym { sumName: number; symOffset: number; /** 1-based module index. */ module: number; name: string }
export interface ProcSym {
  parent: number; end: number; next: number; length: number; dbgStart: number; dbgEnd: number;
  typeIndex: number; offset: number; segment: number; flags: number; name: string;
}
export interface ThunkSym { parent: number; end: number; next: number; offset: number; segment: number; length: number; ordinal: number; name: string }
export interface BlockSym { parent: number; end: number; length: number; offset: number; segment: number; name: string }
export interface SepCodeSym { parent: number; end: number; length: number; flags: number; offset: number; parentOffset: number; segment: number; parentSegment: number }
export interface InlineSiteSym { parent: number; end: number; inlinee: number; annotations: Buffer }

const ctxOf = (r: SymRecord) => `decoding symbol 0x${r.kind.toString(16)} at +0x${r.offset.toString(16)}`;

export function parsePublicSym(r: SymRecord): PublicSym {
  const p = PubSym32Layout.decode(r.data, 0, ctxOf(r));
  return { flags: p.pubSymFlags, offset: p.off, segment: p.seg, name: symbolName(r.data, PubSym32Layout.size, r.kind) };
}

export function parseDataSym(r: SymRecord): DataSym {
  const d = DataSym32Layout.decode(r.data, 0, ctxOf(r));
  return { typeIndex: d.typind, offset: d.off, segment: d.seg, name: symbolName(r.data, DataSym32Layout.size, r.kind) };
}

export function parseProcRefSym(r: SymRecord): ProcRefSym {
  const d = RefSym2Layout.decode(r.data, 0, ctxOf(r));
  return { sumName: d.sumName, symOffset: d.ibSym, module: d.imod, name: symbolName(r.data, RefSym2Layout.size, r.kind) };
}

export function parseProcSym(r: SymRecord): ProcSym {
  const p = ProcSym32Layout.decode(r.data, 0, ctxOf(r));
  return {
    parent: p.pParent, end: p.pEnd, next: p.pNext, length: p.len, dbgStart: p.dbgStart, dbgEnd: p.dbgEnd,
    typeIndex: p.typind, offset: p.off, segment: p.seg, flags: p.flags,
    name: symbolName(r.data, ProcSym32Layout.size, r.kind),
  };
}

export function parseThunkSym(r: SymRecord): ThunkSym {
  const t = ThunkSym32Layout.decode(r.data, 0, ctxOf(r));
  return {
    parent: t.pParent, end: t.pEnd, next: t.pNext, offset: t.off, segment: t.seg, length: t.len, ordinal: t.ord,
    name: symbolName(r.data, ThunkSym32Layout.size, r.kind),
  };
}

export function parseBlockSym(r: SymRecord): BlockSym {
  const b = BlockSym32Layout.decode(r.data, 0, ctxOf(r));
  return { parent: b.pParent, end: b.pEnd, length: b.len, offset: b.off, segment: b.seg, name: symbolName(r.data, BlockSym32Layout.size, r.kind) };
}

export function parseSepCodeSym(r: SymRecord): SepCodeSym {
  const s = SepCodeSymLayout.decode(r.data, 0, ctxOf(r));
  return {
    parent: s.pParent, end: s.pEnd, length: s.length, flags: s.scf, offset: s.off, parentOffset: s.offParent,
    segment: s.sect, parentSegment: s.sectParent,
  };
}

export function parseInlineSiteSym(r: SymRecord): InlineSiteSym {
  const s = InlineSiteSymLayout.decode(r.data, 0, ctxOf(r));
  // S_INLINESITE2 carries an extra u32 invocation count before the annotations.
  const at = InlineSiteSymLayout.size + (r.kind === SymKind.S_INLINESITE2 ? 4 : 0);
  return { parent: s.pParent, end: s.pEnd, inlinee: s.inlinee, annotations: r.data.subarray(Math.min(at, r.data.length)) };
}
