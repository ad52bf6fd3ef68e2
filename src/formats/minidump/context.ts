import { defineLayout } from '../layout.js';
import type { CpuArch, CpuContext } from './types.js';

/**
 * CPU CONTEXT records (A.19): AMD64 (1232 bytes), x86 / WOW64 (716 bytes),
 * ARM64 (912 bytes), plus the CONTEXT_EX + XSAVE tail that carries the CET
 * user shadow-stack pointer.
 */

/** AMD64 CONTEXT (A.19.1). */
export const Amd64ContextLayout = defineLayout('CONTEXT (AMD64)', {
  p1Home: 'u64', p2Home: 'u64', p3Home: 'u64', p4Home: 'u64', p5Home: 'u64', p6Home: 'u64',
  contextFlags: 'u32',
  mxCsr: 'u32',
  segCs: 'u16', segDs: 'u16', segEs: 'u16', segFs: 'u16', segGs: 'u16', segSs: 'u16',
  eFlags: 'u32',
  dr0: 'u64', dr1: 'u64', dr2: 'u64', dr3: 'u64', dr6: 'u64', dr7: 'u64',
  rax: 'u64', rcx: 'u64', rdx: 'u64', rbx: 'u64', rsp: 'u64', rbp: 'u64', rsi: 'u64', rdi: 'u64',
  r8: 'u64', r9: 'u64', r10: 'u64', r11: 'u64', r12: 'u64', r13: 'u64', r14: 'u64', r15: 'u64',
  rip: 'u64',
  fltSave: { bytes: 512 },
  vectorRegister: { bytes: 26 * 16 },
  vectorControl: 'u64',
  debugControl: 'u64',
  lastBranchToRip: 'u64',
  lastBranchFromRip: 'u64',
  lastExceptionToRip: 'u64',
  lastExceptionFromRip: 'u64',
});
export const AMD64_CONTEXT_SIZE = Amd64ContextLayout.size; // 1232

/** x86 CONTEXT (A.19.2); WOW64_CONTEXT is the same. */
export const X86ContextLayout = defineLayout('CONTEXT (x86)', {
  contextFlags: 'u32',
  dr0: 'u32', dr1: 'u32', dr2: 'u32', dr3: 'u32', dr6: 'u32', dr7: 'u32',
  floatSave: { bytes: 112 },
  segGs: 'u32', segFs: 'u32', segEs: 'u32', segDs: 'u32',
  edi: 'u32', esi: 'u32', ebx: 'u32', edx: 'u32', ecx: 'u32', eax: 'u32',
  ebp: 'u32', eip: 'u32', segCs: 'u32', eFlags: 'u32', esp: 'u32', segSs: 'u32',
  extendedRegisters: { bytes: 512 },
});
export const X86_CONTEXT_SIZE = X86ContextLayout.size; // 716

/** ARM64 CONTEXT (A.19.3). */
export const Arm64ContextLayout = defineLayout('CONTEXT (ARM64)', {
  contextFlags: 'u32',
  cpsr: 'u32',
  x: { u64Array: 29 },
  fp: 'u64',
  lr: 'u64',
  sp: 'u64',
  pc: 'u64',
  v: { bytes: 32 * 16 },
  fpcr: 'u32',
  fpsr: 'u32',
  bcr: { u32Array: 8 },
  bvr: { u64Array: 8 },
  wcr: { u32Array: 2 },
  wvr: { u64Array: 2 },
});
export const ARM64_CONTEXT_SIZE = Arm64ContextLayout.size; // 912

/** CONTEXT_EX: three CONTEXT_CHUNKs {Offset i32, Length u32} right after the legacy CONTEXT (A.19.5). */
export const ContextExLayout = defineLayout('CONTEXT_EX', {
  allOffset: 'i32', allLength: 'u32',
  legacyOffset: 'i32', legacyLength: 'u32',
  xStateOffset: 'i32', xStateLength: 'u32',
});
export const CONTEXT_EX_SIZE = ContextExLayout.size; // 24

/** XSAVE header at the start of the XState chunk. */
export const XsaveHeaderLayout = defineLayout('XSAVE_AREA_HEADER', {
  mask: 'u64',
  compactionMask: 'u64',
  reserved: { u64Array: 6 },
});
export const XSAVE_HEADER_SIZE = XsaveHeaderLayout.size; // 64
/** The legacy FXSAVE area that precedes the header in a full XSAVE image. */
export const XSAVE_LEGACY_SIZE = 512;

