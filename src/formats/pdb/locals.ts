import type { ModuleProc, ModuleSymbols } from './module.js';
import { SymKind, closesScope, isProcKind, opensScope, parseBlockSym, parseProcSym, symbolName } from './symbols.js';
import type { SymRecord } from './symbols.js';

/**
 * Parameters and locals of one procedure scope (unwind-symbols.md F.7):
 * S_LOCAL followed by its S_DEFRANGE_* records (where the value lives for
 * which code ranges), the older S_REGREL32 / S_BPREL32 / S_REGISTER
 * (one location for the whole scope), S_FRAMEPROC (which register a
 * "frame pointer relative" offset is relative to), and S_BLOCK32 scopes.
 * Variables of inlined callees (inside S_INLINESITE) are not the frame's own.
 */
export const LocalSymKind = {
  S_REGISTER: 0x1106,
  S_BPREL32: 0x110b,
  S_DEFRANGE: 0x113f,
  S_DEFRANGE_SUBFIELD: 0x1140,
  S_DEFRANGE_REGISTER: 0x1141,
  S_DEFRANGE_FRAMEPOINTER_REL: 0x1142,
  S_DEFRANGE_SUBFIELD_REGISTER: 0x1143,
  S_DEFRANGE_FRAMEPOINTER_REL_FULL_SCOPE: 0x1144,
  S_DEFRANGE_REGISTER_REL: 0x1145,
} as const;

/** CV_LVARFLAGS of S_LOCAL. */
export const LVAR_IS_PARAM = 0x1;
export const LVAR_ADDR_TAKEN = 0x2;
export const LVAR_COMPILER_GENERATED = 0x4;
export const LVAR_IS_OPTIMIZED_OUT = 0x100;

/** A code range [offset, offset+length) in section `segment`, minus gaps (offsets relative to `offset`). */
export interface LiveRange {
  segment: number;
  offset: number;
  length: number;
  gaps: Array<{ start: number; length: number }>;
}

export type VarLocation =
  /** The value is in a register (CV register number). */
  | { kind: 'register'; register: number; range?: LiveRange; offsetInParent?: number }
  /** The value is in memory at register + offset. */
  | { kind: 'regrel'; register: number; offset: number; range?: LiveRange; offsetInParent?: number }
  /** Memory at the frame's local/param base pointer (S_FRAMEPROC) + offset. */
  | { kind: 'framerel'; offset: number; range?: LiveRange };

export interface ProcVariable {
  name: string;
  typeIndex: number;
  isParam: boolean;
  flags: number;
  locations: VarLocation[];
  /** Innermost S_BLOCK32 code range the variable is declared in (undefined: the whole procedure). */
  block?: { segment: number; offset: number; length: number };
  /** Offset of the declaring record (stable identity). */
  symOffset: number;
  /** Declared by an old-style record (S_REGREL32, S_BPREL32, S_REGISTER) that has no parameter flag. */
  legacy?: boolean;
}

/** S_FRAMEPROC: frame size and the encoded base pointers (0 none, 1 SP/VFRAME, 2 BP, 3 R13/EBX/X19). */
export interface FrameProcInfo {
  frameSize: number;
  savedRegsSize: number;
  flags: number;
  localBasePointer: number;
  paramBasePointer: number;
}

export interface ProcScope {
  name: string;
  /** S_*PROC32 type index (TPI) or, for the _ID kinds, an IPI function id. */
  typeIndex: number;
  isIdKind: boolean;
  segment: number;
  offset: number;
  length: number;
  frameProc?: FrameProcInfo;
  variables: ProcVariable[];
}

function readRange(d: Buffer, at: number): { range: LiveRange; next: number } | undefined {
  if (at + 8 > d.length) return undefined;
  const range: LiveRange = { offset: d.readUInt32LE(at), segment: d.readUInt16LE(at + 4), length: d.readUInt16LE(at + 6), gaps: [] };
  let p = at + 8;
  // LocalVariableAddrGap {GapStartOffset u16, Range u16} fill the rest of the record.
  while (p + 4 <= d.length) {
    range.gaps.push({ start: d.readUInt16LE(p), length: d.readUInt16LE(p + 2) });
    p += 4;
  }
  return { range, next: p };
}

/** True when segment:offset is inside the range and not in one of its gaps. */
export function rangeCovers(r: LiveRange, segment: number, offset: number): boolean {
  if (segment !== r.segment) return false;
  const d = offset - r.offset;
  if (d < 0 || d >= r.length) return false;
  return !r.gaps.some((g) => d >= g.start && d < g.start + g.length);
}

