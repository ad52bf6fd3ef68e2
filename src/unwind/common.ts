/**
 * Helpers shared by the per-architecture walkers: memory access, the
 * "does this look like a return address" test, stack scanning and STACK CFI
 * evaluation.
 */
import type { CpuArch } from '../formats/minidump/types.js';
import { evaluatePostfix } from './postfix.js';
import type { CalleeFrame, CallerCandidate, CfiRows, UnwindEnvironment, UnwindImage, UnwindModule } from './types.js';

export const MASK64 = (1n << 64n) - 1n;
export const MASK32 = (1n << 32n) - 1n;
/** The highest addresses at which a whole 8- or 4-byte word fits below 2^64. */
const LAST_WORD64 = MASK64 - 8n;
const LAST_DWORD64 = MASK64 - 4n;

export function pointerSize(arch: CpuArch): 4 | 8 {
  return arch === 'x86' || arch === 'arm' ? 4 : 8;
}

/** Reads one little-endian word of `size` bytes; undefined when not fully readable. */
export function readWord(env: UnwindEnvironment, addr: bigint, size: 4 | 8): bigint | undefined {
  if (addr < 0n || addr > (size === 8 ? LAST_WORD64 : LAST_DWORD64)) return undefined;
  if (env.memory.readPointer !== undefined) {
    try {
      const v = env.memory.readPointer(addr, size);
      if (v !== undefined) return v;
    } catch {
      // fall through to read(), which safeRead guards the same way
    }
  }
  const buf = safeRead(env, addr, size);
  if (buf.length < size) return undefined;
  return size === 8 ? buf.readBigUInt64LE(0) : BigInt(buf.readUInt32LE(0));
}

/** env.memory.read that never throws and never returns more than asked. */
export function safeRead(env: UnwindEnvironment, addr: bigint, len: number): Buffer {
  if (addr < 0n || len <= 0) return Buffer.alloc(0);
  try {
    const b = env.memory.read(addr, len);
    return b.length > len ? b.subarray(0, len) : b;
  } catch {
    return Buffer.alloc(0);
  }
}

export function safeModuleAt(env: UnwindEnvironment, addr: bigint): UnwindModule | undefined {
  if (addr < 0n) return undefined;
  try {
    return env.moduleAt(addr);
  } catch {
    return undefined;
  }
}

/**
 * Code bytes at [addr, addr+len): dump memory first, then the module's image
 * (mini dumps rarely hold code, the PE file does).
 */
export function readCode(env: UnwindEnvironment, addr: bigint, len: number, module?: UnwindModule): Buffer {
  const fromMemory = safeRead(env, addr, len);
  if (fromMemory.length >= len) return fromMemory;
  // The module at addr, when the caller has it already (the scanner asks for every candidate).
  const mod = module !== undefined && addr >= module.base && addr - module.base < BigInt(module.size) ? module : safeModuleAt(env, addr);
  if (mod?.image === undefined) return fromMemory;
  const rva = addr - mod.base;
  if (rva < 0n || rva >= BigInt(mod.size)) return fromMemory;
  try {
    const fromImage = mod.image.readRva(Number(rva), len);
    return fromImage.length > fromMemory.length ? fromImage.subarray(0, len) : fromMemory;
  } catch {
    return fromMemory;
  }
}

/** x64 canonical user/kernel address (not in the non-canonical hole). */
export function isCanonical(v: bigint): boolean {
  return !(v > 0x7fffffffffffn && v < 0xffff800000000000n);
}

/** Length of an x86/x64 ModRM-encoded operand (ModRM + SIB + displacement) starting at buf[p]. */
function modrmLength(buf: Buffer, p: number): number | undefined {
  const modrm = buf[p];
  if (modrm === undefined) return undefined;
  const mod = modrm >> 6;
  const rm = modrm & 7;
  if (mod === 3) return 1;
  let len = 1;
  if (rm === 4) {
    const sib = buf[p + 1];
    if (sib === undefined) return undefined;
    len += 1;
    if (mod === 0 && (sib & 7) === 5) len += 4;
  } else if (mod === 0 && rm === 5) {
    len += 4; // disp32 (x86) or RIP-relative (x64)
  }
  if (mod === 1) len += 1;
  else if (mod === 2) len += 4;
  return len;
}

/**
 * True when the bytes just before `end` (buf holds the bytes [end-buf.length, end))
 * decode as a CALL ending exactly at `end`: `E8 rel32` or `FF /2` with any operand.
 */
