/**
 * ARM64 Windows unwinding: .pdata (8-byte entries) with packed unwind data or
 * full .xdata unwind codes (Microsoft "ARM64 exception handling"; Wine's
 * `unwind_packed_data` / `unwind_full_data` / `process_unwind_codes` are the
 * behavioural reference), then STACK CFI, the x29/x30 frame chain, scanning.
 */
import {
  SCAN_WORDS, SCAN_WORDS_TRUSTED, callerByCfi, exceptionTable, looksLikeReturnAddress, pick, readWord, safeModuleAt, safeRead,
  scanForReturnAddress, searchExceptionTable,
} from './common.js';
import type { CalleeFrame, CallerCandidate, UnwindEnvironment, UnwindImage, UnwindModule } from './types.js';

/** Register names of the program counter and stack pointer (one object for every frame). */
const ARM64_PC_SP = { pc: 'pc', sp: 'sp' } as const;

const M64 = (1n << 64n) - 1n;
/** Callee-saved per the ARM64 ABI: x19–x28, fp (x29); d8–d15 (low halves of v8–v15). */
export const ARM64_NONVOLATILE = ['x19', 'x20', 'x21', 'x22', 'x23', 'x24', 'x25', 'x26', 'x27', 'x28', 'fp'] as const;
const NONVOLATILE_V = ['v8', 'v9', 'v10', 'v11', 'v12', 'v13', 'v14', 'v15'];

/** Register number → context name (x29 = fp, x30 = lr). */
function xName(n: number): string {
  return n === 29 ? 'fp' : n === 30 ? 'lr' : `x${n}`;
}

/**
 * Removes pointer-authentication bits from a code or stack pointer read from
 * memory: user-space pointers (bit 55 clear) keep their low 47 bits, the
 * Windows ARM64 user address width.
 */
export function stripPac(v: bigint): bigint {
  if (((v >> 55n) & 1n) !== 0n) return v;
  return v & ((1n << 47n) - 1n);
}

/** Length in bytes of the unwind code starting with `b` (Wine's table, D.3). */
export function arm64CodeLength(b: number): number {
  if (b >= 0xc0 && b <= 0xdf) return 2;
  if (b === 0xe0) return 4;
  if (b === 0xe2) return 2;
  if (b === 0xe7) return 3;
  return 1;
}

/** An ARM64 RUNTIME_FUNCTION: BeginAddress plus the raw second word. */
export interface Arm64RuntimeFunction {
  beginAddress: number;
  unwindData: number;
}

/** Function length in bytes: packed entries carry it, full entries in the .xdata header. */
function functionLength(image: UnwindImage, rf: Arm64RuntimeFunction): number | undefined {
  const flag = rf.unwindData & 3;
  if (flag === 1 || flag === 2) return ((rf.unwindData >>> 2) & 0x7ff) * 4;
  if (flag === 3) return undefined;
  try {
    const h = image.readRva(rf.unwindData & ~3, 4);
    return h.length < 4 ? undefined : (h.readUInt32LE(0) & 0x3ffff) * 4;
  } catch {
    return undefined;
  }
}

/** Binary search of the ARM64 .pdata for the entry covering `rva`. */
export function findArm64Function(image: UnwindImage, rva: number): Arm64RuntimeFunction | undefined {
  const raw = searchExceptionTable(image, 8, rva);
  if (raw === undefined) return undefined;
  const rf = { beginAddress: raw.readUInt32LE(0), unwindData: raw.readUInt32LE(4) };
  const len = functionLength(image, rf);
  if (len === undefined || rva >= rf.beginAddress + len) return undefined;
  return rf;
}

/** Register state while one ARM64 frame is unwound. */
interface Arm64State {
  regs: Record<string, bigint>;
  vectors: Record<string, Buffer> | undefined;
  sp: bigint;
  /** Set by MACHINE_FRAME / CONTEXT codes; otherwise the caller's PC is LR. */
  pc: bigint | undefined;
}

class UnwindFailure extends Error {}

