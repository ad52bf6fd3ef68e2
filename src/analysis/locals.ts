import type { CpuArch } from '../formats/minidump/types.js';
import { procScope, rangeCovers, LVAR_IS_OPTIMIZED_OUT } from '../formats/pdb/locals.js';
import type { ProcScope, ProcVariable, VarLocation } from '../formats/pdb/locals.js';
import type { PdbFile } from '../formats/pdb/pdb-file.js';
import { typeStreamsOf } from '../formats/pdb/tpi.js';
import type { TypeStream } from '../formats/pdb/tpi.js';
import { typeName, typeSize, underlyingType } from '../formats/pdb/type-names.js';
import { FormatError } from '../bytes/errors.js';
import { ptr } from '../results/hex.js';
import { formatValue, recordOf } from './typed-values.js';
import type { ValueMemory } from './typed-values.js';

/**
 * Parameters and locals of a stack frame, located and read: PDB scope
 * records (formats/pdb/locals.ts) evaluated against the registers the
 * unwinder recovered for that frame and the dump's memory.
 */

/** One frame, as the variable reader needs it. */
export interface FrameSite {
  arch: CpuArch;
  pdb: PdbFile;
  moduleBase: bigint;
  pc: bigint;
  /** 0 for the context frame; callers hold a return address, so scopes are looked up at pc − 1. */
  frameNumber: number;
  /** Registers known for this frame (absent = not recovered). */
  regs: Record<string, bigint>;
  /**
   * x86: where this frame's return address is stored (the caller's stack
   * pointer − 4), which is VFRAME ($T0) for frame-data functions.
   */
  returnAddressSlot?: bigint;
  mem: ValueMemory;
}

export type VariableLocation =
  | { kind: 'register'; register: string }
  | { kind: 'memory'; address: bigint; base: string; offset: number };

export interface FrameVariable {
  name: string;
  typeIndex: number;
  typeName: string;
  isParam: boolean;
  location?: VariableLocation;
  /** The value's bytes, when read. */
  bytes?: Buffer;
  /** WinDbg's value text (`0n7`, `0x00000000`00b814d0`, `<value unavailable>`). */
  value: string;
  /** Why there is no value (one sentence), when there is none. */
  unavailable?: string;
}

export interface FrameVariables {
  procName: string;
  scope: ProcScope;
  types: TypeStream | undefined;
  /** Parameter count from the procedure type (undefined when the type is unknown). */
  paramCount?: number;
  variables: FrameVariable[];
}

/** CodeView register → (context register, byte size, bit shift). */
interface RegRef { name: string; size: number; shift: number; display: string }

const X86_GPR = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
const AMD64_FULL = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi'];
const AMD64_CV64 = ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'rsp'];
const LOW8 = ['al', 'cl', 'dl', 'bl'];
const HIGH8 = ['ah', 'ch', 'dh', 'bh'];
const LOW16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];

/**
 * Maps a CodeView register number (cvinfo.h CV_HREG_e) to a context register.
 * The 8/16/32-bit numbers 1..24 are shared by x86 and AMD64; AMD64 numbers its
 * 64-bit registers from 328 in a different order (RAX RBX RCX RDX RSI RDI RBP RSP).
 */
