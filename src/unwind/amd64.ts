/**
 * x64 (AMD64) unwinding: PE .pdata / UNWIND_INFO with RtlVirtualUnwind
 * semantics, then Breakpad STACK CFI, then stack scanning.
 */
import {
  MAX_FRAME_GAP, SCAN_WORDS, SCAN_WORDS_TRUSTED, callerByCfi, callerByShadowStack, exceptionTable, looksLikeReturnAddress, pick,
  readCode, readWord, safeModuleAt, scanForReturnAddress, searchExceptionTable,
} from './common.js';
import type { CalleeFrame, CallerCandidate, UnwindEnvironment, UnwindImage, UnwindModule } from './types.js';

/** Register names of the program counter and stack pointer (one object for every frame). */
const AMD64_PC_SP = { pc: 'rip', sp: 'rsp' } as const;

/** Unwind-code register numbering (A.19.1): RAX=0 … R15=15. */
export const AMD64_GPR = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'] as const;
/** Callee-saved per the Windows x64 ABI; volatile registers are undefined in caller frames. */
export const AMD64_NONVOLATILE = ['rbx', 'rbp', 'rsi', 'rdi', 'r12', 'r13', 'r14', 'r15'] as const;
/** Segment registers do not change across user-mode calls. */
const AMD64_SEGMENTS = ['cs', 'ds', 'es', 'fs', 'gs', 'ss'] as const;
const AMD64_CARRIED = [...AMD64_NONVOLATILE, ...AMD64_SEGMENTS];
/** What a shadow-stack caller keeps of the callee's registers. */
const AMD64_SHADOW_KEEP = [...AMD64_SEGMENTS, 'rbp'];
const NONVOLATILE_XMM = ['xmm6', 'xmm7', 'xmm8', 'xmm9', 'xmm10', 'xmm11', 'xmm12', 'xmm13', 'xmm14', 'xmm15'];

const UWOP_PUSH_NONVOL = 0;
const UWOP_ALLOC_LARGE = 1;
const UWOP_ALLOC_SMALL = 2;
const UWOP_SET_FPREG = 3;
const UWOP_SAVE_NONVOL = 4;
const UWOP_SAVE_NONVOL_FAR = 5;
const UWOP_EPILOG = 6;
const UWOP_SPARE_CODE = 7;
const UWOP_SAVE_XMM128 = 8;
const UWOP_SAVE_XMM128_FAR = 9;
const UWOP_PUSH_MACHFRAME = 10;

const UNW_FLAG_CHAININFO = 0x4;
/** Guard against cyclic chained / indirect entries (garbage images). */
const MAX_CHAIN = 32;

/** RUNTIME_FUNCTION (12 bytes), RVAs. */
export interface RuntimeFunction {
  beginAddress: number;
  endAddress: number;
  unwindInfoAddress: number;
}

/** UNWIND_INFO header plus its raw code slots and trailer. */
export interface UnwindInfo {
  version: number;
  flags: number;
  sizeOfProlog: number;
  countOfCodes: number;
  frameRegister: number;
  frameOffset: number;
  /** 2 * countOfCodes bytes. */
  codes: Buffer;
  /** Parent entry when UNW_FLAG_CHAININFO is set. */
  chained?: RuntimeFunction;
}

function readRuntimeFunction(buf: Buffer, offset: number): RuntimeFunction {
  return {
    beginAddress: buf.readUInt32LE(offset),
    endAddress: buf.readUInt32LE(offset + 4),
    unwindInfoAddress: buf.readUInt32LE(offset + 8),
  };
}

function readRuntimeFunctionAt(image: UnwindImage, rva: number): RuntimeFunction | undefined {
  try {
    const b = image.readRva(rva, 12);
    return b.length < 12 ? undefined : readRuntimeFunction(b, 0);
  } catch {
    return undefined;
  }
}