/** CPU type bits of ContextFlags (A.19.4). */
export const CONTEXT_CPU = {
  x86: 0x00010000,
  amd64: 0x00100000,
  arm: 0x00200000,
  arm64: 0x00400000,
  ia64: 0x00080000,
  breakpadArm: 0x40000000,
  breakpadArm64Old: 0x80000000,
} as const;

/** Sub-flags (ANDed with the CPU bit in winnt.h; here the low bits only). */
export const CONTEXT_FLAGS = {
  x86: { CONTROL: 0x1, INTEGER: 0x2, SEGMENTS: 0x4, FLOATING_POINT: 0x8, DEBUG_REGISTERS: 0x10, EXTENDED_REGISTERS: 0x20, XSTATE: 0x40 },
  // rust-minidump uses 0x20 for AMD64 XSTATE; winnt.h and Breakpad say 0x40.
  amd64: { CONTROL: 0x1, INTEGER: 0x2, SEGMENTS: 0x4, FLOATING_POINT: 0x8, DEBUG_REGISTERS: 0x10, XSTATE: 0x40, KERNEL_CET: 0x80 },
  arm64: { CONTROL: 0x1, INTEGER: 0x2, FLOATING_POINT: 0x4, DEBUG: 0x8, X18: 0x10 },
} as const;

/** XSAVE feature numbers we use. */
export const XSTATE_FEATURE = { LEGACY_FLOATING_POINT: 0, LEGACY_SSE: 1, AVX: 2, CET_U: 11, CET_S: 12 } as const;

/**
 * Standard component sizes by feature index (Intel SDM, CPUID leaf 0xD), used
 * to walk a compacted XSAVE area when the dump has no MiscInfo v5 table.
 */
const DEFAULT_XSTATE_SIZES: Record<number, number> = {
  2: 256, 3: 64, 4: 64, 5: 64, 6: 512, 7: 1024, 8: 128, 9: 8, 10: 8, 11: 16, 12: 24, 13: 8, 14: 48, 15: 328, 16: 8, 17: 64, 18: 8192,
};

/** Offsets for the unwinder and register display. */
export const CONTEXT_LAYOUTS = {
  amd64: {
    size: AMD64_CONTEXT_SIZE,
    contextFlagsOffset: Amd64ContextLayout.offsets.contextFlags,
    /** Unwind-code register number (0 RAX .. 15 R15) → byte offset in the CONTEXT (contiguous from Rax). */
    unwindRegisterOffsets: Array.from({ length: 16 }, (_, n) => Amd64ContextLayout.offsets.rax + 8 * n),
    /** Unwind-code register number → WinDbg name. */
    unwindRegisterNames: ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'],
    /** XMM n (unwind UWOP_SAVE_XMM128 register number) at xmm0Offset + 16n. */
    xmm0Offset: Amd64ContextLayout.offsets.fltSave + 160,
    offsets: Amd64ContextLayout.offsets,
  },
  x86: {
    size: X86_CONTEXT_SIZE,
    contextFlagsOffset: X86ContextLayout.offsets.contextFlags,
    xmm0Offset: X86ContextLayout.offsets.extendedRegisters + 160,
    offsets: X86ContextLayout.offsets,
  },
  arm64: {
    size: ARM64_CONTEXT_SIZE,
    contextFlagsOffset: Arm64ContextLayout.offsets.contextFlags,
    /** X n at x0Offset + 8n for n = 0..28; FP (X29), LR (X30), SP follow contiguously. */
    x0Offset: Arm64ContextLayout.offsets.x,
    v0Offset: Arm64ContextLayout.offsets.v,
    offsets: Arm64ContextLayout.offsets,
  },
} as const;

/** Register names in WinDbg `r` display order. */
export function contextRegisterNames(arch: CpuArch): string[] {
  switch (arch) {
    case 'amd64':
      return ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rip', 'rsp', 'rbp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'cs', 'ss', 'ds', 'es', 'fs', 'gs', 'efl'];
    case 'x86':
      return ['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'eip', 'esp', 'ebp', 'cs', 'ss', 'ds', 'es', 'fs', 'gs', 'efl'];
    case 'arm64':
      return [...Array.from({ length: 29 }, (_, i) => `x${i}`), 'fp', 'lr', 'sp', 'pc', 'cpsr'];
    default:
      return [];
  }
}

/** XSAVE feature table from MiscInfo v5 (offsets in a standard-format image, sizes). */
export interface XstateConfig { enabledFeatures: bigint; features: { offset: number; size: number }[] }