/** Decodes one location record (S_DEFRANGE_*, S_REGREL32, S_BPREL32, S_REGISTER); undefined for others. */
export function decodeLocation(r: SymRecord, x86FramePointer: number): VarLocation | undefined {
  const d = r.data;
  switch (r.kind) {
    case LocalSymKind.S_DEFRANGE_REGISTER: {
      if (d.length < 8) return undefined;
      const rr = readRange(d, 8);
      return rr ? { kind: 'register', register: d.readUInt16LE(4), range: rr.range } : undefined;
    }
    case LocalSymKind.S_DEFRANGE_SUBFIELD_REGISTER: {
      if (d.length < 12) return undefined;
      const rr = readRange(d, 12);
      return rr ? { kind: 'register', register: d.readUInt16LE(4), range: rr.range, offsetInParent: d.readUInt32LE(8) & 0xfff } : undefined;
    }
    case LocalSymKind.S_DEFRANGE_FRAMEPOINTER_REL: {
      if (d.length < 8) return undefined;
      const rr = readRange(d, 8);
      return rr ? { kind: 'framerel', offset: d.readInt32LE(4), range: rr.range } : undefined;
    }
    case LocalSymKind.S_DEFRANGE_FRAMEPOINTER_REL_FULL_SCOPE:
      return d.length >= 8 ? { kind: 'framerel', offset: d.readInt32LE(4) } : undefined;
    case LocalSymKind.S_DEFRANGE_REGISTER_REL: {
      if (d.length < 12) return undefined;
      const rr = readRange(d, 12);
      const flags = d.readUInt16LE(6);
      const loc: VarLocation = { kind: 'regrel', register: d.readUInt16LE(4), offset: d.readInt32LE(8) };
      if (rr) loc.range = rr.range;
      // spilledUdtMember (bit 0) with offsetParent (bits 4..15).
      if (flags & 1) loc.offsetInParent = flags >>> 4;
      return loc;
    }
    case SymKind.S_REGREL32:
      return d.length >= 14 ? { kind: 'regrel', register: d.readUInt16LE(12), offset: d.readInt32LE(4) } : undefined;
    case LocalSymKind.S_BPREL32:
      // BP-relative: EBP on x86 (the caller passes which register is the frame pointer).
      return d.length >= 12 ? { kind: 'regrel', register: x86FramePointer, offset: d.readInt32LE(4) } : undefined;
    case LocalSymKind.S_REGISTER:
      return d.length >= 10 ? { kind: 'register', register: d.readUInt16LE(8) } : undefined;
    default:
      return undefined;
  }
}

/** CV_REG_EBP: the register S_BPREL32 offsets are relative to on x86. */
export const CV_REG_EBP = 22;

/**
 * Reads the variables of `proc` from its module stream. Records of nested
 * inline sites are skipped; S_BLOCK32 scopes narrow where a local is valid.
 */
export function procScope(ms: ModuleSymbols, proc: ModuleProc): ProcScope {
  const out: ProcScope = { name: proc.name, typeIndex: 0, isIdKind: false, segment: proc.segment, offset: proc.offset, length: proc.length, variables: [] };
  const blocks: Array<{ segment: number; offset: number; length: number } | undefined> = [];
  let inlineDepth = 0;
  let depth = 0;
  let current: ProcVariable | undefined;
  for (const r of ms.procRecords(proc)) {
    const k = r.kind;
    if (depth === 0 && isProcKind(k)) {
      const p = parseProcSym(r);
      out.typeIndex = p.typeIndex;
      out.isIdKind = k === SymKind.S_GPROC32_ID || k === SymKind.S_LPROC32_ID || k === SymKind.S_LPROC32_DPC_ID;
    }
    if (closesScope(k)) {
      depth--;
      if (k === SymKind.S_INLINESITE_END) inlineDepth = Math.max(0, inlineDepth - 1);
      else blocks.pop();
      current = undefined;
      continue;
    }
    if (opensScope(k)) {
      depth++;
      current = undefined;
      if (k === SymKind.S_INLINESITE || k === SymKind.S_INLINESITE2) inlineDepth++;
      else if (k === SymKind.S_BLOCK32 && depth > 1) {
        const b = parseBlockSym(r);
        blocks.push({ segment: b.segment, offset: b.offset, length: b.length });
      } else blocks.push(blocks[blocks.length - 1]);
      continue;
    }
    if (inlineDepth > 0) continue;
    const d = r.data;
    if (k === SymKind.S_FRAMEPROC && d.length >= 30 && depth === 1) {
      const flags = d.readUInt32LE(26);
      out.frameProc = {
        frameSize: d.readUInt32LE(4), savedRegsSize: d.readUInt32LE(16), flags,
        localBasePointer: (flags >>> 14) & 3, paramBasePointer: (flags >>> 16) & 3,
      };
      continue;
    }
    const block = blocks[blocks.length - 1];
    const declare = (v: ProcVariable) => {
      if (block) v.block = block;
      out.variables.push(v);
      return v;
    };
    if (k === SymKind.S_LOCAL && d.length >= 10) {
      const flags = d.readUInt16LE(8);
      current = declare({ name: symbolName(d, 10, k), typeIndex: d.readUInt32LE(4), isParam: (flags & LVAR_IS_PARAM) !== 0, flags, locations: [], symOffset: r.offset });
      continue;
    }
    if (k === SymKind.S_REGREL32 || k === LocalSymKind.S_BPREL32 || k === LocalSymKind.S_REGISTER) {
      const loc = decodeLocation(r, CV_REG_EBP);
      const nameAt = k === SymKind.S_REGREL32 ? 14 : k === LocalSymKind.S_BPREL32 ? 12 : 10;
      const typeAt = k === LocalSymKind.S_REGISTER ? 4 : 8;
      if (loc && d.length >= typeAt + 4) {
        // Old-style records carry no "is parameter" flag; the procedure type's argument count decides later.
        declare({ name: symbolName(d, nameAt, k), typeIndex: d.readUInt32LE(typeAt), isParam: false, flags: 0, locations: [loc], symOffset: r.offset, legacy: true });
      }
      current = undefined;
      continue;
    }
    const loc = decodeLocation(r, CV_REG_EBP);
    if (loc && current) current.locations.push(loc);
  }
  return out;
}