/**
 * Follows RUNTIME_FUNCTION_INDIRECT entries (UnwindInfoAddress bit 0 set:
 * the rest is the RVA of another RUNTIME_FUNCTION, Wine `find_function_info`).
 */
function resolveIndirect(image: UnwindImage, rf: RuntimeFunction): RuntimeFunction | undefined {
  let cur = rf;
  for (let i = 0; i < MAX_CHAIN; i++) {
    if ((cur.unwindInfoAddress & 1) === 0) return cur;
    const next = readRuntimeFunctionAt(image, cur.unwindInfoAddress & ~1);
    if (next === undefined) return undefined;
    cur = next;
  }
  return undefined;
}

/** Binary search of .pdata for the entry covering `rva` (B.2). Indirect entries are resolved, the range is the found entry's. */
export function findRuntimeFunction(image: UnwindImage, rva: number): { entry: RuntimeFunction; unwind: RuntimeFunction } | undefined {
  const raw = searchExceptionTable(image, 12, rva);
  if (raw === undefined) return undefined;
  const entry = readRuntimeFunction(raw, 0);
  if (rva >= entry.endAddress) return undefined;
  const unwind = resolveIndirect(image, entry);
  return unwind === undefined ? undefined : { entry, unwind };
}

export function hasPdata(image: UnwindImage): boolean {
  return exceptionTable(image, 12) !== undefined;
}

/** Reads UNWIND_INFO at `rva` (B.3). Version 3 and unknown versions are rejected (fallbacks take over). */
export function readUnwindInfo(image: UnwindImage, rva: number): UnwindInfo | undefined {
  let head: Buffer;
  try {
    head = image.readRva(rva, 4);
  } catch {
    return undefined;
  }
  if (head.length < 4) return undefined;
  const b0 = head[0]!;
  const version = b0 & 7;
  if (version !== 1 && version !== 2) return undefined;
  const flags = b0 >> 3;
  const countOfCodes = head[2]!;
  const frame = head[3]!;
  const slotsPadded = (countOfCodes + 1) & ~1;
  const chained = (flags & UNW_FLAG_CHAININFO) !== 0;
  const total = 4 + 2 * slotsPadded + (chained ? 12 : 0);
  let all: Buffer;
  try {
    all = image.readRva(rva, total);
  } catch {
    return undefined;
  }
  if (all.length < 4 + 2 * countOfCodes) return undefined;
  const info: UnwindInfo = {
    version,
    flags,
    sizeOfProlog: head[1]!,
    countOfCodes,
    frameRegister: frame & 0xf,
    frameOffset: frame >> 4,
    codes: all.subarray(4, 4 + 2 * countOfCodes),
  };
  if (chained) {
    if (all.length < total) return undefined;
    info.chained = readRuntimeFunction(all, 4 + 2 * slotsPadded);
  }
  return info;
}

/** Number of 16-bit slots an unwind code occupies (B.4); undefined for reserved ops. */
function slotCount(op: number, opInfo: number, version: number): number | undefined {
  switch (op) {
    case UWOP_PUSH_NONVOL: case UWOP_ALLOC_SMALL: case UWOP_SET_FPREG: case UWOP_PUSH_MACHFRAME:
      return 1;
    case UWOP_ALLOC_LARGE:
      return opInfo === 0 ? 2 : 3;
    case UWOP_SAVE_NONVOL: case UWOP_SAVE_XMM128:
      return 2;
    case UWOP_SAVE_NONVOL_FAR: case UWOP_SAVE_XMM128_FAR:
      return 3;
    // Version 1: the old UWOP_SAVE_XMM (2 slots) / UWOP_SAVE_XMM_FAR (3 slots), never emitted by current tools.
    case UWOP_EPILOG:
      return version === 1 ? 2 : 1;
    case UWOP_SPARE_CODE:
      return 3;
    default:
      return undefined;
  }
}

/** Mutable register state while one frame is being unwound. */
interface UnwindState {
  regs: Record<string, bigint>;
  vectors: Record<string, Buffer> | undefined;
  rip: bigint;
  rsp: bigint;
  machineFrame: boolean;
}