export function cvRegister(arch: CpuArch, reg: number): RegRef | undefined {
  const amd64 = arch === 'amd64';
  const full = (i: number) => (amd64 ? AMD64_FULL[i]! : X86_GPR[i]!);
  if (arch === 'arm64') {
    // CV_ARM64_W0..W30 = 10..40, X0..X28 = 50..78, FP 79, LR 80, SP 81.
    if (reg >= 10 && reg <= 40) return { name: `x${reg - 10}`, size: 4, shift: 0, display: `w${reg - 10}` };
    if (reg >= 50 && reg <= 78) return { name: `x${reg - 50}`, size: 8, shift: 0, display: `x${reg - 50}` };
    if (reg === 79) return { name: 'fp', size: 8, shift: 0, display: 'fp' };
    if (reg === 80) return { name: 'lr', size: 8, shift: 0, display: 'lr' };
    if (reg === 81) return { name: 'sp', size: 8, shift: 0, display: 'sp' };
    return undefined;
  }
  if (reg >= 1 && reg <= 4) return { name: full(reg - 1), size: 1, shift: 0, display: LOW8[reg - 1]! };
  if (reg >= 5 && reg <= 8) return { name: full(reg - 5), size: 1, shift: 8, display: HIGH8[reg - 5]! };
  if (reg >= 9 && reg <= 16) return { name: full(reg - 9), size: 2, shift: 0, display: LOW16[reg - 9]! };
  if (reg >= 17 && reg <= 24) return { name: full(reg - 17), size: 4, shift: 0, display: X86_GPR[reg - 17]! };
  if (reg === 33) return { name: amd64 ? 'rip' : 'eip', size: amd64 ? 8 : 4, shift: 0, display: amd64 ? 'rip' : 'eip' };
  if (!amd64) return undefined;
  if (reg >= 324 && reg <= 327) {
    const n = ['rsi', 'rdi', 'rbp', 'rsp'][reg - 324]!;
    return { name: n, size: 1, shift: 0, display: ['sil', 'dil', 'bpl', 'spl'][reg - 324]! };
  }
  if (reg >= 328 && reg <= 335) return { name: AMD64_CV64[reg - 328]!, size: 8, shift: 0, display: AMD64_CV64[reg - 328]! };
  if (reg >= 336 && reg <= 343) return { name: `r${reg - 328}`, size: 8, shift: 0, display: `r${reg - 328}` };
  if (reg >= 344 && reg <= 351) return { name: `r${reg - 336}`, size: 1, shift: 0, display: `r${reg - 336}b` };
  if (reg >= 352 && reg <= 359) return { name: `r${reg - 344}`, size: 2, shift: 0, display: `r${reg - 344}w` };
  if (reg >= 360 && reg <= 367) return { name: `r${reg - 352}`, size: 4, shift: 0, display: `r${reg - 352}d` };
  return undefined;
}

/** Registers a callee may clobber (not recoverable in caller frames). */
const VOLATILE: Partial<Record<CpuArch, Set<string>>> = {
  amd64: new Set(['rax', 'rcx', 'rdx', 'r8', 'r9', 'r10', 'r11']),
  x86: new Set(['eax', 'ecx', 'edx']),
  arm64: new Set([...Array.from({ length: 18 }, (_, i) => `x${i}`)]),
};

/** The register an S_FRAMEPROC encoded base pointer (1..3) names. */
function framePointerRegister(arch: CpuArch, encoded: number): string | undefined {
  switch (arch) {
    case 'amd64': return [undefined, 'rsp', 'rbp', 'r13'][encoded];
    // x86 1 = VFRAME ($T0 from frame data) is not a register: unsupported here.
    case 'x86': return [undefined, undefined, 'ebp', 'ebx'][encoded];
    case 'arm64': return [undefined, 'sp', 'fp', 'x19'][encoded];
    default: return undefined;
  }
}

function unavailableReason(site: FrameSite, reg: string): string {
  if (site.frameNumber > 0 && VOLATILE[site.arch]?.has(reg)) return `${reg} is volatile and is not recovered in frame ${site.frameNumber.toString(16).padStart(2, '0')}`;
  if (site.frameNumber > 0) return `${reg} was not saved by a callee of frame ${site.frameNumber.toString(16).padStart(2, '0')}`;
  return `${reg} is not in the context`;
}

type Located = { ok: true; location: VariableLocation; bytes: Buffer } | { ok: false; location?: VariableLocation; reason: string };