export function endsWithX86Call(buf: Buffer): boolean {
  const end = buf.length;
  if (end >= 5 && buf[end - 5] === 0xe8) return true;
  for (let n = 2; n <= Math.min(8, end); n++) {
    const p = end - n;
    if (buf[p] !== 0xff) continue;
    const modrm = buf[p + 1];
    if (modrm === undefined || ((modrm >> 3) & 7) !== 2) continue;
    const len = modrmLength(buf, p + 1);
    if (len !== undefined && p + 1 + len === end) return true;
  }
  return false;
}

/** ARM64: the instruction before a return address must be BL, BLR or a PAC BLRA* form. */
export function isArm64Call(insn: number): boolean {
  if ((insn & 0xfc000000) >>> 0 === 0x94000000) return true; // BL imm26
  if ((insn & 0xfffffc1f) >>> 0 === 0xd63f0000) return true; // BLR Xn
  if ((insn & 0xfefff800) >>> 0 === 0xd63f0800) return true; // BLRAA/BLRAB/BLRAAZ/BLRABZ
  return false;
}

/**
 * Could `v` be a return address? It must be non-null, fit the architecture,
 * lie in a loaded module (its code, when the image says), and, when the code
 * bytes are readable, follow a CALL instruction.
 */
export function looksLikeReturnAddress(env: UnwindEnvironment, v: bigint): boolean {
  const arch = env.arch;
  if (v < 0x1000n) return false;
  if (arch === 'x86' && v > MASK32) return false;
  if (arch === 'amd64' && !isCanonical(v)) return false;
  if (arch === 'arm64' && (v & 3n) !== 0n) return false;
  const back = arch === 'arm64' ? 4n : 1n;
  const mod = safeModuleAt(env, v - back);
  if (mod === undefined) return false;
  if (mod.image?.isCodeRva !== undefined) {
    const rva = v - back - mod.base;
    if (rva < 0n || rva >= BigInt(mod.size)) return false;
    try {
      if (!mod.image.isCodeRva(Number(rva))) return false;
    } catch {
      return false;
    }
  }
  if (arch === 'arm64') {
    const b = readCode(env, v - 4n, 4, mod);
    if (b.length < 4) return true;
    return isArm64Call(b.readUInt32LE(0));
  }
  const b = readCode(env, v - 8n, 8, mod);
  if (b.length < 8) return true;
  return endsWithX86Call(b);
}

export interface ScanHit {
  /** Stack address of the return address. */
  address: bigint;
  value: bigint;
}

/** Breakpad/rust-minidump scan window: 40 words, 4x more when the callee frame is well-known. */
export const SCAN_WORDS = 40;
export const SCAN_WORDS_TRUSTED = 160;

/** Scans `words` pointer-sized words upward from `start` for the first plausible return address. */
export function scanForReturnAddress(env: UnwindEnvironment, start: bigint, words: number): ScanHit | undefined {
  const size = pointerSize(env.arch);
  let dv: DataView;
  let base = 0;
  let n = words;
  const view = safeReadView(env, start, words * size);
  if (view !== undefined) {
    dv = view.data;
    base = view.offset;
  } else {
    const buf = safeRead(env, start, words * size);
    n = Math.floor(buf.length / size);
    dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
  }
  for (let i = 0; i < n; i++) {
    // Most stack words are zeros and small integers, which no return address is (below 0x1000):
    // skipped on the 32-bit halves before any BigInt is made.
    const at = base + i * size;
    const lo = dv.getUint32(at, true);
    const hi = size === 8 ? dv.getUint32(at + 4, true) : 0;
    if (hi === 0 && lo < 0x1000) continue;
    const value = size === 8 ? dv.getBigUint64(at, true) : BigInt(lo);
    if (looksLikeReturnAddress(env, value)) return { address: start + BigInt(i * size), value };
  }
  return undefined;
}

/** env.memory.readView when the environment has it and it answers; never throws. */
function safeReadView(env: UnwindEnvironment, addr: bigint, len: number): { data: DataView; offset: number } | undefined {
  if (env.memory.readView === undefined || addr < 0n) return undefined;
  try {
    return env.memory.readView(addr, len);
  } catch {
    return undefined;
  }
}

/** Largest distance between a frame pointer and the next one up the stack that scanning recovery believes. */
export const MAX_FRAME_GAP = 128n * 1024n;