function reg(state: UnwindState, n: number): bigint | undefined {
  const name = AMD64_GPR[n]!;
  return name === 'rsp' ? state.rsp : state.regs[name];
}

function setReg(state: UnwindState, n: number, v: bigint): void {
  const name = AMD64_GPR[n]!;
  if (name === 'rsp') state.rsp = v;
  else state.regs[name] = v;
}

const M64 = (1n << 64n) - 1n;

/**
 * Executes the unwind codes of one UNWIND_INFO (B.6 steps 4–5). `prologOffset`
 * undefined means "all codes" (body, or chained parent). Returns false when
 * the codes are malformed or a stack read fails.
 */
function executeCodes(env: UnwindEnvironment, info: UnwindInfo, state: UnwindState, prologOffset: number | undefined): boolean {
  const codes = info.codes;
  const count = info.countOfCodes;
  let i = 0;
  // Unwind v2: UWOP_EPILOG descriptors come first; they describe epilogs, not the prolog.
  if (info.version === 2) {
    while (i < count && (codes[2 * i + 1]! & 0xf) === UWOP_EPILOG) i++;
  }

  // The frame base for SAVE_* codes (Windows' EstablisherFrame): the frame
  // register minus its offset once SET_FPREG has executed, else RSP.
  let base = state.rsp;
  if (info.frameRegister !== 0) {
    let fpEstablished = prologOffset === undefined;
    if (!fpEstablished) {
      for (let j = i; j < count;) {
        const op = codes[2 * j + 1]! & 0xf;
        const n = slotCount(op, codes[2 * j + 1]! >> 4, info.version) ?? 1;
        if (op === UWOP_SET_FPREG && codes[2 * j]! <= prologOffset!) fpEstablished = true;
        j += n;
      }
    }
    const fr = reg(state, info.frameRegister);
    if (fpEstablished) {
      if (fr === undefined) return false;
      base = (fr - BigInt(16 * info.frameOffset)) & M64;
    }
  }

  const u16 = (slot: number): number => codes.readUInt16LE(2 * slot);
  const u32 = (slot: number): number => codes.readUInt32LE(2 * slot);
  const read64 = (addr: bigint): bigint | undefined => readWord(env, addr, 8);

  while (i < count) {
    const codeOffset = codes[2 * i]!;
    const op = codes[2 * i + 1]! & 0xf;
    const opInfo = codes[2 * i + 1]! >> 4;
    const n = slotCount(op, opInfo, info.version);
    if (n === undefined || i + n > count) return false;
    if (prologOffset !== undefined && codeOffset > prologOffset) {
      i += n;
      continue;
    }
    switch (op) {
      case UWOP_PUSH_NONVOL: {
        const v = read64(state.rsp);
        if (v === undefined) return false;
        setReg(state, opInfo, v);
        if (opInfo !== 4) state.rsp = (state.rsp + 8n) & M64;
        break;
      }
      case UWOP_ALLOC_LARGE: {
        const size = opInfo === 0 ? u16(i + 1) * 8 : u32(i + 1);
        state.rsp = (state.rsp + BigInt(size)) & M64;
        break;
      }
      case UWOP_ALLOC_SMALL:
        state.rsp = (state.rsp + BigInt(opInfo * 8 + 8)) & M64;
        break;
      case UWOP_SET_FPREG: {
        const fr = reg(state, info.frameRegister);
        if (info.frameRegister === 0 || fr === undefined) return false;
        state.rsp = (fr - BigInt(16 * info.frameOffset)) & M64;
        break;
      }
      case UWOP_SAVE_NONVOL: case UWOP_SAVE_NONVOL_FAR: {
        const off = op === UWOP_SAVE_NONVOL ? u16(i + 1) * 8 : u32(i + 1);
        const v = read64((base + BigInt(off)) & M64);
        if (v === undefined) return false;
        setReg(state, opInfo, v);
        break;
      }
      case UWOP_SAVE_XMM128: case UWOP_SAVE_XMM128_FAR: {
        const off = op === UWOP_SAVE_XMM128 ? u16(i + 1) * 16 : u32(i + 1);
        // XMM values are optional: restore when readable, never fail the frame for them.
        const b = readCode(env, (base + BigInt(off)) & M64, 16);
        if (state.vectors !== undefined && b.length === 16) state.vectors[`xmm${opInfo}`] = Buffer.from(b);
        break;
      }
      case UWOP_PUSH_MACHFRAME: {
        // Trap frame pushed by the CPU/kernel: [error code], RIP, CS, EFLAGS, old RSP, SS.
        if (opInfo === 1) state.rsp = (state.rsp + 8n) & M64;
        const rip = read64(state.rsp);
        const rsp = read64((state.rsp + 24n) & M64);
        if (rip === undefined || rsp === undefined) return false;
        const cs = read64((state.rsp + 8n) & M64);
        const efl = read64((state.rsp + 16n) & M64);
        const ss = read64((state.rsp + 32n) & M64);
        if (cs !== undefined) state.regs.cs = cs & 0xffffn;
        if (efl !== undefined) state.regs.efl = efl & 0xffffffffn;
        if (ss !== undefined) state.regs.ss = ss & 0xffffn;
        state.rip = rip;
        state.rsp = rsp;
        state.machineFrame = true;
        break;
      }
      default:
        // UWOP_EPILOG after the leading descriptors, or UWOP_SPARE_CODE: no prolog effect.
        break;
    }
    i += n;
  }
  return true;
}