function locate(site: FrameSite, scope: ProcScope, v: ProcVariable, size: number, segment: number, offset: number): Located {
  if (v.flags & LVAR_IS_OPTIMIZED_OUT) return { ok: false, reason: 'the compiler optimized it out' };
  const live = v.locations.filter((l) => !l.range || rangeCovers(l.range, segment, offset));
  if (v.locations.length === 0) return { ok: false, reason: 'the PDB gives it no location' };
  if (live.length === 0) return { ok: false, reason: 'no location covers this instruction (optimized away here)' };
  // Whole-register locations first; subfield pieces assemble an aggregate.
  const whole = live.filter((l) => l.kind === 'framerel' || l.offsetInParent === undefined);
  const pieces = whole.length ? [whole[0]!] : live;
  const buf = Buffer.alloc(Math.max(size, 1));
  let location: VariableLocation | undefined;
  for (const l of pieces) {
    const r = readLocation(site, scope, v, l, pieces.length > 1 ? undefined : size);
    if (!r.ok) return r;
    location ??= r.location;
    const at = l.kind !== 'framerel' ? l.offsetInParent ?? 0 : 0;
    r.bytes.copy(buf, at, 0, Math.max(0, Math.min(r.bytes.length, buf.length - at)));
  }
  return { ok: true, location: location!, bytes: buf.subarray(0, size) };
}

function readLocation(site: FrameSite, scope: ProcScope, v: ProcVariable, l: VarLocation, size: number | undefined): Located {
  // A piece of a split aggregate (size undefined) is as wide as its register, or a pointer in memory.
  let want = size ?? 8;
  if (l.kind === 'register') {
    const ref = cvRegister(site.arch, l.register);
    if (!ref) return { ok: false, reason: `CodeView register ${l.register} is not supported` };
    const location: VariableLocation = { kind: 'register', register: ref.display };
    if (size === undefined) want = ref.size;
    const val = site.regs[ref.name];
    if (val === undefined) return { ok: false, location, reason: unavailableReason(site, ref.name) };
    const bits = (val >> BigInt(ref.shift)) & ((1n << BigInt(ref.size * 8)) - 1n);
    const b = Buffer.alloc(Math.max(ref.size, want));
    let x = bits;
    for (let i = 0; i < ref.size; i++, x >>= 8n) b[i] = Number(x & 0xffn);
    return { ok: true, location, bytes: b.subarray(0, Math.min(want, b.length)) };
  }
  let baseName: string | undefined;
  let base: bigint | undefined;
  if (l.kind === 'regrel') {
    const ref = cvRegister(site.arch, l.register);
    if (!ref) return { ok: false, reason: `CodeView register ${l.register} is not supported` };
    baseName = ref.name;
  } else {
    const fp = scope.frameProc;
    const enc = fp ? (v.isParam ? fp.paramBasePointer : fp.localBasePointer) : 0;
    baseName = framePointerRegister(site.arch, enc);
    if (enc === 1 && site.arch === 'x86') {
      // VFRAME ($T0 of the frame data programs) is the address of the return address.
      if (site.returnAddressSlot === undefined) return { ok: false, reason: 'VFRAME needs the caller frame, which the walk did not find' };
      baseName = '$T0';
      base = site.returnAddressSlot;
    } else if (!baseName) return { ok: false, reason: 'the procedure has no frame pointer record (S_FRAMEPROC)' };
  }
  base ??= site.regs[baseName];
  if (base === undefined) return { ok: false, reason: unavailableReason(site, baseName) };
  const address = (base + BigInt(l.offset)) & (site.mem.pointerSize === 4 ? 0xffffffffn : 0xffffffffffffffffn);
  const location: VariableLocation = { kind: 'memory', address, base: baseName, offset: l.offset };
  const b = site.mem.read(address, want);
  if (b.length < want) return { ok: false, location, reason: `memory at ${ptr(address, site.mem.pointerSize)} is not in the dump` };
  return { ok: true, location, bytes: b };
}