function read64(env: UnwindEnvironment, addr: bigint): bigint {
  const v = readWord(env, addr & M64, 8);
  if (v === undefined) throw new UnwindFailure(`stack not readable at 0x${addr.toString(16)}`);
  return v;
}

/** Wine `restore_regs`: `count` X registers from [sp + 8*max(0,pos)]; a negative pos is a pre-indexed save (sp += -8*pos). */
function restoreRegs(env: UnwindEnvironment, st: Arm64State, reg: number, count: number, pos: number): void {
  const offset = Math.max(0, pos);
  for (let i = 0; i < count; i++) {
    const n = reg + i;
    if (n > 30) throw new UnwindFailure('register number out of range');
    st.regs[xName(n)] = read64(env, st.sp + BigInt(8 * (i + offset)));
  }
  if (pos < 0) st.sp = (st.sp + BigInt(-8 * pos)) & M64;
}

/** Floating-point (D) registers: the low 64 bits of v(reg+i). */
function restoreFpRegs(env: UnwindEnvironment, st: Arm64State, reg: number, count: number, pos: number, width: 8 | 16 = 8): void {
  const offset = Math.max(0, pos);
  for (let i = 0; i < count; i++) {
    const n = reg + i;
    if (n > 31) throw new UnwindFailure('register number out of range');
    const b = safeRead(env, (st.sp + BigInt(width * (i + offset))) & M64, width);
    if (b.length < width) throw new UnwindFailure('stack not readable');
    if (st.vectors !== undefined) {
      const v = Buffer.alloc(16);
      st.vectors[`v${n}`]?.copy(v);
      b.copy(v, 0);
      st.vectors[`v${n}`] = v;
    }
  }
  if (pos < 0) st.sp = (st.sp + BigInt(-width * pos)) & M64;
}

/** save_any_reg (0xE7): generic X/D/Q save, optionally paired and/or pre-indexed. */
function saveAnyReg(env: UnwindEnvironment, st: Arm64State, b1: number, b2: number, saveNext: number): void {
  const writeback = (b1 & 0x20) !== 0;
  const paired = (b1 & 0x40) !== 0;
  const kind = (b2 & 0xc0) >> 6;
  const reg = b1 & 0x1f;
  let offset = b2 & 0x3f;
  if ((paired && saveNext !== 2) || (b1 & 0x80) !== 0 || kind === 3) throw new UnwindFailure('invalid save_any_reg');
  const count = paired ? saveNext : 1;
  if (writeback) offset = -(offset + 1);
  if ((writeback || paired) && kind !== 2) offset *= 2;
  if (kind === 0) restoreRegs(env, st, reg, count, offset);
  else if (kind === 1) restoreFpRegs(env, st, reg, count, offset);
  else restoreFpRegs(env, st, reg, count, offset, 16);
}

/** Number of codes up to (not including) `end`/`end_c`: the instruction count of a prolog/epilog sequence. */
function sequenceLength(codes: Buffer, start: number): number {
  let n = 0;
  for (let p = start; p < codes.length;) {
    const b = codes[p]!;
    if (b === 0xe4 || b === 0xe5) break;
    p += arm64CodeLength(b);
    n++;
  }
  return n;
}

/** ARM64 CONTEXT offsets (A.19.3) used by MSFT_OP_CONTEXT. */
const CTX_X0 = 0x08;
const CTX_FP = 0xf0;
const CTX_LR = 0xf8;
const CTX_SP = 0x100;
const CTX_PC = 0x108;

