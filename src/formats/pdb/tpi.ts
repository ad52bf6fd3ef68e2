import { FormatError } from '../../bytes/errors.js';
import { defineLayout } from '../layout.js';
import { hashStringV1 } from './gsi.js';
import type { MsfFile, PdbStream } from './msf.js';
import { NIL_STREAM_INDEX, PDB_STREAM_IPI, PDB_STREAM_TPI } from './layouts.js';

/**
 * TPI (stream 2) and IPI (stream 4) type streams (unwind-symbols.md F.10):
 * a 56-byte header, then `{Len u16, Kind u16, payload}` records; type index
 * k is the (k − TypeIndexBegin)-th record. Records are located lazily through
 * the hash stream's index-offset buffer (TypeIndex → record offset every ~8 KB)
 * and decoded on demand.
 */
export const TpiStreamHeaderLayout = defineLayout('TpiStreamHeader', {
  version: 'u32',
  headerSize: 'u32',
  typeIndexBegin: 'u32',
  typeIndexEnd: 'u32',
  typeRecordBytes: 'u32',
  hashStreamIndex: 'u16',
  hashAuxStreamIndex: 'u16',
  hashKeySize: 'u32',
  numHashBuckets: 'u32',
  hashValueBufferOffset: 'i32',
  hashValueBufferLength: 'u32',
  indexOffsetBufferOffset: 'i32',
  indexOffsetBufferLength: 'u32',
  hashAdjBufferOffset: 'i32',
  hashAdjBufferLength: 'u32',
});
export type TpiStreamHeader = ReturnType<typeof TpiStreamHeaderLayout.decode>;
export const TPI_HEADER_SIZE = TpiStreamHeaderLayout.size; // 56
/** First non-primitive type index. */
export const TYPE_INDEX_BEGIN = 0x1000;

/** Type record kinds (cvinfo.h LEAF_ENUM_e) read here. */
export const LeafKind = {
  LF_MODIFIER: 0x1001,
  LF_POINTER: 0x1002,
  LF_PROCEDURE: 0x1008,
  LF_MFUNCTION: 0x1009,
  LF_ARGLIST: 0x1201,
  LF_FIELDLIST: 0x1203,
  LF_BITFIELD: 0x1205,
  LF_METHODLIST: 0x1206,
  LF_BCLASS: 0x1400,
  LF_VBCLASS: 0x1401,
  LF_IVBCLASS: 0x1402,
  LF_INDEX: 0x1404,
  LF_VFUNCTAB: 0x1409,
  LF_ENUMERATE: 0x1502,
  LF_ARRAY: 0x1503,
  LF_CLASS: 0x1504,
  LF_STRUCTURE: 0x1505,
  LF_UNION: 0x1506,
  LF_ENUM: 0x1507,
  LF_MEMBER: 0x150d,
  LF_STMEMBER: 0x150e,
  LF_METHOD: 0x150f,
  LF_NESTTYPE: 0x1510,
  LF_ONEMETHOD: 0x1511,
  LF_INTERFACE: 0x1519,
  LF_FUNC_ID: 0x1601,
  LF_MFUNC_ID: 0x1602,
  LF_STRING_ID: 0x1605,
} as const;

/** Numeric leaf kinds (values ≥ 0x8000 announce a following number). */
const LF_NUMERIC = 0x8000;

/** UDT property bits (CV_prop_t). */
export const UDT_PROP_FWDREF = 0x80;
export const UDT_PROP_SCOPED = 0x100;
export const UDT_PROP_HAS_UNIQUE_NAME = 0x200;