/** The procedure type (TPI) behind a scope: through the IPI func id for S_*PROC32_ID. */
function procType(scope: ProcScope, tpi: TypeStream | undefined, ipi: TypeStream | undefined): number | undefined {
  if (!scope.typeIndex) return undefined;
  if (scope.isIdKind) {
    const id = ipi?.record(scope.typeIndex);
    return id?.kind === 'funcId' ? id.type : undefined;
  }
  return scope.typeIndex;
}

/**
 * The parameters and locals of the procedure at `site.pc` (innermost scopes
 * only where the pc is inside their block), with values. Undefined when the
 * PDB has no procedure record there.
 */
export function frameVariables(site: FrameSite): FrameVariables | undefined {
  try {
    return frameVariablesImpl(site);
  } catch (e) {
    if (e instanceof FormatError) return undefined;
    throw e;
  }
}

function frameVariablesImpl(site: FrameSite): FrameVariables | undefined {
  const lookupPc = site.frameNumber > 0 ? site.pc - 1n : site.pc;
  const rva = Number(lookupPc - site.moduleBase);
  const sym = site.pdb.lookup(rva);
  if (!sym || sym.kind !== 'proc' || sym.module === undefined) return undefined;
  const so = site.pdb.sectionOffsetOf(rva);
  const ms = site.pdb.moduleSymbols(sym.module);
  if (!so || !ms) return undefined;
  const proc = ms.procAt(so.segment, so.offset);
  if (!proc) return undefined;
  const scope = procScope(ms, proc);
  const { tpi, ipi } = typeStreamsOf(site.pdb.msf);
  const pt = procType(scope, tpi, ipi);
  const ptRec = pt !== undefined ? recordOf(tpi, pt) : undefined;
  const paramCount = ptRec?.kind === 'procedure' ? ptRec.paramCount : undefined;
  // Old-style records (S_REGREL32/S_BPREL32) carry no parameter flag: the first N are the N parameters.
  if (paramCount !== undefined && !scope.variables.some((v) => v.isParam)) {
    scope.variables.filter((v) => v.legacy && !v.block).slice(0, paramCount).forEach((v) => { v.isParam = true; });
  }
  const out: FrameVariables = { procName: proc.name, scope, types: tpi, variables: [] };
  if (paramCount !== undefined) out.paramCount = paramCount;
  for (const v of scope.variables) {
    if (v.block && !v.isParam) {
      const b = v.block;
      if (b.segment !== so.segment || so.offset < b.offset || so.offset >= b.offset + b.length) continue;
    }
    const size = typeSize(tpi, v.typeIndex, site.mem.pointerSize) || site.mem.pointerSize;
    const fv: FrameVariable = { name: v.name, typeIndex: v.typeIndex, typeName: typeName(tpi, v.typeIndex), isParam: v.isParam, value: '' };
    // Aggregates bigger than a register are read in place; keep reads bounded.
    const located = locate(site, scope, v, Math.min(size, 4096), so.segment, so.offset);
    if (located.location) fv.location = located.location;
    if (located.ok) {
      fv.bytes = located.bytes;
      fv.value = formatValue(tpi, v.typeIndex, located.bytes, site.mem);
    } else {
      fv.value = '<value unavailable>';
      fv.unavailable = located.reason;
    }
    out.variables.push(fv);
  }
  return out;
}

/** A variable's location as `dv /v` prints it: `@ecx`, `00000000`0011fca4`, `<unavailable>`. */
export function locationText(v: FrameVariable, pointerSize: 4 | 8): string {
  if (v.unavailable || !v.location) return '<unavailable>';
  return v.location.kind === 'register' ? `@${v.location.register}` : ptr(v.location.address, pointerSize);
}

/** True for types whose storage is a UDT (dt-able as a local). */
export function isAggregate(types: TypeStream | undefined, ti: number): boolean {
  const r = recordOf(types, underlyingType(types, ti));
  return r?.kind === 'udt';
}