/** Executes unwind codes from `start`, skipping the first `skip` codes (not yet executed in a prolog / already undone in an epilog). */
function processCodes(env: UnwindEnvironment, st: Arm64State, codes: Buffer, start: number, skip: number): void {
  let p = start;
  while (p < codes.length && skip > 0) {
    const b = codes[p]!;
    if (b === 0xe4 || b === 0xe5) break;
    p += arm64CodeLength(b);
    skip--;
  }
  let saveNext = 2;
  for (let guard = 0; p < codes.length && guard < 4096; guard++) {
    const b = codes[p]!;
    const len = arm64CodeLength(b);
    if (p + len > codes.length) break;
    const val = len > 1 ? (b << 8) | codes[p + 1]! : b;
    if (b < 0x20) st.sp = (st.sp + BigInt(16 * (val & 0x1f))) & M64; // alloc_s
    else if (b < 0x40) restoreRegs(env, st, 19, saveNext, -(val & 0x1f)); // save_r19r20_x
    else if (b < 0x80) restoreRegs(env, st, 29, 2, val & 0x3f); // save_fplr
    else if (b < 0xc0) restoreRegs(env, st, 29, 2, -(val & 0x3f) - 1); // save_fplr_x
    else if (b < 0xc8) st.sp = (st.sp + BigInt(16 * (val & 0x7ff))) & M64; // alloc_m
    else if (b < 0xcc) restoreRegs(env, st, 19 + ((val >> 6) & 0xf), saveNext, val & 0x3f); // save_regp
    else if (b < 0xd0) restoreRegs(env, st, 19 + ((val >> 6) & 0xf), saveNext, -(val & 0x3f) - 1); // save_regp_x
    else if (b < 0xd4) restoreRegs(env, st, 19 + ((val >> 6) & 0xf), 1, val & 0x3f); // save_reg
    else if (b < 0xd6) restoreRegs(env, st, 19 + ((val >> 5) & 0xf), 1, -(val & 0x1f) - 1); // save_reg_x
    else if (b < 0xd8) { // save_lrpair
      restoreRegs(env, st, 19 + 2 * ((val >> 6) & 0x7), 1, val & 0x3f);
      restoreRegs(env, st, 30, 1, (val & 0x3f) + 1);
    } else if (b < 0xda) restoreFpRegs(env, st, 8 + ((val >> 6) & 0x7), saveNext, val & 0x3f); // save_fregp
    else if (b < 0xdc) restoreFpRegs(env, st, 8 + ((val >> 6) & 0x7), saveNext, -(val & 0x3f) - 1); // save_fregp_x
    else if (b < 0xde) restoreFpRegs(env, st, 8 + ((val >> 6) & 0x7), 1, val & 0x3f); // save_freg
    else if (b === 0xde) restoreFpRegs(env, st, 8 + ((val >> 5) & 0x7), 1, -(val & 0x1f) - 1); // save_freg_x
    else if (b === 0xdf) throw new UnwindFailure('reserved unwind code 0xdf');
    else if (b === 0xe0) st.sp = (st.sp + 16n * BigInt((codes[p + 1]! << 16) | (codes[p + 2]! << 8) | codes[p + 3]!)) & M64; // alloc_l
    else if (b === 0xe1) { // set_fp: mov x29, sp
      const fp = st.regs.fp;
      if (fp === undefined) throw new UnwindFailure('frame pointer unknown');
      st.sp = fp;
    } else if (b === 0xe2) { // add_fp: add x29, sp, #8*X
      const fp = st.regs.fp;
      if (fp === undefined) throw new UnwindFailure('frame pointer unknown');
      st.sp = (fp - BigInt(8 * (val & 0xff))) & M64;
    } else if (b === 0xe3) { /* nop */ }
    else if (b === 0xe4 || b === 0xe5) break; // end / end_c
    else if (b === 0xe6) { // save_next: the following save covers one more register pair
      saveNext += 2;
      p += len;
      continue;
    } else if (b === 0xe7) saveAnyReg(env, st, codes[p + 1]!, codes[p + 2]!, saveNext);
    else if (b === 0xe9) { // MSFT_OP_MACHINE_FRAME: {SP, PC} pushed by the kernel
      const pc = read64(env, st.sp + 8n);
      st.sp = read64(env, st.sp);
      st.pc = pc;
    } else if (b === 0xea) { // MSFT_OP_CONTEXT: a whole ARM64 CONTEXT lies at SP
      const base = st.sp;
      for (let i = 0; i <= 28; i++) st.regs[`x${i}`] = read64(env, base + BigInt(CTX_X0 + 8 * i));
      st.regs.fp = read64(env, base + BigInt(CTX_FP));
      st.regs.lr = read64(env, base + BigInt(CTX_LR));
      st.pc = read64(env, base + BigInt(CTX_PC));
      st.sp = read64(env, base + BigInt(CTX_SP));
    } else if (b === 0xfc) { // pac_sign_lr: authenticate LR, i.e. strip the signature
      if (st.regs.lr !== undefined) st.regs.lr = stripPac(st.regs.lr);
    } else {
      // 0xE8 trap frame, 0xEB x64 EC context, 0xEC clear-unwound-to-call and reserved codes: not modelled.
      throw new UnwindFailure(`unsupported unwind code 0x${b.toString(16)}`);
    }
    saveNext = 2;
    p += len;
  }
}