export interface PrimitiveType {
  kind: 'primitive';
  ti: number;
  /** Base kind (low byte of the index): 0x74 int, 0x03 void... */
  base: number;
  /** Pointer size for 0x400/0x600 modes (pointer to the base), else 0. */
  pointerSize: number;
}
export interface ModifierType { kind: 'modifier'; ti: number; type: number; isConst: boolean; isVolatile: boolean; isUnaligned: boolean }
export type PointerMode = 'pointer' | 'lvalueRef' | 'dataMember' | 'methodMember' | 'rvalueRef';
export interface PointerType { kind: 'pointer'; ti: number; referent: number; size: number; mode: PointerMode; isConst: boolean; isVolatile: boolean }
export interface ProcedureType { kind: 'procedure'; ti: number; returnType: number; callConv: number; paramCount: number; argList: number; classType?: number; thisType?: number }
export interface ArgListType { kind: 'arglist'; ti: number; args: number[] }
export interface BitfieldType { kind: 'bitfield'; ti: number; type: number; length: number; position: number }
export interface ArrayType { kind: 'array'; ti: number; elementType: number; indexType: number; size: number; name: string }
export type UdtLeaf = 'class' | 'struct' | 'union' | 'interface';
export interface UdtType {
  kind: 'udt';
  ti: number;
  leaf: UdtLeaf;
  count: number;
  props: number;
  fieldList: number;
  size: number;
  name: string;
  uniqueName?: string;
  isForwardRef: boolean;
}
export interface EnumType { kind: 'enum'; ti: number; count: number; props: number; underlying: number; fieldList: number; name: string; uniqueName?: string; isForwardRef: boolean }
export type FieldMember =
  | { kind: 'member'; name: string; type: number; offset: number; attrs: number }
  | { kind: 'static'; name: string; type: number; attrs: number }
  | { kind: 'enumerate'; name: string; value: bigint; attrs: number }
  | { kind: 'base'; type: number; offset: number; attrs: number; isVirtual: boolean }
  | { kind: 'method'; name: string; count: number; type: number }
  | { kind: 'nested'; name: string; type: number }
  | { kind: 'vfunctab'; type: number };
export interface FieldListType { kind: 'fieldlist'; ti: number; members: FieldMember[]; continuation?: number }
export interface FuncIdType { kind: 'funcId'; ti: number; scope: number; type: number; name: string }
export interface StringIdType { kind: 'stringId'; ti: number; id: number; name: string }
export interface UnknownType { kind: 'unknown'; ti: number; leaf: number }

export type TypeRecord =
  | PrimitiveType | ModifierType | PointerType | ProcedureType | ArgListType | BitfieldType | ArrayType
  | UdtType | EnumType | FieldListType | FuncIdType | StringIdType | UnknownType;

/** Reads a numeric leaf (CodeView "numeric"): a u16 value < 0x8000, or a kind then the number. */
export function readNumericLeaf(buf: Buffer, at: number): { value: bigint; size: number } | undefined {
  if (at + 2 > buf.length) return undefined;
  const k = buf.readUInt16LE(at);
  if (k < LF_NUMERIC) return { value: BigInt(k), size: 2 };
  const p = at + 2;
  const need = (n: number) => p + n <= buf.length;
  switch (k) {
    case 0x8000: return need(1) ? { value: BigInt(buf.readInt8(p)), size: 3 } : undefined; // LF_CHAR
    case 0x8001: return need(2) ? { value: BigInt(buf.readInt16LE(p)), size: 4 } : undefined; // LF_SHORT
    case 0x8002: return need(2) ? { value: BigInt(buf.readUInt16LE(p)), size: 4 } : undefined; // LF_USHORT
    case 0x8003: return need(4) ? { value: BigInt(buf.readInt32LE(p)), size: 6 } : undefined; // LF_LONG
    case 0x8004: return need(4) ? { value: BigInt(buf.readUInt32LE(p)), size: 6 } : undefined; // LF_ULONG
    case 0x8009: return need(8) ? { value: buf.readBigInt64LE(p), size: 10 } : undefined; // LF_QUADWORD
    case 0x800a: return need(8) ? { value: buf.readBigUInt64LE(p), size: 10 } : undefined; // LF_UQUADWORD
    default: return undefined;
  }
}

/** A NUL-terminated UTF-8 string at `at` (to the end of the buffer when unterminated). */
export function readCString(buf: Buffer, at: number): { text: string; next: number } {
  if (at >= buf.length) return { text: '', next: buf.length };
  let end = buf.indexOf(0, at);
  if (end < 0) end = buf.length;
  return { text: buf.toString('utf8', at, end), next: Math.min(buf.length, end + 1) };
}