/**
 * Which layout a context record uses (A.19.4): the SystemInfo architecture
 * first, checked against the specific CPU bit of ContextFlags; the record size
 * when the architecture is unknown or contradicted (a WOW64 x86 context in a
 * dump whose SystemInfo says AMD64).
 */
export function detectContextArch(buf: Buffer, hint: CpuArch): CpuArch {
  const flagsAt = (off: number) => (buf.length >= off + 4 ? buf.readUInt32LE(off) : 0);
  // Test the specific CPU bit: status bits 0x08000000..0x80000000 collide with Breakpad's ARM bits.
  const isAmd64 = buf.length >= AMD64_CONTEXT_SIZE && (flagsAt(0x30) & CONTEXT_CPU.amd64) !== 0;
  const isX86 = buf.length >= X86_CONTEXT_SIZE && (flagsAt(0) & CONTEXT_CPU.x86) !== 0;
  const isArm64 = buf.length >= ARM64_CONTEXT_SIZE && (flagsAt(0) & CONTEXT_CPU.arm64) !== 0;
  switch (hint) {
    case 'amd64':
      if (isAmd64 || (buf.length >= AMD64_CONTEXT_SIZE && !isX86)) return 'amd64';
      if (isX86) return 'x86';
      break;
    case 'x86':
      if (isX86 || (buf.length >= X86_CONTEXT_SIZE && !isAmd64 && !isArm64)) return 'x86';
      if (isAmd64) return 'amd64';
      break;
    case 'arm64':
      if (isArm64 || (buf.length >= ARM64_CONTEXT_SIZE && !isAmd64 && !isX86)) return 'arm64';
      if (isX86) return 'x86';
      break;
    default:
      break;
  }
  if (isAmd64) return 'amd64';
  if (isArm64) return 'arm64';
  if (isX86) return 'x86';
  // No usable CPU bit: fall back to the exact record size.
  if (buf.length === AMD64_CONTEXT_SIZE) return 'amd64';
  if (buf.length === ARM64_CONTEXT_SIZE) return 'arm64';
  if (buf.length === X86_CONTEXT_SIZE) return 'x86';
  return 'unknown';
}

/**
 * Decodes a CONTEXT blob. `arch` is the dump's architecture (a hint, see
 * detectContextArch); `rva` is recorded for display. Returns undefined when
 * the blob is too short for any known layout.
 */
export function decodeContext(buf: Buffer, arch: CpuArch, rva: number, xstate?: XstateConfig): CpuContext | undefined {
  const actual = detectContextArch(buf, arch);
  switch (actual) {
    case 'amd64': return decodeAmd64(buf, rva, xstate);
    case 'x86': return decodeX86(buf, rva);
    case 'arm64': return decodeArm64(buf, rva);
    default: return undefined;
  }
}

/** When a writer left every sub-flag clear, trust the whole record (Breakpad does the same by ORing in the CPU type). */
function subFlags(flags: number): number {
  return (flags & 0xff) === 0 ? 0xff : flags & 0xff;
}

const A64 = Amd64ContextLayout.offsets;