/** Packed unwind data (Flag 1 and 2): rebuild the canonical prolog from RegI/RegF/H/CR/FrameSize (D.4). */
function unwindPacked(env: UnwindEnvironment, st: Arm64State, rf: Arm64RuntimeFunction, offset: number): void {
  const d = rf.unwindData;
  const flag = d & 3;
  const fnLen = (d >>> 2) & 0x7ff; // instructions
  const regF = (d >>> 13) & 7;
  const regI = (d >>> 16) & 0xf;
  const h = (d >>> 20) & 1;
  const cr = (d >>> 21) & 3;
  const frameSize = (d >>> 23) & 0x1ff;

  const intSize = regI * 8 + (cr === 1 ? 8 : 0);
  const fpSize = regF !== 0 ? regF * 8 + 8 : 0;
  const regsave = (intSize + fpSize + 64 * h + 15) & ~15;
  const localSize = frameSize * 16 - regsave;
  const intRegs = intSize / 8;
  const fpRegs = fpSize / 8;
  const savedRegs = regsave / 8;
  const localRegs = localSize / 8;
  if (localSize < 0) throw new UnwindFailure('inconsistent packed unwind data');

  let skip = 0;
  if (flag === 1) {
    // Instructions in the canonical prolog (the epilog mirrors it, plus `ret`).
    let len = Math.floor((intSize + 8) / 16) + Math.floor((fpSize + 8) / 16);
    if (cr === 2 || cr === 3) {
      if (cr === 2) len++; // pacibsp
      len += 2; // stp x29,lr / mov x29,sp
      if (localSize > 512) {
        if (localSize) len++;
        if (localSize > 4088) len++;
      }
    } else {
      if (localSize) len++;
      if (localSize > 4088) len++;
    }
    len += 4 * h;
    if (offset < len) skip = len - offset;
    else if (offset >= fnLen - (len + 1)) skip = offset - (fnLen - (len + 1));
  }

  if (skip === 0) {
    if (cr === 2 || cr === 3) {
      const fp = st.regs.fp;
      if (fp === undefined) throw new UnwindFailure('frame pointer unknown');
      st.sp = fp;
      st.regs.fp = read64(env, fp);
      st.regs.lr = read64(env, fp + 8n);
    }
    st.sp = (st.sp + BigInt(localSize)) & M64;
    if (fpSize) restoreFpRegs(env, st, 8, fpRegs, intRegs);
    if (cr === 1) restoreRegs(env, st, 30, 1, intRegs - 1);
    restoreRegs(env, st, 19, regI, -savedRegs);
  } else {
    // Undo only the prolog instructions that ran (or the epilog ones not yet run), newest first.
    let pos = 0;
    const step = (): boolean => pos++ >= skip;
    if (cr === 2 || cr === 3) {
      if (step()) { // mov x29, sp
        const fp = st.regs.fp;
        if (fp === undefined) throw new UnwindFailure('frame pointer unknown');
        st.sp = fp;
      }
      if (localSize <= 512) {
        if (step()) restoreRegs(env, st, 29, 2, -localRegs); // stp x29,lr,[sp,#-local]!
      } else {
        if (step()) restoreRegs(env, st, 29, 2, 0); // stp x29,lr,[sp]
        if (step()) st.sp = (st.sp + BigInt(((localSize - 1) % 4088) + 1)) & M64; // sub sp,sp,#local
        if (localSize > 4088 && step()) st.sp = (st.sp + 4088n) & M64;
      }
    } else if (localSize) {
      if (step()) st.sp = (st.sp + BigInt(((localSize - 1) % 4088) + 1)) & M64;
      if (localSize > 4088 && step()) st.sp = (st.sp + 4088n) & M64;
    }
    if (h) pos += 4; // stp x0..x7 homing: nothing to restore
    if (fpSize) {
      if (regF % 2 === 0 && step()) restoreFpRegs(env, st, 8 + regF, 1, intRegs + fpRegs - 1); // str d(8+RegF)
      for (let i = Math.floor((regF + 1) / 2) - 1; i >= 0; i--) {
        if (!step()) continue;
        if (i === 0 && !intSize) restoreFpRegs(env, st, 8, 2, -savedRegs); // stp d8,d9,[sp,#-regsave]!
        else restoreFpRegs(env, st, 8 + 2 * i, 2, intRegs + 2 * i);
      }
    }
    if (regI % 2) {
      if (step()) {
        if (cr === 1) restoreRegs(env, st, 30, 1, intRegs - 1); // stp xn,lr
        restoreRegs(env, st, 18 + regI, 1, regI > 1 ? regI - 1 : -savedRegs); // str xn
      }
    } else if (cr === 1) {
      if (step()) restoreRegs(env, st, 30, 1, regI ? intRegs - 1 : -savedRegs); // str lr
    }
    for (let i = Math.floor(regI / 2) - 1; i >= 0; i--) {
      if (!step()) continue;
      if (i) restoreRegs(env, st, 19 + 2 * i, 2, 2 * i);
      else restoreRegs(env, st, 19, 2, -savedRegs);
    }
  }
  if (cr === 2 && st.regs.lr !== undefined) st.regs.lr = stripPac(st.regs.lr);
}