function signed8(b: number): number {
  return b > 127 ? b - 256 : b;
}

/**
 * Epilog check and simulation (B.6 step 3, RtlVirtualUnwind / Wine
 * `is_inside_epilog` + `interpret_epilog`). `code` holds the bytes at RIP.
 * Returns true and updates `state` when RIP is inside an epilog.
 */
function simulateEpilog(code: Buffer, state: UnwindState, env: UnwindEnvironment, fn: RuntimeFunction, moduleBase: bigint, frameRegister: number): boolean | undefined {
  let p = 0;
  let rsp = state.rsp;
  const restored: [number, bigint][] = [];
  const b = (k: number): number | undefined => code[k];

  // Optional first instruction: add rsp, imm / lea rsp, [fp + disp].
  if (b(0) === 0x48 && b(1) === 0x83 && b(2) === 0xc4 && b(3) !== undefined) {
    rsp = (rsp + BigInt(signed8(b(3)!))) & M64;
    p = 4;
  } else if (b(0) === 0x48 && b(1) === 0x81 && b(2) === 0xc4 && code.length >= 7) {
    rsp = (rsp + BigInt(code.readInt32LE(3))) & M64;
    p = 7;
  } else if (b(0) !== undefined && (b(0)! & 0xfe) === 0x48 && b(1) === 0x8d && b(2) !== undefined) {
    // lea rsp, [reg + disp8/disp32]: REX.W (+REX.B for r8–r15), ModRM reg = rsp, mod 01/10, no SIB.
    const modrm = b(2)!;
    const mod = modrm >> 6;
    const rm = (modrm & 7) | ((b(0)! & 1) << 3);
    if (((modrm >> 3) & 7) === 4 && (mod === 1 || mod === 2) && (modrm & 7) !== 4 && frameRegister !== 0 && rm === frameRegister) {
      const fr = reg(state, rm);
      if (fr === undefined) return false;
      if (mod === 1 && b(3) !== undefined) {
        rsp = (fr + BigInt(signed8(b(3)!))) & M64;
        p = 4;
      } else if (mod === 2 && code.length >= 7) {
        rsp = (fr + BigInt(code.readInt32LE(3))) & M64;
        p = 7;
      } else {
        return false;
      }
    } else {
      return false;
    }
  }

  // Any number of pops, then ret / jmp.
  for (let guard = 0; guard < 32; guard++) {
    let rex = 0;
    if (b(p) !== undefined && (b(p)! & 0xf0) === 0x40) {
      rex = b(p)!;
      p++;
    }
    const op = b(p);
    if (op === undefined) return false;
    if (op >= 0x58 && op <= 0x5f) {
      const r = (op - 0x58) | ((rex & 1) << 3);
      const v = readWord(env, rsp, 8);
      if (v === undefined) return undefined;
      restored.push([r, v]);
      rsp = (rsp + 8n) & M64;
      p++;
      continue;
    }
    if (op === 0x8f && b(p + 1) !== undefined && (b(p + 1)! & 0xf8) === 0xc0) {
      const r = (b(p + 1)! & 7) | ((rex & 1) << 3);
      const v = readWord(env, rsp, 8);
      if (v === undefined) return undefined;
      restored.push([r, v]);
      rsp = (rsp + 8n) & M64;
      p += 2;
      continue;
    }
    let ok = false;
    let extra = 0n;
    if (rex === 0 && op === 0xc3) ok = true;
    else if (rex === 0 && op === 0xf3 && b(p + 1) === 0xc3) ok = true;
    else if (rex === 0 && op === 0xc2 && code.length >= p + 3) { ok = true; extra = BigInt(code.readUInt16LE(p + 1)); }
    else if (rex === 0 && (op === 0xe9 || op === 0xeb)) {
      // A jump that leaves the function is a tail call; a jump inside it is ordinary code.
      const len = op === 0xe9 ? 5 : 2;
      if (code.length < p + len) return false;
      const rel = op === 0xe9 ? code.readInt32LE(p + 1) : signed8(code[p + 1]!);
      const targetAddr = (state.rip + BigInt(p + len) + BigInt(rel)) & M64;
      const begin = moduleBase + BigInt(fn.beginAddress);
      const end = moduleBase + BigInt(fn.endAddress);
      ok = targetAddr < begin || targetAddr >= end;
    } else if (op === 0xff && b(p + 1) !== undefined) {
      // Indirect jmp with a memory operand, ModRM mod = 00 (FF /4 or FF /5): import thunks `FF 25`.
      const modrm = b(p + 1)!;
      const regField = (modrm >> 3) & 7;
      ok = (regField === 4 || regField === 5) && (modrm >> 6) === 0;
    }
    if (!ok) return false;
    const ra = readWord(env, rsp, 8);
    if (ra === undefined) return undefined;
    for (const [r, v] of restored) setReg(state, r, v);
    state.rip = ra;
    state.rsp = (rsp + 8n + extra) & M64;
    return true;
  }
  return false;
}