function udtLeafOf(leaf: number): UdtLeaf | undefined {
  switch (leaf) {
    case LeafKind.LF_CLASS: return 'class';
    case LeafKind.LF_STRUCTURE: return 'struct';
    case LeafKind.LF_UNION: return 'union';
    case LeafKind.LF_INTERFACE: return 'interface';
    default: return undefined;
  }
}

const POINTER_MODES: PointerMode[] = ['pointer', 'lvalueRef', 'dataMember', 'methodMember', 'rvalueRef'];

/**
 * Decodes one type record. `rec` is the whole record including its 4-byte
 * prefix. Throws FormatError when a fixed part is cut short.
 */
export function decodeTypeRecord(ti: number, rec: Buffer): TypeRecord {
  const ctx = `decoding type 0x${ti.toString(16)}`;
  if (rec.length < 4) throw new FormatError('Truncated', 'type record shorter than its prefix', ctx);
  const leaf = rec.readUInt16LE(2);
  const p = rec.subarray(4);
  const need = (n: number) => {
    if (p.length < n) throw new FormatError('Truncated', `leaf 0x${leaf.toString(16)} needs ${n} bytes, has ${p.length}`, ctx);
  };
  const udt = udtLeafOf(leaf);
  if (udt) {
    // Interfaces/classes/structs share CV's class layout; unions have no derivation/vshape fields.
    const isUnion = leaf === LeafKind.LF_UNION;
    need(isUnion ? 8 : 16);
    const count = p.readUInt16LE(0);
    const props = p.readUInt16LE(2);
    const fieldList = p.readUInt32LE(4);
    let at = isUnion ? 8 : 16;
    const n = readNumericLeaf(p, at);
    if (!n) throw new FormatError('BadValue', 'bad size leaf', ctx);
    at += n.size;
    const name = readCString(p, at);
    const out: UdtType = { kind: 'udt', ti, leaf: udt, count, props, fieldList, size: Number(n.value), name: name.text, isForwardRef: (props & UDT_PROP_FWDREF) !== 0 };
    if (props & UDT_PROP_HAS_UNIQUE_NAME) out.uniqueName = readCString(p, name.next).text;
    return out;
  }
  switch (leaf) {
    case LeafKind.LF_MODIFIER: {
      need(6);
      const m = p.readUInt16LE(4);
      return { kind: 'modifier', ti, type: p.readUInt32LE(0), isConst: (m & 1) !== 0, isVolatile: (m & 2) !== 0, isUnaligned: (m & 4) !== 0 };
    }
    case LeafKind.LF_POINTER: {
      need(8);
      const attrs = p.readUInt32LE(4);
      return {
        kind: 'pointer', ti, referent: p.readUInt32LE(0), size: (attrs >>> 13) & 0x3f,
        mode: POINTER_MODES[(attrs >>> 5) & 7] ?? 'pointer', isConst: (attrs & 0x400) !== 0, isVolatile: (attrs & 0x200) !== 0,
      };
    }
    case LeafKind.LF_PROCEDURE:
      need(12);
      return { kind: 'procedure', ti, returnType: p.readUInt32LE(0), callConv: p[4]!, paramCount: p.readUInt16LE(6), argList: p.readUInt32LE(8) };
    case LeafKind.LF_MFUNCTION:
      need(20);
      return {
        kind: 'procedure', ti, returnType: p.readUInt32LE(0), classType: p.readUInt32LE(4), thisType: p.readUInt32LE(8),
        callConv: p[12]!, paramCount: p.readUInt16LE(14), argList: p.readUInt32LE(16),
      };
    case LeafKind.LF_ARGLIST: {
      need(4);
      const count = Math.min(p.readUInt32LE(0), Math.floor((p.length - 4) / 4));
      const args: number[] = [];
      for (let i = 0; i < count; i++) args.push(p.readUInt32LE(4 + 4 * i));
      return { kind: 'arglist', ti, args };
    }
    case LeafKind.LF_BITFIELD:
      need(6);
      return { kind: 'bitfield', ti, type: p.readUInt32LE(0), length: p[4]!, position: p[5]! };
    case LeafKind.LF_ARRAY: {
      need(8);
      const n = readNumericLeaf(p, 8);
      if (!n) throw new FormatError('BadValue', 'bad array size leaf', ctx);
      return { kind: 'array', ti, elementType: p.readUInt32LE(0), indexType: p.readUInt32LE(4), size: Number(n.value), name: readCString(p, 8 + n.size).text };
    }
    case LeafKind.LF_ENUM: {
      need(12);
      const props = p.readUInt16LE(2);
      const name = readCString(p, 12);
      const out: EnumType = {
        kind: 'enum', ti, count: p.readUInt16LE(0), props, underlying: p.readUInt32LE(4), fieldList: p.readUInt32LE(8),
        name: name.text, isForwardRef: (props & UDT_PROP_FWDREF) !== 0,
      };
      if (props & UDT_PROP_HAS_UNIQUE_NAME) out.uniqueName = readCString(p, name.next).text;
      return out;
    }
    case LeafKind.LF_FIELDLIST:
      return decodeFieldList(ti, p);
    case LeafKind.LF_FUNC_ID:
    case LeafKind.LF_MFUNC_ID:
      need(8);
      return { kind: 'funcId', ti, scope: p.readUInt32LE(0), type: p.readUInt32LE(4), name: readCString(p, 8).text };
    case LeafKind.LF_STRING_ID:
      need(4);
      return { kind: 'stringId', ti, id: p.readUInt32LE(0), name: readCString(p, 4).text };
    default:
      return { kind: 'unknown', ti, leaf };
  }
}