/** Full .xdata record (Flag 0): header, epilog scopes, unwind codes (D.2–D.4). */
function unwindFull(env: UnwindEnvironment, image: UnwindImage, st: Arm64State, rf: Arm64RuntimeFunction, offset: number): void {
  const rva = rf.unwindData & ~3;
  const head = image.readRva(rva, 8);
  if (head.length < 4) throw new UnwindFailure('.xdata header not readable');
  const w0 = head.readUInt32LE(0);
  const fnLen = w0 & 0x3ffff;
  const e = (w0 >>> 21) & 1;
  let epilogs = (w0 >>> 22) & 0x1f;
  let codeWords = (w0 >>> 27) & 0x1f;
  let pos = rva + 4;
  if (epilogs === 0 && codeWords === 0) {
    if (head.length < 8) throw new UnwindFailure('.xdata extended header not readable');
    const w1 = head.readUInt32LE(4);
    epilogs = w1 & 0xffff;
    codeWords = (w1 >>> 16) & 0xff;
    pos += 4;
  }
  const scopes: { start: number; index: number }[] = [];
  if (!e) {
    const sb = image.readRva(pos, 4 * epilogs);
    if (sb.length < 4 * epilogs) throw new UnwindFailure('epilog scopes not readable');
    for (let i = 0; i < epilogs; i++) {
      const w = sb.readUInt32LE(4 * i);
      scopes.push({ start: w & 0x3ffff, index: w >>> 22 });
    }
    pos += 4 * epilogs;
  }
  const codes = image.readRva(pos, 4 * codeWords);
  if (codes.length < 4 * codeWords) throw new UnwindFailure('unwind codes not readable');
  const nBytes = 4 * codeWords;

  // Inside the prolog: the prolog's codes run from index 0; skip those not yet executed.
  if (offset < nBytes) {
    const len = sequenceLength(codes, 0);
    if (offset < len) {
      processCodes(env, st, codes, 0, len - offset);
      return;
    }
  }
  // Inside an epilog: skip the epilog instructions already executed.
  if (!e) {
    for (const s of scopes) {
      if (offset < s.start) break;
      if (offset - s.start < nBytes - s.index) {
        const len = sequenceLength(codes, s.index);
        if (offset <= s.start + len) {
          processCodes(env, st, codes, s.index, offset - s.start);
          return;
        }
      }
    }
  } else if (fnLen - offset <= nBytes - epilogs) {
    // E = 1: one epilog at the end of the function, its codes start at index EpilogCount.
    const len = sequenceLength(codes, epilogs) + 1;
    if (offset >= fnLen - len) {
      processCodes(env, st, codes, epilogs, offset - (fnLen - len));
      return;
    }
  }
  processCodes(env, st, codes, 0, 0);
}