/** How the pdata unwind went: a caller, "no unwind data here" (try fallbacks), or a hard failure. */
type PdataResult = { kind: 'caller'; state: UnwindState; note?: string; leaf?: boolean } | { kind: 'none' } | { kind: 'failed' };

/**
 * One RtlVirtualUnwind step for a frame whose PC lies in `module`.
 * `isContextFrame`: look up RIP itself, else RIP - 1 (B.6 step 1).
 */
export function unwindWithPdata(
  env: UnwindEnvironment,
  module: UnwindModule,
  regs: Record<string, bigint>,
  vectors: Record<string, Buffer> | undefined,
  rip: bigint,
  rsp: bigint,
  isContextFrame: boolean,
): PdataResult {
  const image = module.image;
  if (image === undefined || !hasPdata(image)) return { kind: 'none' };
  const lookup = isContextFrame ? rip : rip - 1n;
  const lookupRva = lookup - module.base;
  if (lookupRva < 0n || lookupRva >= BigInt(module.size) || lookupRva > 0xffffffffn) return { kind: 'none' };
  const state: UnwindState = { regs: { ...regs }, vectors: vectors === undefined ? undefined : { ...vectors }, rip, rsp, machineFrame: false };
  const found = findRuntimeFunction(image, Number(lookupRva));

  if (found === undefined) {
    // Leaf function: no prolog, the return address is at [RSP].
    const ra = readWord(env, rsp, 8);
    if (ra === undefined) return { kind: 'failed' };
    state.rip = ra;
    state.rsp = (rsp + 8n) & M64;
    return { kind: 'caller', state, note: 'leaf function (no RUNTIME_FUNCTION)', leaf: true };
  }

  const fn = found.unwind;
  const info = readUnwindInfo(image, fn.unwindInfoAddress);
  if (info === undefined) return { kind: 'failed' };
  const ipRva = rip - module.base;
  const begin = BigInt(fn.beginAddress);
  const inFunction = ipRva >= begin && ipRva < BigInt(fn.endAddress);
  const inProlog = inFunction && ipRva - begin < BigInt(info.sizeOfProlog);

  if (!inProlog && inFunction) {
    const code = readCode(env, rip, 64);
    if (code.length > 0) {
      const r = simulateEpilog(code, state, env, fn, module.base, info.frameRegister);
      if (r === undefined) return { kind: 'failed' };
      // At a return address the epilog that follows the call gives the same answer as the codes: only worth a note at the context frame.
      if (r) return isContextFrame ? { kind: 'caller', state, note: 'unwound through an epilog in progress' } : { kind: 'caller', state };
    }
  }

  const prologOffset = inProlog ? Number(ipRva - begin) : undefined;
  if (!executeCodes(env, info, state, prologOffset)) return { kind: 'failed' };

  let parent = info.chained;
  for (let depth = 0; parent !== undefined; depth++) {
    if (depth >= MAX_CHAIN) return { kind: 'failed' };
    const resolved = resolveIndirect(image, parent);
    if (resolved === undefined) return { kind: 'failed' };
    const pinfo = readUnwindInfo(image, resolved.unwindInfoAddress);
    if (pinfo === undefined) return { kind: 'failed' };
    if (!executeCodes(env, pinfo, state, undefined)) return { kind: 'failed' };
    parent = pinfo.chained;
  }

  if (!state.machineFrame) {
    const ra = readWord(env, state.rsp, 8);
    if (ra === undefined) return { kind: 'failed' };
    state.rip = ra;
    state.rsp = (state.rsp + 8n) & M64;
  }
  return { kind: 'caller', state };
}