/** LF_FIELDLIST: sub-records, each aligned by LF_PAD bytes (0xF0..0xFF). Stops quietly at anything it cannot size. */
function decodeFieldList(ti: number, p: Buffer): FieldListType {
  const members: FieldMember[] = [];
  const out: FieldListType = { kind: 'fieldlist', ti, members };
  let at = 0;
  while (at + 2 <= p.length) {
    const b = p[at]!;
    if (b >= 0xf0) {
      at += Math.max(1, b & 0x0f);
      continue;
    }
    const leaf = p.readUInt16LE(at);
    const q = at + 2;
    if (q + 2 > p.length) break;
    const attrs = p.readUInt16LE(q);
    switch (leaf) {
      case LeafKind.LF_MEMBER: {
        if (q + 6 > p.length) return out;
        const n = readNumericLeaf(p, q + 6);
        if (!n) return out;
        const name = readCString(p, q + 6 + n.size);
        members.push({ kind: 'member', name: name.text, type: p.readUInt32LE(q + 2), offset: Number(n.value), attrs });
        at = name.next;
        break;
      }
      case LeafKind.LF_STMEMBER: {
        if (q + 6 > p.length) return out;
        const name = readCString(p, q + 6);
        members.push({ kind: 'static', name: name.text, type: p.readUInt32LE(q + 2), attrs });
        at = name.next;
        break;
      }
      case LeafKind.LF_ENUMERATE: {
        const n = readNumericLeaf(p, q + 2);
        if (!n) return out;
        const name = readCString(p, q + 2 + n.size);
        members.push({ kind: 'enumerate', name: name.text, value: n.value, attrs });
        at = name.next;
        break;
      }
      case LeafKind.LF_BCLASS: {
        if (q + 6 > p.length) return out;
        const n = readNumericLeaf(p, q + 6);
        if (!n) return out;
        members.push({ kind: 'base', type: p.readUInt32LE(q + 2), offset: Number(n.value), attrs, isVirtual: false });
        at = q + 6 + n.size;
        break;
      }
      case LeafKind.LF_VBCLASS:
      case LeafKind.LF_IVBCLASS: {
        if (q + 10 > p.length) return out;
        const a = readNumericLeaf(p, q + 10);
        if (!a) return out;
        const b2 = readNumericLeaf(p, q + 10 + a.size);
        if (!b2) return out;
        members.push({ kind: 'base', type: p.readUInt32LE(q + 2), offset: Number(a.value), attrs, isVirtual: true });
        at = q + 10 + a.size + b2.size;
        break;
      }
      case LeafKind.LF_METHOD: {
        if (q + 6 > p.length) return out;
        const name = readCString(p, q + 6);
        members.push({ kind: 'method', name: name.text, count: attrs, type: p.readUInt32LE(q + 2) });
        at = name.next;
        break;
      }
      case LeafKind.LF_ONEMETHOD: {
        if (q + 6 > p.length) return out;
        // Introducing virtuals (mprop 4, 6) carry a vtable offset.
        const mprop = (attrs >>> 2) & 7;
        const nameAt = q + 6 + (mprop === 4 || mprop === 6 ? 4 : 0);
        const name = readCString(p, nameAt);
        members.push({ kind: 'method', name: name.text, count: 1, type: p.readUInt32LE(q + 2) });
        at = name.next;
        break;
      }
      case LeafKind.LF_NESTTYPE: {
        if (q + 6 > p.length) return out;
        const name = readCString(p, q + 6);
        members.push({ kind: 'nested', name: name.text, type: p.readUInt32LE(q + 2) });
        at = name.next;
        break;
      }
      case LeafKind.LF_VFUNCTAB:
        if (q + 6 > p.length) return out;
        members.push({ kind: 'vfunctab', type: p.readUInt32LE(q + 2) });
        at = q + 6;
        break;
      case LeafKind.LF_INDEX:
        if (q + 6 > p.length) return out;
        out.continuation = p.readUInt32LE(q + 2);
        at = q + 6;
        break;
      default:
        return out;
    }
  }
  return out;
}