type Arm64Result = { kind: 'caller'; state: Arm64State; note?: string } | { kind: 'none' } | { kind: 'failed'; why: string };

/** One RtlVirtualUnwind step for an ARM64 frame in `module`. */
export function unwindArm64WithPdata(
  env: UnwindEnvironment,
  module: UnwindModule,
  regs: Record<string, bigint>,
  vectors: Record<string, Buffer> | undefined,
  pc: bigint,
  sp: bigint,
  isContextFrame: boolean,
): Arm64Result {
  const image = module.image;
  if (image === undefined || exceptionTable(image, 8) === undefined) return { kind: 'none' };
  // Return addresses follow the BL: look up the call instruction itself.
  const lookup = (isContextFrame ? pc : pc - 4n) - module.base;
  if (lookup < 0n || lookup >= BigInt(module.size)) return { kind: 'none' };
  const st: Arm64State = { regs: { ...regs }, vectors: vectors === undefined ? undefined : { ...vectors }, sp, pc: undefined };
  const rf = findArm64Function(image, Number(lookup));
  if (rf === undefined) {
    // Leaf without stack use: no entry, the return address is still in LR (D.1).
    const lr = regs.lr;
    if (lr === undefined) return { kind: 'failed', why: 'leaf function but LR unknown' };
    st.pc = stripPac(lr);
    return { kind: 'caller', state: st, note: 'leaf function (no RUNTIME_FUNCTION): return address in lr' };
  }
  // Offset in instructions. For callers it is the BL's own offset (Windows' CONTEXT_UNWOUND_TO_CALL
  // adjustment): a BL ending a noreturn function would otherwise look like the epilog's end.
  const offset = Math.floor(Number(lookup - BigInt(rf.beginAddress)) / 4);
  try {
    if ((rf.unwindData & 3) === 0) unwindFull(env, image, st, rf, offset);
    else unwindPacked(env, st, rf, offset);
  } catch (e) {
    return { kind: 'failed', why: e instanceof Error ? e.message : String(e) };
  }
  if (st.pc === undefined) {
    const lr = st.regs.lr;
    if (lr === undefined) return { kind: 'failed', why: 'LR unknown after unwinding' };
    st.pc = stripPac(lr);
  }
  return { kind: 'caller', state: st };
}

function callerRegs(callee: Record<string, bigint>, st: Arm64State): Record<string, bigint> {
  const out = pick(callee, ARM64_NONVOLATILE);
  for (const [k, v] of Object.entries(st.regs)) {
    if (callee[k] !== v || (ARM64_NONVOLATILE as readonly string[]).includes(k)) out[k] = v;
  }
  delete out.pc;
  delete out.sp;
  delete out.cpsr;
  out.pc = st.pc ?? 0n;
  out.sp = st.sp;
  return out;
}

function callerVectors(v: Record<string, Buffer> | undefined): Record<string, Buffer> | undefined {
  if (v === undefined) return undefined;
  const out: Record<string, Buffer> = {};
  for (const n of NONVOLATILE_V) if (v[n] !== undefined) out[n] = v[n];
  return out;
}

/**
 * The frame-record chain the Windows ARM64 ABI requires (D.5): x29 points at
 * {caller x29, return address}. A zero record ends the chain.
 */