/** Caller registers after a pdata unwind: non-volatile ones (carried or restored) plus RIP/RSP. */
function callerRegs(calleeRegs: Record<string, bigint>, state: UnwindState): Record<string, bigint> {
  const out = pick(calleeRegs, AMD64_CARRIED);
  for (const [k, v] of Object.entries(state.regs)) {
    if (calleeRegs[k] !== v || (AMD64_CARRIED as readonly string[]).includes(k)) out[k] = v;
  }
  // Volatile registers are only valid in the caller when a machine frame or code restored them explicitly.
  out.rip = state.rip;
  out.rsp = state.rsp;
  return out;
}

function callerVectors(vectors: Record<string, Buffer> | undefined): Record<string, Buffer> | undefined {
  if (vectors === undefined) return undefined;
  const out: Record<string, Buffer> = {};
  for (const n of NONVOLATILE_XMM) {
    const v = vectors[n];
    if (v !== undefined) out[n] = v;
  }
  return out;
}

/**
 * Stack scanning (B.8): the first plausible return address above RSP. RBP is
 * recovered as rust-minidump does on x64: the slot below the return address
 * when the callee's RBP pointed exactly there (push rbp; mov rbp, rsp), else
 * the callee's value when it still lies above the caller's stack pointer.
 */
function callerByScan(env: UnwindEnvironment, regs: Record<string, bigint>, rsp: bigint, words: number): CallerCandidate | undefined {
  const hit = scanForReturnAddress(env, rsp, words);
  if (hit === undefined) return undefined;
  const out = pick(regs, AMD64_SEGMENTS);
  const callerRsp = hit.address + 8n;
  const calleeRbp = regs.rbp;
  const below = hit.address - 8n;
  if (calleeRbp !== undefined) {
    const saved = calleeRbp === below && below >= rsp ? readWord(env, below, 8) : undefined;
    if (saved !== undefined && saved > hit.address && saved - below <= MAX_FRAME_GAP) out.rbp = saved;
    else if (calleeRbp >= callerRsp) out.rbp = calleeRbp;
  }
  out.rip = hit.value;
  out.rsp = callerRsp;
  return { regs: out, pc: hit.value, sp: callerRsp, trust: 'scan' };
}