/** Parses a STACK CFI rule string (`.cfa: $rsp 8 + .ra: .cfa 8 - ^`) into register → expression. */
export function parseCfiRules(rules: string): Map<string, string> | undefined {
  const out = new Map<string, string>();
  const tokens = rules.trim().split(/\s+/).filter((t) => t.length > 0);
  let reg: string | undefined;
  let expr: string[] = [];
  for (const tok of tokens) {
    if (tok.endsWith(':') && tok.length > 1) {
      if (reg !== undefined) {
        if (expr.length === 0) return undefined;
        out.set(reg, expr.join(' '));
      }
      reg = tok.slice(0, -1);
      expr = [];
    } else {
      if (reg === undefined) return undefined;
      expr.push(tok);
    }
  }
  if (reg !== undefined) {
    if (expr.length === 0) return undefined;
    out.set(reg, expr.join(' '));
  }
  return out;
}

/** Canonical register name for CFI: strips `$`, maps ARM64 aliases to the context names. */
function cfiRegName(name: string, arch: CpuArch): string {
  let n = name.startsWith('$') ? name.slice(1) : name;
  n = n.toLowerCase();
  if (arch === 'arm64') {
    if (n === 'x29') return 'fp';
    if (n === 'x30') return 'lr';
  }
  return n;
}

/**
 * Evaluates Breakpad STACK CFI rows at `pc` (an address inside the rows'
 * range) against the callee's registers. Returns the caller's registers,
 * pc (.ra) and sp (.cfa), or undefined when `.cfa`/`.ra` cannot be computed.
 */
export function evaluateCfi(
  env: UnwindEnvironment,
  rows: CfiRows,
  pc: bigint,
  calleeRegs: Record<string, bigint>,
  names: { pc: string; sp: string },
): { regs: Record<string, bigint>; pc: bigint; sp: bigint } | undefined {
  const arch = env.arch;
  const size = pointerSize(arch);
  const rules = parseCfiRules(rows.init);
  if (rules === undefined) return undefined;
  let applied = 0;
  for (const d of rows.deltas) {
    if (d.address > pc) continue;
    if (++applied > 10000) break;
    const more = parseCfiRules(d.rules);
    if (more === undefined) return undefined;
    for (const [k, v] of more) rules.set(k, v);
  }
  const vars = new Map<string, bigint>();
  for (const [k, v] of Object.entries(calleeRegs)) {
    vars.set(`$${k}`, v);
    vars.set(k, v);
    if (arch === 'arm64' && k === 'fp') { vars.set('$x29', v); vars.set('x29', v); }
    if (arch === 'arm64' && k === 'lr') { vars.set('$x30', v); vars.set('x30', v); }
  }
  const opts = { bits: (size * 8) as 32 | 64, deref: (a: bigint) => readWord(env, a, size) };
  const cfaExpr = rules.get('.cfa');
  const raExpr = rules.get('.ra');
  if (cfaExpr === undefined || raExpr === undefined) return undefined;
  const cfa = evaluatePostfix(cfaExpr, vars, opts);
  if (cfa === undefined) return undefined;
  vars.set('.cfa', cfa);
  const ra = evaluatePostfix(raExpr, vars, opts);
  if (ra === undefined) return undefined;
  const regs: Record<string, bigint> = {};
  for (const [name, expr] of rules) {
    if (name === '.cfa' || name === '.ra') continue;
    if (expr.trim() === '.undef') continue;
    const v = evaluatePostfix(expr, vars, opts);
    if (v !== undefined) regs[cfiRegName(name, arch)] = v;
  }
  regs[names.pc] = ra;
  if (regs[names.sp] === undefined) regs[names.sp] = cfa;
  return { regs, pc: ra, sp: regs[names.sp] ?? cfa };
}

/**
 * Tries the environment's STACK CFI rows covering `lookup` (pc, or pc - 1 for return addresses).
 * `registers` gives the callee's registers; it is called only when there are rows (most frames
 * of a walk without Breakpad symbols have none, and the copy is not free).
 */