function decodeAmd64(buf: Buffer, rva: number, xstate?: XstateConfig): CpuContext {
  // Fields are read straight at the layout's offsets rather than through Amd64ContextLayout.decode,
  // which builds every field (debug-control words, 416 bytes of vector registers) of a record
  // that `~*k` decodes once per thread.
  if (buf.length < AMD64_CONTEXT_SIZE) Amd64ContextLayout.decode(buf, 0, `reading AMD64 CONTEXT at 0x${rva.toString(16)}`);
  // DataView reads: Buffer.readBigUInt64LE builds each value from three BigInts.
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
  const u64 = (off: number) => dv.getBigUint64(off, true);
  const u16 = (off: number) => BigInt(dv.getUint16(off, true));
  const contextFlags = dv.getUint32(A64.contextFlags, true);
  const f = subFlags(contextFlags);
  const F = CONTEXT_FLAGS.amd64;
  const rip = u64(A64.rip);
  const rsp = u64(A64.rsp);
  const rbp = u64(A64.rbp);
  const ALL = F.INTEGER | F.CONTROL | F.SEGMENTS | F.FLOATING_POINT | F.DEBUG_REGISTERS;
  const FULL = F.INTEGER | F.CONTROL | F.FLOATING_POINT;
  const kind = f & ALL;
  // The usual records, CONTEXT_ALL (Windows) and CONTEXT_FULL (Wine): one object literal, one
  // map for every thread's registers, instead of up to thirty property additions per thread.
  // Same properties, in the same order, as amd64Regs() gives for those flags.
  const regs: Record<string, bigint> =
    kind === FULL
      ? {
          rax: u64(A64.rax), rcx: u64(A64.rcx), rdx: u64(A64.rdx), rbx: u64(A64.rbx), rbp, rsi: u64(A64.rsi), rdi: u64(A64.rdi),
          r8: u64(A64.r8), r9: u64(A64.r9), r10: u64(A64.r10), r11: u64(A64.r11), r12: u64(A64.r12), r13: u64(A64.r13), r14: u64(A64.r14), r15: u64(A64.r15),
          rip, rsp, cs: u16(A64.segCs), ss: u16(A64.segSs), efl: BigInt(dv.getUint32(A64.eFlags, true)),
          mxcsr: BigInt(dv.getUint32(A64.mxCsr, true)),
        }
      : kind === ALL
      ? {
          rax: u64(A64.rax), rcx: u64(A64.rcx), rdx: u64(A64.rdx), rbx: u64(A64.rbx), rbp, rsi: u64(A64.rsi), rdi: u64(A64.rdi),
          r8: u64(A64.r8), r9: u64(A64.r9), r10: u64(A64.r10), r11: u64(A64.r11), r12: u64(A64.r12), r13: u64(A64.r13), r14: u64(A64.r14), r15: u64(A64.r15),
          rip, rsp, cs: u16(A64.segCs), ss: u16(A64.segSs), efl: BigInt(dv.getUint32(A64.eFlags, true)),
          ds: u16(A64.segDs), es: u16(A64.segEs), fs: u16(A64.segFs), gs: u16(A64.segGs),
          mxcsr: BigInt(dv.getUint32(A64.mxCsr, true)),
          dr0: u64(A64.dr0), dr1: u64(A64.dr1), dr2: u64(A64.dr2), dr3: u64(A64.dr3), dr6: u64(A64.dr6), dr7: u64(A64.dr7),
        }
      : amd64Regs(dv, f, rip, rsp, rbp);
  const fields: CpuContext = { arch: 'amd64', contextFlags, regs, pc: rip, sp: rsp, fp: rbp, rawSize: buf.length, rva };
  const out: CpuContext = f & F.FLOATING_POINT ? withLazyVectors(fields, () => vectorViews(buf, A64.fltSave + 160, 'xmm', 16)) : fields;
  if ((contextFlags & F.XSTATE) !== 0 && buf.length >= AMD64_CONTEXT_SIZE + CONTEXT_EX_SIZE) {
    const ssp = cetShadowStackPointer(buf, AMD64_CONTEXT_SIZE, xstate);
    if (ssp !== undefined) out.cetSsp = ssp;
  }
  return out;
}

/** The registers a record's flags say are valid (any mix of CONTEXT_* flags). */
function amd64Regs(dv: DataView, f: number, rip: bigint, rsp: bigint, rbp: bigint): Record<string, bigint> {
  const F = CONTEXT_FLAGS.amd64;
  const u64 = (off: number) => dv.getBigUint64(off, true);
  const u16 = (off: number) => BigInt(dv.getUint16(off, true));
  const regs: Record<string, bigint> = {};
  if (f & F.INTEGER) {
    regs.rax = u64(A64.rax); regs.rcx = u64(A64.rcx); regs.rdx = u64(A64.rdx); regs.rbx = u64(A64.rbx);
    regs.rbp = rbp; regs.rsi = u64(A64.rsi); regs.rdi = u64(A64.rdi);
    regs.r8 = u64(A64.r8); regs.r9 = u64(A64.r9); regs.r10 = u64(A64.r10); regs.r11 = u64(A64.r11);
    regs.r12 = u64(A64.r12); regs.r13 = u64(A64.r13); regs.r14 = u64(A64.r14); regs.r15 = u64(A64.r15);
  }
  // CONTEXT_CONTROL: SegSs, Rsp, SegCs, Rip, EFlags (Rbp belongs to INTEGER on AMD64).
  if (f & F.CONTROL) {
    regs.rip = rip; regs.rsp = rsp;
    regs.cs = u16(A64.segCs); regs.ss = u16(A64.segSs); regs.efl = BigInt(dv.getUint32(A64.eFlags, true));
  }
  if (f & F.SEGMENTS) {
    regs.ds = u16(A64.segDs); regs.es = u16(A64.segEs); regs.fs = u16(A64.segFs); regs.gs = u16(A64.segGs);
  }
  if (f & F.FLOATING_POINT) regs.mxcsr = BigInt(dv.getUint32(A64.mxCsr, true));
  if (f & F.DEBUG_REGISTERS) {
    regs.dr0 = u64(A64.dr0); regs.dr1 = u64(A64.dr1); regs.dr2 = u64(A64.dr2); regs.dr3 = u64(A64.dr3); regs.dr6 = u64(A64.dr6); regs.dr7 = u64(A64.dr7);
  }
  return regs;
}