/** Largest type stream we index. */
const MAX_TYPE_BYTES = 1024 * 1024 * 1024;

/**
 * One type stream (TPI or IPI). Records are read on demand: the index-offset
 * buffer gives a nearby starting point, then records are walked forward
 * (LLVM's LazyRandomTypeCollection does the same).
 */
export class TypeStream {
  readonly stream: PdbStream;
  readonly header: TpiStreamHeader;
  private readonly hashStream: PdbStream | undefined;
  private readonly offsets: Int32Array;
  private readonly cache = new Map<number, TypeRecord>();
  private indexOffsets: Array<{ ti: number; offset: number }> | undefined;
  private hashValues: Uint32Array | undefined | null;
  private nameIndex: Map<string, number[]> | undefined;
  private readonly forwardCache = new Map<number, number>();

  constructor(msf: MsfFile, streamIndex: number) {
    this.stream = msf.stream(streamIndex);
    const ctx = `reading type stream ${streamIndex}`;
    if (this.stream.size < TPI_HEADER_SIZE) throw new FormatError('Truncated', `type stream is ${this.stream.size} bytes`, ctx);
    this.header = TpiStreamHeaderLayout.decode(this.stream.read(0, TPI_HEADER_SIZE), 0, ctx);
    const h = this.header;
    if (h.headerSize < TPI_HEADER_SIZE || h.typeIndexEnd < h.typeIndexBegin || h.typeRecordBytes > MAX_TYPE_BYTES) {
      throw new FormatError('BadValue', `bad TPI header (size ${h.headerSize}, indices 0x${h.typeIndexBegin.toString(16)}..0x${h.typeIndexEnd.toString(16)})`, ctx);
    }
    if (h.headerSize + h.typeRecordBytes > this.stream.size) {
      throw new FormatError('Truncated', `type records (${h.typeRecordBytes} bytes) run past the stream`, ctx);
    }
    this.offsets = new Int32Array(h.typeIndexEnd - h.typeIndexBegin).fill(-1);
    this.hashStream = h.hashStreamIndex !== NIL_STREAM_INDEX && msf.hasStream(h.hashStreamIndex) ? msf.stream(h.hashStreamIndex) : undefined;
  }

  get begin(): number {
    return this.header.typeIndexBegin;
  }

  get end(): number {
    return this.header.typeIndexEnd;
  }