export function callerByCfi(
  env: UnwindEnvironment,
  lookup: bigint,
  registers: () => Record<string, bigint>,
  keep: readonly string[],
  names: { pc: string; sp: string },
): CallerCandidate | undefined {
  if (env.cfiRules === undefined) return undefined;
  let rows: CfiRows | undefined;
  try {
    rows = env.cfiRules(lookup);
  } catch {
    return undefined;
  }
  if (rows === undefined) return undefined;
  const calleeRegs = registers();
  const r = evaluateCfi(env, rows, lookup, calleeRegs, names);
  if (r === undefined) return undefined;
  // Callee-saved registers without a rule keep their values (Breakpad).
  const regs: Record<string, bigint> = {};
  for (const k of keep) {
    const v = calleeRegs[k];
    if (v !== undefined) regs[k] = v;
  }
  Object.assign(regs, r.regs);
  return { regs, pc: r.pc, sp: r.sp, trust: 'cfi' };
}

/** Copies the named registers that are present. */
export function pick(regs: Record<string, bigint>, names: readonly string[]): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  for (const n of names) {
    const v = regs[n];
    if (v !== undefined) out[n] = v;
  }
  return out;
}

/** Words searched for a shadow-stack return address (64 KiB of stack on x64). */
export const SHADOW_SEARCH_WORDS = 8192;

/**
 * The CET shadow stack (A.19.5) lists the return addresses of the active
 * calls, innermost first. When it names the caller's return address, find
 * that value on the stack: its slot gives the caller's stack pointer exactly.
 */
export function callerByShadowStack(env: UnwindEnvironment, callee: CalleeFrame, keep: readonly string[], names: { pc: string; sp: string }): CallerCandidate | undefined {
  const want = callee.shadowReturn;
  if (want === undefined) return undefined;
  const size = pointerSize(env.arch);
  let words = SHADOW_SEARCH_WORDS;
  if (env.stackBounds !== undefined && env.stackBounds.high > callee.sp) {
    words = Math.min(words, Number((env.stackBounds.high - callee.sp) / BigInt(size)));
  }
  const buf = safeRead(env, callee.sp, words * size);
  for (let i = 0; i + size <= buf.length; i += size) {
    const v = size === 8 ? buf.readBigUInt64LE(i) : BigInt(buf.readUInt32LE(i));
    if (v !== want) continue;
    const sp = callee.sp + BigInt(i + size);
    const regs = pick(callee.regs, keep);
    regs[names.pc] = want;
    regs[names.sp] = sp;
    return { regs, pc: want, sp, trust: 'prewalked', note: 'return address from the CET shadow stack' };
  }
  return undefined;
}

/** Largest exception directory read whole for searching (a big DLL's .pdata is a few MiB). */
const MAX_TABLE_COPY = 16 * 1024 * 1024;

/** More entries than this in an exception directory is garbage (a 64 MiB .pdata). */
const MAX_TABLE_ENTRIES = 1 << 22;

/** The image's exception directory as a table of `entrySize`-byte entries, or undefined. */
export function exceptionTable(image: UnwindImage, entrySize: 8 | 12): { rva: number; count: number } | undefined {
  let dir: { rva: number; size: number } | undefined;
  try {
    dir = image.exceptionDirectory();
  } catch {
    return undefined;
  }
  if (dir === undefined || dir.size < entrySize) return undefined;
  return { rva: dir.rva, count: Math.min(Math.floor(dir.size / entrySize), MAX_TABLE_ENTRIES) };
}

function readRvaSafe(image: UnwindImage, rva: number, len: number): Buffer | undefined {
  try {
    const b = image.readRva(rva, len);
    return b.length >= len ? b : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Binary search of a .pdata table (sorted by BeginAddress, the first u32 of
 * each entry) for the last entry whose BeginAddress <= rva. Reads only the
 * probed entries, so large tables cost a few small reads and no caching.
 */
export function searchExceptionTable(image: UnwindImage, entrySize: 8 | 12, rva: number): Buffer | undefined {
  const table = exceptionTable(image, entrySize);
  if (table === undefined) return undefined;
  // The whole table when the environment keeps a copy (probes inside its readable prefix come
  // from it; any beyond are read one by one, as without it).
  let all: Buffer | undefined;
  const bytes = table.count * entrySize;
  if (bytes <= MAX_TABLE_COPY) {
    try {
      all = image.readSpan?.(table.rva, bytes);
    } catch {
      all = undefined;
    }
  }
  let lo = 0;
  let hi = table.count - 1;
  let found: Buffer | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const at = mid * entrySize;
    const entry = all !== undefined && at + entrySize <= all.length ? all.subarray(at, at + entrySize) : readRvaSafe(image, table.rva + at, entrySize);
    if (entry === undefined) return undefined;
    if (entry.readUInt32LE(0) <= rva) {
      found = entry;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}