/** `count` 16-byte registers named `${prefix}0`.. from `at` in buf (views, not copies). */
function vectorViews(buf: Buffer, at: number, prefix: string, count: number): Record<string, Buffer> {
  const vectors: Record<string, Buffer> = {};
  for (let i = 0; i < count; i++) vectors[`${prefix}${i}`] = buf.subarray(at + 16 * i, at + 16 * i + 16);
  return vectors;
}

/** Where a context's vector registers come from until first read, and the value once built or assigned. */
interface LazyVectors {
  make: (() => Record<string, Buffer> | undefined) | undefined;
  value: Record<string, Buffer> | undefined;
}
const lazyVectors = new WeakMap<object, LazyVectors>();

/**
 * The one accessor pair behind every lazy `vectors` property. V8 keeps an accessor's functions
 * in the object's hidden class, so a getter literal per context (how this was first written)
 * gave each thread's context a hidden class of its own: every read of a context's fields in the
 * walker and the commands then missed its inline cache and went to the runtime (`node --log-ic`
 * on `~*kn` over 257 threads: ten sites missing once per thread). With shared functions all
 * contexts of one layout share one hidden class.
 */
const LAZY_VECTORS: PropertyDescriptor = {
  get(this: object): Record<string, Buffer> | undefined {
    const s = lazyVectors.get(this);
    if (s === undefined) return undefined;
    if (s.make !== undefined) {
      s.value = s.make();
      s.make = undefined;
    }
    return s.value;
  },
  set(this: object, v: Record<string, Buffer> | undefined) {
    lazyVectors.set(this, { make: undefined, value: v });
  },
  enumerable: true,
  configurable: true,
};

/**
 * `ctx` (changed in place) with `vectors` built on first read, then kept: `~*k` decodes every
 * thread's context, and its walks rarely look at the vector registers, whose Buffer views cost
 * more than the rest of the decode. Reading, assigning, spreading or JSON-encoding the context
 * still sees a plain value.
 */
export function withLazyVectors(ctx: Omit<CpuContext, 'vectors'>, make: () => Record<string, Buffer> | undefined): CpuContext {
  lazyVectors.set(ctx, { make, value: undefined });
  return Object.defineProperty(ctx, 'vectors', LAZY_VECTORS) as CpuContext;
}

/**
 * Reads IA32_PL3_SSP from the CET_U component of the XSAVE area that follows
 * CONTEXT_EX at `legacySize` (A.19.5). Undefined when absent or in its
 * initial state.
 */
export function cetShadowStackPointer(buf: Buffer, legacySize: number, xstate?: XstateConfig): bigint | undefined {
  const comp = xstateComponent(buf, legacySize, XSTATE_FEATURE.CET_U, xstate);
  if (!comp || comp.length < 16) return undefined;
  // CET_U = IA32_U_CET u64 (bit 0 SH_STK_EN), then IA32_PL3_SSP u64.
  return comp.readBigUInt64LE(8);
}