/**
 * Caller candidates for an x64 frame, best strategy first: .pdata unwind
 * (or a leaf / null-call unwind), STACK CFI, the CET shadow stack, scan.
 * Each is worked out only when `offer` turned down the one before (it returns true to stop).
 */
export function amd64Callers(env: UnwindEnvironment, callee: CalleeFrame, scan: boolean, offer: (candidate: CallerCandidate) => boolean): void {
  const isContext = callee.index === 0;
  const rip = callee.pc;
  const rsp = callee.sp;
  const lookup = isContext ? rip : rip - 1n;
  const module = safeModuleAt(env, lookup);

  if (isContext && rip < 0x1000n) {
    // Call through a null (or tiny) pointer: the CALL pushed the return address and nothing ran since.
    const ra = readWord(env, rsp, 8);
    if (ra !== undefined && looksLikeReturnAddress(env, ra)) {
      const out = pick(callee.regs, AMD64_CARRIED);
      out.rip = ra;
      out.rsp = rsp + 8n;
      if (offer({ regs: out, pc: ra, sp: rsp + 8n, trust: 'unwind-info', vectors: callerVectors(callee.vectors), note: 'call through a null pointer: return address at [rsp]' })) return;
    }
  }

  // Without an image there is no .pdata: asking would also build the callee's vector registers for nothing.
  if (module?.image !== undefined) {
    const r = unwindWithPdata(env, module, callee.regs, callee.vectors, rip, rsp, isContext);
    // A "leaf" whose [rsp] is no return address is code without unwind data (hand-written
    // assembly, a stub): let the fallbacks try instead of ending the walk on a bogus value.
    const bogusLeaf = r.kind === 'caller' && r.leaf === true && !looksLikeReturnAddress(env, r.state.rip);
    if (r.kind === 'caller' && !bogusLeaf) {
      const c: CallerCandidate = {
        regs: callerRegs(callee.regs, r.state),
        pc: r.state.rip,
        sp: r.state.rsp,
        trust: 'unwind-info',
        vectors: callerVectors(r.state.vectors),
      };
      if (r.state.machineFrame) c.isMachineFrame = true;
      if (r.note !== undefined) c.note = r.note;
      if (offer(c)) return;
    }
  }

  const cfi = callerByCfi(env, lookup, () => ({ ...callee.regs, rip, rsp }), AMD64_CARRIED, AMD64_PC_SP);
  if (cfi !== undefined && offer(cfi)) return;

  const shadow = callerByShadowStack(env, callee, AMD64_SHADOW_KEEP, AMD64_PC_SP);
  if (shadow !== undefined && offer(shadow)) return;

  // No frame-pointer strategy: on Windows x64 RBP is not a chain (FrameOffset puts it anywhere in
  // the frame, most code uses it as a general register, and a callee that leaves it alone holds an
  // ancestor's value), so following it skips frames. Breakpad and rust-minidump disable it too.

  if (scan) {
    const trusted = callee.trust === 'context' || callee.trust === 'cfi' || callee.trust === 'unwind-info';
    const s = callerByScan(env, callee.regs, rsp, trusted ? SCAN_WORDS_TRUSTED : SCAN_WORDS);
    if (s !== undefined && offer(s)) return;
  }
}