  /** (TypeIndex, offset) pairs from the hash stream, sorted; [] when absent or bad. */
  private indexOffsetPairs(): Array<{ ti: number; offset: number }> {
    if (this.indexOffsets) return this.indexOffsets;
    const out: Array<{ ti: number; offset: number }> = [];
    const h = this.header;
    const hs = this.hashStream;
    if (hs && h.indexOffsetBufferOffset >= 0 && h.indexOffsetBufferOffset + h.indexOffsetBufferLength <= hs.size) {
      const b = hs.read(h.indexOffsetBufferOffset, h.indexOffsetBufferLength - (h.indexOffsetBufferLength % 8));
      for (let i = 0; i + 8 <= b.length; i += 8) {
        const ti = b.readUInt32LE(i);
        const offset = b.readUInt32LE(i + 4);
        if (ti < h.typeIndexBegin || ti >= h.typeIndexEnd || offset >= h.typeRecordBytes) continue;
        if (out.length && (ti <= out[out.length - 1]!.ti || offset <= out[out.length - 1]!.offset)) continue;
        out.push({ ti, offset });
      }
    }
    this.indexOffsets = out;
    return out;
  }

  /** Stream offset of record `ti`, found by walking from the nearest known record. */
  private offsetOf(ti: number): number | undefined {
    const h = this.header;
    if (ti < h.typeIndexBegin || ti >= h.typeIndexEnd) return undefined;
    const slot = ti - h.typeIndexBegin;
    const known = this.offsets[slot]!;
    if (known >= 0) return known;
    // Start from the nearest earlier record whose offset is known.
    let startTi = h.typeIndexBegin;
    let pos = h.headerSize;
    const pairs = this.indexOffsetPairs();
    let lo = 0;
    let hi = pairs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (pairs[mid]!.ti <= ti) {
        startTi = pairs[mid]!.ti;
        pos = h.headerSize + pairs[mid]!.offset;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    for (let k = ti - 1; k > startTi; k--) {
      const o = this.offsets[k - h.typeIndexBegin]!;
      if (o >= 0) {
        startTi = k;
        pos = o;
        break;
      }
    }
    const endPos = h.headerSize + h.typeRecordBytes;
    for (let cur = startTi; cur <= ti; cur++) {
      if (pos + 4 > endPos) return undefined;
      this.offsets[cur - h.typeIndexBegin] = pos;
      if (cur === ti) return pos;
      const len = this.stream.read(pos, 2).readUInt16LE(0);
      if (len < 2) return undefined;
      pos += 2 + len;
    }
    return undefined;
  }

  /** The raw record of `ti` (prefix included), or undefined when out of range. */
  rawRecord(ti: number): Buffer | undefined {
    const at = this.offsetOf(ti);
    if (at === undefined) return undefined;
    const len = this.stream.read(at, 2).readUInt16LE(0);
    const endPos = this.header.headerSize + this.header.typeRecordBytes;
    if (len < 2 || at + 2 + len > endPos) return undefined;
    return this.stream.read(at, 2 + len);
  }

  /** Decoded record `ti`: primitives (< 0x1000) are synthesised; undefined when out of range or malformed. */
  record(ti: number): TypeRecord | undefined {
    if (ti < TYPE_INDEX_BEGIN) return primitiveRecord(ti);
    const hit = this.cache.get(ti);
    if (hit) return hit;
    let r: TypeRecord | undefined;
    try {
      const raw = this.rawRecord(ti);
      r = raw ? decodeTypeRecord(ti, raw) : undefined;
    } catch (e) {
      if (!(e instanceof FormatError)) throw e;
      r = undefined;
    }
    if (r) this.cache.set(ti, r);
    return r;
  }

  /** Per-record hash values (bucket numbers) from the hash stream, or null. */
  private hashValueTable(): Uint32Array | null {
    if (this.hashValues !== undefined) return this.hashValues;
    this.hashValues = null;
    const h = this.header;
    const hs = this.hashStream;
    const n = h.typeIndexEnd - h.typeIndexBegin;
    if (hs && h.hashKeySize === 4 && h.hashValueBufferOffset >= 0 && h.hashValueBufferLength >= n * 4 && h.hashValueBufferOffset + n * 4 <= hs.size) {
      const b = hs.read(h.hashValueBufferOffset, n * 4);
      const out = new Uint32Array(n);
      for (let i = 0; i < n; i++) out[i] = b.readUInt32LE(i * 4);
      this.hashValues = out;
    }
    return this.hashValues;
  }

  /**
   * The full definition of a forward-referenced class/struct/union/enum:
   * candidates come from the hash bucket of its name (the TPI hash of a UDT
   * definition is hashStringV1(name), or of its unique name when scoped),
   * then a scan of all records when the hash stream is missing.
   */
  resolveForward(ti: number): number {
    const known = this.forwardCache.get(ti);
    if (known !== undefined) return known;
    const found = this.resolveForwardImpl(ti);
    this.forwardCache.set(ti, found);
    return found;
  }

  private resolveForwardImpl(ti: number): number {
    const r = this.record(ti);
    if (!r || (r.kind !== 'udt' && r.kind !== 'enum') || !r.isForwardRef) return ti;
    const matches = (c: TypeRecord | undefined): boolean =>
      !!c && c.kind === r.kind && !c.isForwardRef && (r.uniqueName !== undefined && c.uniqueName !== undefined ? c.uniqueName === r.uniqueName : c.name === r.name);
    const table = this.hashValueTable();
    const buckets = this.header.numHashBuckets;
    if (table && buckets > 0) {
      const keys = new Set<number>([hashStringV1(r.name) % buckets]);
      if (r.uniqueName) keys.add(hashStringV1(r.uniqueName) % buckets);
      for (let i = 0; i < table.length; i++) {
        if (!keys.has(table[i]!)) continue;
        const cand = this.begin + i;
        if (cand !== ti && matches(this.record(cand))) return cand;
      }
    }
    for (const cand of this.namesIndex().get(r.name) ?? []) if (matches(this.record(cand))) return cand;
    return ti;
  }

  /** Name → type indices of all named UDTs and enums (built on first use by one pass). */
  namesIndex(): Map<string, number[]> {
    if (this.nameIndex) return this.nameIndex;
    const out = new Map<string, number[]>();
    for (let ti = this.begin; ti < this.end; ti++) {
      const raw = this.rawRecord(ti);
      if (!raw) break;
      const leaf = raw.readUInt16LE(2);
      if (!udtLeafOf(leaf) && leaf !== LeafKind.LF_ENUM) continue;
      const r = this.record(ti);
      if (!r || (r.kind !== 'udt' && r.kind !== 'enum')) continue;
      const list = out.get(r.name);
      if (list) list.push(ti);
      else out.set(r.name, [ti]);
    }
    this.nameIndex = out;
    return out;
  }

  /** The defining (non-forward) UDT/enum named `name`, else a forward reference, else undefined. */
  findByName(name: string): number | undefined {
    const list = this.namesIndex().get(name);
    if (!list) return undefined;
    for (const ti of list) {
      const r = this.record(ti);
      if (r && (r.kind === 'udt' || r.kind === 'enum') && !r.isForwardRef) return ti;
    }
    return list[0];
  }

  /** All members of a field list, following LF_INDEX continuations. */
  fieldMembers(fieldList: number): FieldMember[] {
    const out: FieldMember[] = [];
    const seen = new Set<number>();
    for (let ti: number | undefined = fieldList; ti !== undefined && !seen.has(ti); ) {
      seen.add(ti);
      const r = this.record(ti);
      if (!r || r.kind !== 'fieldlist') break;
      out.push(...r.members);
      ti = r.continuation;
    }
    return out;
  }
}

/** A primitive type index (< 0x1000): low byte the base kind, bits 8–11 the pointer mode. */
export function primitiveRecord(ti: number): PrimitiveType | undefined {
  if (ti < 0 || ti >= TYPE_INDEX_BEGIN) return undefined;
  const mode = (ti >> 8) & 0xf;
  // Modes: 0 direct, 1 near16, 2 far16, 3 huge16, 4 near32, 5 far32, 6 near64, 7 near128.
  const pointerSize = mode === 0 ? 0 : mode === 4 || mode === 5 ? 4 : mode === 6 ? 8 : mode === 7 ? 16 : 2;
  return { kind: 'primitive', ti, base: ti & 0xff, pointerSize };
}

export interface PrimitiveInfo {
  /** C name as WinDbg's kp/dv print it. */
  name: string;
  /** dt name (Int4B, Uint8B, Char...). */
  dtName: string;
  size: number;
  signed: boolean;
  float: boolean;
  char: boolean;
  bool: boolean;
}

const prim = (name: string, dtName: string, size: number, flags: Partial<Pick<PrimitiveInfo, 'signed' | 'float' | 'char' | 'bool'>> = {}): PrimitiveInfo => ({
  name, dtName, size, signed: flags.signed ?? false, float: flags.float ?? false, char: flags.char ?? false, bool: flags.bool ?? false,
});

/** Base kinds of primitive type indices (cvinfo.h TYPE_ENUM_e, low byte). */
const PRIMITIVES = new Map<number, PrimitiveInfo>([
  [0x03, prim('void', 'Void', 0)],
  [0x08, prim('HRESULT', 'Int4B', 4, { signed: true })],
  [0x10, prim('char', 'Char', 1, { signed: true, char: true })],
  [0x20, prim('unsigned char', 'UChar', 1, { char: true })],
  [0x68, prim('char', 'Char', 1, { signed: true, char: true })],
  [0x69, prim('unsigned char', 'UChar', 1, { char: true })],
  [0x70, prim('char', 'Char', 1, { signed: true, char: true })],
  [0x71, prim('wchar_t', 'Wchar', 2, { char: true })],
  [0x7a, prim('char16_t', 'Wchar', 2, { char: true })],
  [0x7b, prim('char32_t', 'Uint4B', 4, { char: true })],
  [0x7c, prim('char8_t', 'UChar', 1, { char: true })],
  [0x11, prim('short', 'Int2B', 2, { signed: true })],
  [0x21, prim('unsigned short', 'Uint2B', 2)],
  [0x72, prim('short', 'Int2B', 2, { signed: true })],
  [0x73, prim('unsigned short', 'Uint2B', 2)],
  [0x12, prim('long', 'Int4B', 4, { signed: true })],
  [0x22, prim('unsigned long', 'Uint4B', 4)],
  [0x74, prim('int', 'Int4B', 4, { signed: true })],
  [0x75, prim('unsigned int', 'Uint4B', 4)],
  [0x13, prim('int64', 'Int8B', 8, { signed: true })],
  [0x23, prim('unsigned int64', 'Uint8B', 8)],
  [0x76, prim('int64', 'Int8B', 8, { signed: true })],
  [0x77, prim('unsigned int64', 'Uint8B', 8)],
  [0x14, prim('int128', 'Int16B', 16, { signed: true })],
  [0x24, prim('unsigned int128', 'Uint16B', 16)],
  [0x78, prim('int128', 'Int16B', 16, { signed: true })],
  [0x79, prim('unsigned int128', 'Uint16B', 16)],
  [0x30, prim('bool', 'Bool', 1, { bool: true })],
  [0x31, prim('bool', 'Bool', 2, { bool: true })],
  [0x32, prim('bool', 'Bool', 4, { bool: true })],
  [0x33, prim('bool', 'Bool', 8, { bool: true })],
  [0x40, prim('float', 'Float', 4, { float: true, signed: true })],
  [0x41, prim('double', 'Float', 8, { float: true, signed: true })],
  [0x42, prim('long double', 'Float', 10, { float: true, signed: true })],
  [0x46, prim('half', 'Float', 2, { float: true, signed: true })],
]);

export function primitiveInfo(base: number): PrimitiveInfo | undefined {
  return PRIMITIVES.get(base);
}

/** The TPI and IPI of a PDB, opened once per PdbFile-like owner. */
export interface TypeStreams { tpi: TypeStream | undefined; ipi: TypeStream | undefined }

const streamsCache = new WeakMap<MsfFile, TypeStreams>();

/** Opens (once) the TPI and IPI streams of an MSF file; a missing or corrupt stream is undefined. */
export function typeStreamsOf(msf: MsfFile): TypeStreams {
  const hit = streamsCache.get(msf);
  if (hit) return hit;
  const open = (i: number): TypeStream | undefined => {
    if (!msf.hasStream(i)) return undefined;
    try {
      return new TypeStream(msf, i);
    } catch (e) {
      if (e instanceof FormatError) return undefined;
      throw e;
    }
  };
  const out = { tpi: open(PDB_STREAM_TPI), ipi: open(PDB_STREAM_IPI) };
  streamsCache.set(msf, out);
  return out;
}