/** The bytes of XSAVE component `feature`, or undefined when not saved. */
export function xstateComponent(buf: Buffer, legacySize: number, feature: number, xstate?: XstateConfig): Buffer | undefined {
  if (buf.length < legacySize + CONTEXT_EX_SIZE) return undefined;
  const ex = ContextExLayout.decode(buf, legacySize);
  // The XState chunk offset is relative to the CONTEXT_EX itself.
  const start = legacySize + ex.xStateOffset;
  if (ex.xStateOffset <= 0 || ex.xStateLength < XSAVE_HEADER_SIZE || start + XSAVE_HEADER_SIZE > buf.length) return undefined;
  const end = Math.min(buf.length, start + ex.xStateLength);
  const hdr = XsaveHeaderLayout.decode(buf, start);
  const bit = 1n << BigInt(feature);
  // A component whose XSTATE_BV bit is clear is in its initial state: nothing saved.
  if ((hdr.mask & bit) === 0n) return undefined;
  const sizeOf = (i: number) => xstate?.features[i]?.size || DEFAULT_XSTATE_SIZES[i] || 0;
  const size = sizeOf(feature);
  if (size === 0) return undefined;
  let at: number;
  if ((hdr.compactionMask & (1n << 63n)) !== 0n) {
    // Compacted: components in index order from just after the header, each present in XCOMP_BV.
    if ((hdr.compactionMask & bit) === 0n) return undefined;
    at = start + XSAVE_HEADER_SIZE;
    for (let i = 2; i < feature; i++) {
      if ((hdr.compactionMask & (1n << BigInt(i))) !== 0n) at += sizeOf(i);
    }
  } else {
    // Standard format: MiscInfo v5 gives the offset within a full image (legacy area = first 512 bytes, not stored here).
    const off = xstate?.features[feature]?.offset;
    if (!off || off < XSAVE_LEGACY_SIZE) return undefined;
    at = start + (off - XSAVE_LEGACY_SIZE);
  }
  if (at + size > end) return undefined;
  return buf.subarray(at, at + size);
}

function decodeX86(buf: Buffer, rva: number): CpuContext {
  const c = X86ContextLayout.decode(buf, 0, `reading x86 CONTEXT at 0x${rva.toString(16)}`);
  const f = subFlags(c.contextFlags);
  const F = CONTEXT_FLAGS.x86;
  const regs: Record<string, bigint> = {};
  const b = BigInt;
  if (f & F.INTEGER) Object.assign(regs, { eax: b(c.eax), ebx: b(c.ebx), ecx: b(c.ecx), edx: b(c.edx), esi: b(c.esi), edi: b(c.edi) });
  // CONTEXT_CONTROL on x86: Ebp, Eip, SegCs, EFlags, Esp, SegSs.
  if (f & F.CONTROL) Object.assign(regs, { eip: b(c.eip), esp: b(c.esp), ebp: b(c.ebp), cs: b(c.segCs), ss: b(c.segSs), efl: b(c.eFlags) });
  if (f & F.SEGMENTS) Object.assign(regs, { ds: b(c.segDs), es: b(c.segEs), fs: b(c.segFs), gs: b(c.segGs) });
  if (f & F.DEBUG_REGISTERS) Object.assign(regs, { dr0: b(c.dr0), dr1: b(c.dr1), dr2: b(c.dr2), dr3: b(c.dr3), dr6: b(c.dr6), dr7: b(c.dr7) });
  const fields: CpuContext = { arch: 'x86', contextFlags: c.contextFlags, regs, pc: b(c.eip), sp: b(c.esp), fp: b(c.ebp), rawSize: buf.length, rva };
  if (f & F.EXTENDED_REGISTERS) regs.mxcsr = b(c.extendedRegisters.readUInt32LE(24));
  const out = f & F.EXTENDED_REGISTERS ? withLazyVectors(fields, () => vectorViews(c.extendedRegisters, 160, 'xmm', 8)) : fields;
  if ((c.contextFlags & F.XSTATE) !== 0 && buf.length >= X86_CONTEXT_SIZE + CONTEXT_EX_SIZE) {
    const ssp = cetShadowStackPointer(buf, X86_CONTEXT_SIZE);
    if (ssp !== undefined) out.cetSsp = ssp;
  }
  return out;
}

function decodeArm64(buf: Buffer, rva: number): CpuContext {
  const c = Arm64ContextLayout.decode(buf, 0, `reading ARM64 CONTEXT at 0x${rva.toString(16)}`);
  const f = subFlags(c.contextFlags);
  const F = CONTEXT_FLAGS.arm64;
  const regs: Record<string, bigint> = {};
  if (f & F.INTEGER) c.x.forEach((v, i) => { regs[`x${i}`] = v; });
  if (f & F.CONTROL) Object.assign(regs, { fp: c.fp, lr: c.lr, sp: c.sp, pc: c.pc, cpsr: BigInt(c.cpsr) });
  const out: CpuContext = { arch: 'arm64', contextFlags: c.contextFlags, regs, pc: c.pc, sp: c.sp, fp: c.fp, rawSize: buf.length, rva };
  if (!(f & F.FLOATING_POINT)) return out;
  regs.fpcr = BigInt(c.fpcr);
  regs.fpsr = BigInt(c.fpsr);
  return withLazyVectors(out, () => vectorViews(c.v, 0, 'v', 32));
}