function callerByFramePointer(env: UnwindEnvironment, callee: CalleeFrame): CallerCandidate | undefined {
  const fp = callee.regs.fp;
  if (fp === undefined || (fp & 7n) !== 0n || fp < callee.sp) return undefined;
  if (fp === 0n) return undefined;
  const savedFp = readWord(env, fp, 8);
  const savedLr = readWord(env, fp + 8n, 8);
  if (savedFp === undefined || savedLr === undefined) return undefined;
  const callerSp = fp + 16n;
  if (savedFp === 0n && savedLr === 0n) {
    return { regs: { pc: 0n, sp: callerSp, fp: 0n }, pc: 0n, sp: callerSp, trust: 'frame-pointer' };
  }
  const pc = stripPac(savedLr);
  const callerFp = stripPac(savedFp);
  if (pc < 0x1000n || (pc & 3n) !== 0n) return undefined;
  // The chain must go up the stack (or end).
  if (callerFp !== 0n && callerFp < callerSp) return undefined;
  return { regs: { fp: callerFp, pc, sp: callerSp }, pc, sp: callerSp, trust: 'frame-pointer' };
}

function callerByScan(env: UnwindEnvironment, callee: CalleeFrame, words: number): CallerCandidate | undefined {
  const hit = scanForReturnAddress(env, callee.sp, words);
  if (hit === undefined) return undefined;
  const sp = hit.address + 8n;
  return { regs: { pc: hit.value, sp }, pc: hit.value, sp, trust: 'scan' };
}

/** Caller candidates for an ARM64 frame, best strategy first, each worked out only when `offer` turned down the one before (it returns true to stop). */
export function arm64Callers(env: UnwindEnvironment, callee: CalleeFrame, scan: boolean, offer: (candidate: CallerCandidate) => boolean): void {
  const isContext = callee.index === 0;
  const pc = callee.pc;
  const lookup = isContext ? pc : pc - 4n;

  if (isContext && pc < 0x1000n) {
    // BLR through a null pointer: nothing ran, the return address is in LR and SP is unchanged.
    const lr = callee.regs.lr;
    if (lr !== undefined && looksLikeReturnAddress(env, stripPac(lr))) {
      const out = pick(callee.regs, ARM64_NONVOLATILE);
      out.pc = stripPac(lr);
      out.sp = callee.sp;
      if (offer({ regs: out, pc: out.pc, sp: callee.sp, trust: 'unwind-info', note: 'call through a null pointer: return address in lr' })) return;
    }
  }

  const module = safeModuleAt(env, lookup);
  // Without an image there is no .pdata: asking would also build the callee's vector registers for nothing.
  if (module?.image !== undefined) {
    const r = unwindArm64WithPdata(env, module, callee.regs, callee.vectors, pc, callee.sp, isContext);
    if (r.kind === 'caller') {
      const c: CallerCandidate = { regs: callerRegs(callee.regs, r.state), pc: r.state.pc ?? 0n, sp: r.state.sp, trust: 'unwind-info' };
      const v = callerVectors(r.state.vectors);
      if (v !== undefined) c.vectors = v;
      if (r.note !== undefined) c.note = r.note;
      if (offer(c)) return;
    }
  }

  const cfi = callerByCfi(env, lookup, () => ({ ...callee.regs, pc, sp: callee.sp }), ARM64_NONVOLATILE, ARM64_PC_SP);
  if (cfi !== undefined) {
    cfi.pc = stripPac(cfi.pc);
    cfi.regs.pc = cfi.pc;
    if (offer(cfi)) return;
  }

  const fp = callerByFramePointer(env, callee);
  if (fp !== undefined && offer(fp)) return;

  if (scan) {
    const trusted = callee.trust === 'context' || callee.trust === 'cfi' || callee.trust === 'unwind-info';
    const s = callerByScan(env, callee, trusted ? SCAN_WORDS_TRUSTED : SCAN_WORDS);
    if (s !== undefined && offer(s)) return;
  }
}
